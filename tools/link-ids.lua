-- link-ids.lua: a pandoc filter that prints, for one page of the HTML
-- book, every identifier a link can aim at (headings, divs, spans, code
-- blocks), one "id<TAB>page.html" line each, on stdout.  The lines of all
-- the pages make build/book/md-html/link-ids.tsv, which
-- book/filters/links.lua reads to send "(#id)" to the page that holds id.
-- The page is given with --metadata page=NAME.

local page = "?"

local function put(el)
  if el.identifier and el.identifier ~= "" then
    io.stdout:write(el.identifier, "\t", page, ".html\n")
  end
end

function Pandoc(doc)
  page = pandoc.utils.stringify(doc.meta.page or "?")
  doc:walk({ Header = put, Div = put, Span = put, CodeBlock = put,
    Image = put, Link = put, Code = put, Table = put })
  return pandoc.Pandoc({})
end
