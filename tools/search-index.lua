-- search-index.lua: a pandoc filter that prints one chapter's search
-- entries as JavaScript lines for build/book/html/search-index.js:
--   S.push(["page.html#id","English title","中文标题","English text","中文文本"]);
-- one entry per section (headings of levels 1 to 3), the prose of both
-- languages, chunk names and the identifiers the chunks define.
-- The page is given with --metadata page=NAME; output goes to stdout.

local page = "?"
local entries = {}
local cur = nil

local function js(s)
  s = s:gsub('[\\"]', "\\%0"):gsub("\n", " "):gsub("\r", ""):gsub("</", "<\\/")
  return '"' .. s .. '"'
end

local function new_entry(id, en, zh)
  cur = { id = id, en_t = en, zh_t = zh, en = {}, zh = {} }
  table.insert(entries, cur)
end

local function add(lang, text)
  if not cur then
    new_entry("", "", "")
  end
  table.insert(cur[lang], text)
end

function Pandoc(doc)
  page = pandoc.utils.stringify(doc.meta.page or "?")
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level <= 3 then
      local t = pandoc.utils.stringify(b.content)
      local en, zh = t:match("^(.-) · (.*)$")
      new_entry(b.identifier, en or t, zh or t)
    elseif b.t == "Div" and b.attributes["lang"] then
      add(b.attributes["lang"] == "zh" and "zh" or "en", pandoc.utils.stringify(b))
    elseif b.t == "Div" and b.classes:includes("chunk") then
      -- the chunk's header line and its cross-references, not the code
      local words = {}
      for _, x in ipairs(b.content) do
        if x.t ~= "CodeBlock" then
          table.insert(words, pandoc.utils.stringify(x))
        end
      end
      add("en", table.concat(words, " "))
    end
  end
  for _, e in ipairs(entries) do
    io.stdout:write("S.push([", js(page .. ".html" .. (e.id ~= "" and "#" .. e.id or "")), ",",
      js(e.en_t), ",", js(e.zh_t), ",", js(table.concat(e.en, " ")), ",",
      js(table.concat(e.zh, " ")), "]);\n")
  end
  return pandoc.Pandoc({})
end
