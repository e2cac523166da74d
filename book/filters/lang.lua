-- lang.lua: choose and lay out the book's languages.
--
-- Metadata read:
--   langmode   "both" (default), "en" or "zh"
--   prose-only true to drop the code chunks (the terminal reading of a chapter)
--
-- Prose comes in pairs of divs, {lang=en} then {lang=zh}.  With "en" or "zh"
-- one of the two is kept and unwrapped.  With "both", HTML gets each pair in
-- a two-column <div class="bi">, LaTeX gets it in a paracol environment.
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

local function Header(h)
  local en, zh = split_halves(h.content)
  if not en then
    return nil
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
  return h
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

-- paracol cannot hold a longtable (pandoc's tables): such a pair is set
-- full width, English above Chinese.
local function has_table(div)
  local found = false
  pandoc.walk_block(div, { Table = function() found = true end })
  return found
end

local function pair_latex(en, zh)
  if has_table(en) or has_table(zh) then
    local out = pandoc.List()
    out:extend(en.content)
    out:extend(zh.content)
    return out
  end
  local out = pandoc.List({ pandoc.RawBlock("latex", "\\begin{paracol}{2}") })
  out:extend(en.content)
  out:insert(pandoc.RawBlock("latex", "\\switchcolumn"))
  out:extend(zh.content)
  out:insert(pandoc.RawBlock("latex", "\\end{paracol}"))
  return out
end

local function Blocks(blocks)
  local out = pandoc.List()
  local i = 1
  while i <= #blocks do
    local b, nxt = blocks[i], blocks[i + 1]
    local l = lang_of(b)
    if prose_only and (b.t == "CodeBlock" or (b.t == "Div" and b.classes:includes("chunk"))) then
      -- the terminal reading leaves the code out
    elseif l and mode ~= "both" then
      if l == mode then
        out:extend(b.content)
      end
    elseif l == "en" and lang_of(nxt) == "zh" then
      if latex then
        out:extend(pair_latex(b, nxt))
      else
        out:insert(pandoc.Div({ wrap_one(b), wrap_one(nxt) }, pandoc.Attr("", { "bi" })))
      end
      i = i + 1
    elseif l then
      out:insert(wrap_one(b))
    else
      out:insert(b)
    end
    i = i + 1
  end
  return out
end

return {
  { Meta = read_meta },
  { Header = Header, Span = Span, Blocks = Blocks },
}
