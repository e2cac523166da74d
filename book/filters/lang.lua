-- lang.lua: choose and lay out the book's languages.
--
-- Metadata read:
--   langmode   "both" (default), "en" or "zh"
--   prose-only true to drop the code chunks (the terminal reading of a chapter)
--
-- Prose comes in pairs of divs, {lang=en} then {lang=zh}.  With "en" or "zh"
-- one of the two is kept and unwrapped.  With "both", HTML gets each pair in
-- a two-column <div class="bi">, LaTeX gets it in a paracol environment;
-- program output, diagrams and tables inside a pair are taken out of the
-- columns and set full width, once when both languages have the same one.
-- Headings "English · 中文" are cut to one half in a single-language edition.
-- For LaTeX every lang attribute is removed: pandoc 2.17's LaTeX writer
-- breaks on lang=zh (babel/polyglossia have no such language there).

local mode = "both"
local prose_only = false
local latex = FORMAT:match("latex") ~= nil
local html = FORMAT:match("html") ~= nil

local function read_meta(meta)
  if meta.langmode then
    mode = pandoc.utils.stringify(meta.langmode)
  end
  if meta["prose-only"] then
    prose_only = pandoc.utils.stringify(meta["prose-only"]) == "true"
  end
  if mode ~= "both" and mode ~= "en" and mode ~= "zh" then
    error("lang.lua: langmode must be both, en or zh, not " .. mode)
  end
end

local function lang_of(el)
  return el.t == "Div" and el.attributes["lang"] or nil
end

-- Split heading inlines at the " · " that separates the two languages.
local function split_halves(inlines)
  for i, el in ipairs(inlines) do
    if el.t == "Str" and el.text == "·" then
      local en, zh = pandoc.List(), pandoc.List()
      for j = 1, i - 2 do en:insert(inlines[j]) end
      for j = i + 2, #inlines do zh:insert(inlines[j]) end
      return en, zh
    end
  end
  return nil
end

-- LaTeX: an unnumbered chapter (front matter, indexes) sets its own
-- running head; a numbered one gets "7  Mastery" from \chaptermark.
local function mark(h)
  if latex and h.level == 1 and h.classes:includes("unnumbered") then
    local title = pandoc.write(pandoc.Pandoc({ pandoc.Plain(h.content) }), "latex")
    return { h, pandoc.RawBlock("latex", "\\markboth{" .. title .. "}{" .. title .. "}") }
  end
  return h
end

local function Header(h)
  local en, zh = split_halves(h.content)
  if not en then
    return mark(h)
  end
  if mode == "en" then
    h.content = en
  elseif mode == "zh" then
    h.content = zh
  elseif html then
    h.content = {
      pandoc.Span(en, pandoc.Attr("", { "h-en" })),
      pandoc.Span({ pandoc.Str(" · ") }, pandoc.Attr("", { "h-sep" })),
      pandoc.Span(zh, pandoc.Attr("", { "h-zh" })),
    }
  end
  return mark(h)
end

-- LaTeX: "English · 中文" with the same space on both sides of the dot
-- (xeCJK would drop the one next to the Chinese).
local function even_dot(inlines)
  if not latex then
    return nil
  end
  local out, i = pandoc.List(), 1
  while i <= #inlines do
    local a, b, c = inlines[i], inlines[i + 1], inlines[i + 2]
    if a.t == "Space" and b and b.t == "Str" and b.text == "·" and c and c.t == "Space" then
      out:insert(pandoc.RawInline("latex",
        "\\texorpdfstring{\\hspace{0.45em}\\textperiodcentered\\hspace{0.45em}}{ · }"))
      i = i + 3
    else
      out:insert(a)
      i = i + 1
    end
  end
  return out
end

-- Labels the back end writes in both languages: [Used in]{.l-en}[用于]{.l-zh}
local function Span(s)
  local keep_zh = mode == "zh" or (mode == "both" and html)
  local keep_en = mode ~= "zh"
  if s.classes:includes("l-zh") and not keep_zh then
    return {}
  end
  if s.classes:includes("l-en") and not keep_en then
    return {}
  end
  if s.classes:includes("sp") then	-- English punctuation, then a space
    s.content:insert(pandoc.Space())
    return s
  end
  return nil
end

-- One language block, for the given edition.
local function wrap_one(div)
  local l = lang_of(div)
  if latex then
    div.attributes["lang"] = nil
  elseif html then
    div.classes:insert("lang-" .. l)
    if l == "zh" then
      div.attributes["lang"] = "zh-Hans"
    end
  end
  return div
end

-- Blocks that are not prose: program output, diagrams, tables.  Inside a
-- pair they are set full width, between the prose around them: once if
-- both languages have the same block, else English above Chinese.
local function is_wide(b)
  return b.t == "CodeBlock" or b.t == "Table"
end

local function same(a, b)
  if a.t ~= b.t then
    return false
  end
  if a.t == "CodeBlock" then
    return a.text == b.text
  end
  return pandoc.write(pandoc.Pandoc({ a }), "native") ==
    pandoc.write(pandoc.Pandoc({ b }), "native")
end

-- A language's blocks cut at its wide blocks: { {prose, wide}, ..., {prose} }.
local function segments(blocks)
  local segs, prose = {}, pandoc.List()
  for _, b in ipairs(blocks) do
    if is_wide(b) then
      table.insert(segs, { prose = prose, wide = b })
      prose = pandoc.List()
    else
      prose:insert(b)
    end
  end
  table.insert(segs, { prose = prose })
  return segs
end

local function lang_div(blocks, l)
  return pandoc.Div(blocks, pandoc.Attr("", {}, { lang = l }))
end

-- A wide block for HTML: its own horizontal scroll, and a language when
-- it is one language's version.
local function wide_html(b, l)
  local d = pandoc.Div({ b }, pandoc.Attr("", { "wide" }))
  if l then
    d.attributes["lang"] = l
    wrap_one(d)
  end
  return d
end

-- Two columns of prose: a paracol in LaTeX, <div class="bi"> in HTML.
local function prose_pair(en, zh)
  if latex then
    local out = pandoc.List({ pandoc.RawBlock("latex", "\\begin{paracol}{2}") })
    out:extend(en)
    out:insert(pandoc.RawBlock("latex", "\\switchcolumn"))
    out:extend(zh)
    out:insert(pandoc.RawBlock("latex", "\\end{paracol}"))
    return out
  end
  return pandoc.List({ pandoc.Div({ wrap_one(lang_div(en, "en")),
    wrap_one(lang_div(zh, "zh")) }, pandoc.Attr("", { "bi" })) })
end

local function pair(en, zh)
  local se, sz = segments(en.content), segments(zh.content)
  local out = pandoc.List()
  if #se ~= #sz then
    -- the two languages do not line up: each one full width, in turn
    for _, d in ipairs({ en, zh }) do
      for _, b in ipairs(d.content) do
        if latex then
          out:insert(b)
        else
          out:insert(is_wide(b) and wide_html(b, lang_of(d)) or
            wrap_one(lang_div({ b }, lang_of(d))))
        end
      end
    end
    return out
  end
  for k = 1, #se do
    local e, z = se[k], sz[k]
    if #e.prose > 0 or #z.prose > 0 then
      out:extend(prose_pair(e.prose, z.prose))
    end
    if e.wide and same(e.wide, z.wide) then
      out:insert(latex and e.wide or wide_html(e.wide))
    elseif e.wide then
      out:insert(latex and e.wide or wide_html(e.wide, "en"))
      out:insert(latex and z.wide or wide_html(z.wide, "zh"))
    end
  end
  return out
end

-- The terminal reading leaves the code out, wherever it is.
local function drop_code(blocks)
  if not prose_only then
    return nil
  end
  return blocks:filter(function(b)
    return not (b.t == "CodeBlock" or (b.t == "Div" and b.classes:includes("chunk")))
  end)
end

-- The chapter's top-level blocks, where the language pairs stand.
local function arrange(blocks)
  local out = pandoc.List()
  local i = 1
  while i <= #blocks do
    local b, nxt = blocks[i], blocks[i + 1]
    local l = lang_of(b)
    if l and mode ~= "both" then
      if l == mode then
        out:extend(b.content)
      end
    elseif l == "en" and lang_of(nxt) == "zh" then
      out:extend(pair(b, nxt))
      i = i + 1
    elseif l then
      out:insert(wrap_one(b))
    elseif html and is_wide(b) then
      out:insert(wide_html(b))
    else
      out:insert(b)
    end
    i = i + 1
  end
  return out
end

-- LaTeX: inline code may break after "/", "_", "." and "-", so that long
-- paths and identifiers fit the narrow columns.  Not in headings, whose
-- text also goes into the PDF's bookmarks.
local tex_escapes = {
  ["\\"] = "\\textbackslash{}", ["{"] = "\\{", ["}"] = "\\}",
  ["$"] = "\\$", ["&"] = "\\&", ["#"] = "\\#", ["%"] = "\\%",
  ["_"] = "\\_", ["^"] = "\\^{}", ["~"] = "\\textasciitilde{}",
  ["-"] = "-{}", ["'"] = "\\textquotesingle{}", ["`"] = "\\textasciigrave{}",
  ["<"] = "\\textless{}", [">"] = "\\textgreater{}",
}

local function breakable_code(c)
  local t, out = c.text, {}
  for i = 1, #t do
    local ch = t:sub(i, i)
    table.insert(out, tex_escapes[ch] or ch)
    -- a break after a separator between word characters, not at the ends
    if ch:match("[/._-]") and i > 2 and i < #t - 1 and
        t:sub(i - 1, i - 1):match("[%w_)]") and t:sub(i + 1, i + 1):match("[%w_]") then
      table.insert(out, "\\allowbreak{}")
    end
  end
  return pandoc.RawInline("latex", "\\texttt{" .. table.concat(out) .. "}")
end

-- LaTeX: a table's relative column widths come from its dashes; widen a
-- column to its longest word, Chinese aside (about 6.2 pt a character on a 472 pt line),
-- taking the room from the columns that have more than they need.
local function utf8_len(w)
  local _, n = w:gsub("[^\128-\191]", "")
  return n
end

local function table_widths(tbl)
  local n, need = #tbl.colspecs, {}
  for i = 1, n do
    if type(tbl.colspecs[i][2]) ~= "number" then
      return nil
    end
    need[i] = 0
  end
  local function scan(rows)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        -- Chinese breaks between any two characters (three-byte UTF-8)
        local text = pandoc.utils.stringify(cell.contents)
          :gsub("[\224-\239][\128-\191][\128-\191]", " ")
        for w in text:gmatch("%S+") do
          need[i] = math.max(need[i] or 0, (utf8_len(w) + 1) * 6.2 / (472 - 12 * n))
        end
      end
    end
  end
  scan(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    scan(body.body)
  end
  local width, short, spare = {}, 0, 0
  for i = 1, n do
    width[i] = tbl.colspecs[i][2]
    if width[i] < need[i] then
      short = short + need[i] - width[i]
      width[i] = need[i]
    else
      spare = spare + width[i] - need[i]
    end
  end
  if short == 0 or spare <= short then
    return nil
  end
  for i = 1, n do
    if width[i] > need[i] then
      width[i] = width[i] - (width[i] - need[i]) * short / spare
    end
    tbl.colspecs[i] = { tbl.colspecs[i][1], width[i] }
  end
  return tbl
end

local function latex_code(doc)
  if not latex then
    return nil
  end
  doc.blocks = doc.blocks:map(function(b)
    if b.t == "Header" then
      return b
    end
    return pandoc.walk_block(b, { Code = breakable_code, Table = table_widths })
  end)
  return doc
end

return {
  { Meta = read_meta },
  { Pandoc = latex_code },
  { Header = Header, Span = Span },
  { Inlines = even_dot },
  { Blocks = drop_code },
  { Pandoc = function(doc)
      doc.blocks = arrange(doc.blocks)
      return doc
    end },
}
