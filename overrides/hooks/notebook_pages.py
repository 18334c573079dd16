"""MkDocs hook: a notebook page is as light as the page it was made from, and search finds the
page, not its notebook.

mkdocs-jupyter puts into every notebook page, inline: JupyterLab's whole stylesheet (575 KB;
the running-totals notebook page spent twice the main-thread time of its page matching it),
Pygments' and its own theme's styles, a MathJax loader with an empty `src`, and a Mermaid
loader that imports from a CDN when the page has a diagram. Ours have no maths and no
diagrams, so this hook leaves out every `<style>` and those two loaders (found with
html.parser, cut out by position, everything else kept byte for byte); the few rules the cells
need are in docs/stylesheets/extra.css, drawn with Material's colours. The copy button of each
cell (a `<clipboard-copy>` element and its script) stays. Code heights are marked as on every
page (tools/code_heights.py).

The notebook has the same prose, code and outputs as its page. Search indexes the page only
(`search.exclude` in the page's meta, read by Material's search plugin); the notebook is linked
from the page ("Download notebook", "Open in Colab", overrides/hooks/notebook_links.py).
"""

from html.parser import HTMLParser

from tools import code_heights

# <script> elements of mkdocs-jupyter's template that our notebooks do not need.
LOADERS = {"text/x-mathjax-config", "module"}


class _Unneeded(HTMLParser):
    """(start, end) offsets of each <style>, and of each MathJax or Mermaid <script>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.starts = [0]
        for line in html.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.spans: list[tuple[int, int]] = []
        self._open: int | None = None
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        unneeded = tag == "style" or (
            tag == "script"
            and (attributes.get("type") in LOADERS or attributes.get("src", None) == "")
        )
        if unneeded:
            self._open = self._offset()

    def handle_endtag(self, tag):
        if tag in {"style", "script"} and self._open is not None:
            end = self.html.index(">", self._offset()) + 1
            self.spans.append((self._open, end))
            self._open = None


def lighten(html: str) -> str:
    """The notebook page's HTML without the styles and loaders it does not need."""
    kept, position = [], 0
    for start, end in _Unneeded(html).spans:
        kept.append(html[position:start])
        position = end
    kept.append(html[position:])
    return "".join(kept)


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    return code_heights.mark(lighten(html))
