-- links.lua: the links inside code, and links across pages, for HTML.
--
-- tools/nw2md writes each chunk use and identifier in code as a placeholder
-- word, lgxrefKz, and gives the code block a "links" attribute: for each K
-- in order, "page.html#anchor|text", percent-encoded, separated by spaces.
-- Here the block is highlighted as pandoc would highlight it, and each
-- placeholder becomes <a class="use" href="page.html#anchor">text</a>.
-- A placeholder is one word to every highlighter, so a link's text is never
-- cut into tokens.
--
-- A link in prose to "#id" where id is not on this page (the chapters'
-- "[hints](#hints)", an appendix's "(#sec:launcher-virtio)") goes to the
-- page that holds id, from the table that --metadata link-ids=FILE names
-- (tools/link-ids.lua: "id<TAB>page.html" lines).  A link whose target is
-- on no page is an error.  (tools/nw2md already writes links between
-- chapters as page.html#id; the PDF is one document, where #id is enough.)

if not FORMAT:match("html") then
  return {}
end

local function decode(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local function html_escape(s)
  return (s:gsub("[&<>\"]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }))
end

function CodeBlock(cb)
  local spec = cb.attributes["links"]
  if not spec then
    return nil
  end
  cb.attributes["links"] = nil
  local targets = {}
  for entry in spec:gmatch("%S+") do
    local href, text = entry:match("^([^|]*)|(.*)$")
    table.insert(targets, { href = decode(href), text = decode(text) })
  end
  local html = pandoc.write(pandoc.Pandoc({ cb }), "html5")
  html = html:gsub("lgxref(%d+)z", function(k)
    local t = targets[tonumber(k) + 1]
    if not t then
      error("links.lua: no link for placeholder " .. k)
    end
    return '<a class="use" href="' .. html_escape(t.href) .. '">' ..
      html_escape(t.text) .. "</a>"
  end)
  return pandoc.RawBlock("html", html)
end

-- Links across pages: this page's own ids, and the table of all of them.
local here, where = {}, nil

local function read_ids(meta)
  if not meta["link-ids"] then
    return nil
  end
  local file = pandoc.utils.stringify(meta["link-ids"])
  local f = io.open(file, "r")
  if not f then
    error("links.lua: cannot read " .. file)
  end
  where = {}
  for line in f:lines() do
    local id, page = line:match("^([^\t]+)\t(.+)$")
    if id and not where[id] then
      where[id] = page
    end
  end
  f:close()
  return nil
end

local function note(el)
  if el.identifier and el.identifier ~= "" then
    here[el.identifier] = true
  end
end

local function Link(l)
  local id = l.target:match("^#(.+)$")
  if not where or not id or here[id] then
    return nil
  end
  local page = where[id]
  if not page then
    error("links.lua: no page has the target of the link to #" .. id ..
      " (" .. pandoc.utils.stringify(l.content) .. ")")
  end
  l.target = page .. "#" .. id
  return l
end

return {
  { Meta = read_ids },
  { Pandoc = function(doc)
      doc:walk({ Header = note, Div = note, Span = note, CodeBlock = note,
        Image = note, Link = note, Code = note, Table = note })
      return nil
    end },
  { Link = Link },
  { CodeBlock = CodeBlock },
}
