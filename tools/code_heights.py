"""Each code block of a built page says how many lines it has, so a phone can skip the ones
off screen.

Most of a long page's elements are the `<span>`s of highlighted code (about 85 % of the 5,500
elements of the running-totals page). Material's scripts make the browser recompute the style
and layout of the whole page several times while it starts (reading sizes after changing the
page), so every page load paid for every token of every code block, seen or not.
`docs/stylesheets/extra.css` gives each `<pre><code>` that carries `--md-lines`
`content-visibility: auto`: off screen, its contents are neither styled nor laid out. Its
height while skipped is `--md-lines` lines (`lh`), the height it has when shown, because code
does not wrap; so nothing moves when a block is shown, and a browser or axe-core measuring the
page sees the same positions either way (tests/test_browser.py compares both for every block).

`mark(html)` adds `style="--md-lines: N"` to the start tag of each `<pre>`'s `<code>` (or of
the `<pre>` itself when it holds no `<code>`, as in a notebook cell) and changes nothing else;
`CodeHeightsExtension` runs it on every page Python-Markdown renders, and the notebook pages'
hook (overrides/hooks/notebook_pages.py) on the HTML mkdocs-jupyter writes.
"""

from __future__ import annotations

from html.parser import HTMLParser

from markdown import Extension
from markdown.postprocessors import Postprocessor

PROPERTY = "--md-lines"


class _CodeInPre(HTMLParser):
    """(offset of the start tag, its text, lines shown) of each pre's code, or of the pre."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.starts = [0]  # offset of each line's first character
        for line in html.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.found: list[tuple[int, str, int]] = []
        self._pre: list | None = None  # [offset, start tag, text, has code] of the open pre
        self._code: list | None = None  # [offset, start tag, text] of the open code element
        self.feed(html)
        self.close()

    def _here(self) -> list:
        line, column = self.getpos()
        return [self.starts[line - 1] + column, self.get_starttag_text(), ""]

    @staticmethod
    def _lines(text: str) -> int:
        return text.count("\n") + (0 if text.endswith("\n") or not text else 1)

    def handle_starttag(self, tag, attrs):
        if tag == "pre" and self._pre is None:
            self._pre = [*self._here(), False]
        elif tag == "code" and self._pre is not None and self._code is None:
            self._code = self._here()
            self._pre[3] = True

    def handle_endtag(self, tag):
        if tag == "code" and self._code is not None:
            offset, start, text = self._code
            self.found.append((offset, start, self._lines(text)))
            self._code = None
        elif tag == "pre" and self._pre is not None:
            offset, start, text, has_code = self._pre
            if not has_code:
                self.found.append((offset, start, self._lines(text.removeprefix("\n"))))
            self._pre = None

    def handle_data(self, data):
        for element in (self._pre, self._code):
            if element is not None:
                element[2] += data

    def handle_entityref(self, name):
        self.handle_data("&")  # one character, never a newline

    def handle_charref(self, name):
        self.handle_data("&")


def mark(html: str) -> str:
    """`html` with `style="--md-lines: N"` on each `<pre>`'s `<code>`, or on the `<pre>`.

    N is the number of lines the code shows (a final newline does not start a line, and a
    newline right after `<pre>` is not shown). An element that already has a `style`
    attribute is left as it is, so marking twice changes nothing. Everything outside the added
    attributes is returned byte for byte.
    """
    parts = []
    end = len(html)
    for offset, start, lines in reversed(_CodeInPre(html).found):
        if html[offset : offset + len(start)] != start:
            raise ValueError(f"code start tag not found where the parser put it: {start!r}")
        if "style=" in start.lower() or not lines:
            continue
        closing = len(start) - (2 if start.endswith("/>") else 1)
        parts.append(html[offset + len(start) : end])
        parts.append(f'{start[:closing]} style="{PROPERTY}: {lines}"{start[closing:]}')
        end = offset
    parts.append(html[:end])
    return "".join(reversed(parts))


class _Mark(Postprocessor):
    def run(self, text: str) -> str:
        return mark(text)


class CodeHeightsExtension(Extension):
    """Python-Markdown extension: `mark` on the page's final HTML (after raw HTML is restored)."""

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        # Python-Markdown restores stored HTML (highlighted code) at priority 30.
        md.postprocessors.register(_Mark(md), "code_heights", 5)


def makeExtension(**kwargs):  # noqa: N802 - the name Python-Markdown looks for
    return CodeHeightsExtension(**kwargs)
