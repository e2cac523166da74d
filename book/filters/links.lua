-- links.lua: the links inside code, for HTML.
--
-- tools/nw2md writes each chunk use and identifier in code as a placeholder
-- word, lgxrefKz, and gives the code block a "links" attribute: for each K
-- in order, "page.html#anchor|text", percent-encoded, separated by spaces.
-- Here the block is highlighted as pandoc would highlight it, and each
-- placeholder becomes <a class="use" href="page.html#anchor">text</a>.
-- A placeholder is one word to every highlighter, so a link's text is never
-- cut into tokens.

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
