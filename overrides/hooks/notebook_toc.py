"""MkDocs hook: a notebook page's table of contents points at the headings the page really has.

mkdocs-jupyter builds a notebook page's table of contents from a Markdown conversion of the
notebook that drops inline code from headings, so "Float input: eager mode and `tf.function`"
is listed as "Float input: eager mode and" with the anchor `#float-input-eager-mode-and`, which
the page (rendered by nbconvert) does not have. This hook gives each entry, in order, the id and
text of the page's own heading. A page whose headings and entries do not pair up fails the build.
"""

from html.parser import HTMLParser

from mkdocs.exceptions import PluginError

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _Headings(HTMLParser):
    """(id, text) of each heading of an HTML fragment, without its permalink mark."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[list] = []
        self.depth = 0  # > 0 inside a heading
        self.in_permalink = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in HEADINGS:
            self.depth += 1
            self.found.append([attributes.get("id"), ""])
        elif self.depth and tag == "a" and "anchor-link" in (attributes.get("class") or ""):
            self.in_permalink = True

    def handle_endtag(self, tag):
        if tag in HEADINGS and self.depth:
            self.depth -= 1
        elif tag == "a":
            self.in_permalink = False

    def handle_data(self, data):
        if self.depth and not self.in_permalink:
            self.found[-1][1] += data


def _entries(items):
    for item in items:
        yield item
        yield from _entries(item.children)


def on_page_context(context, page, config, nav):
    if not page.file.src_uri.endswith(".ipynb") or not page.toc:
        return context
    parser = _Headings()
    parser.feed(page.content or "")
    headings = [(id_, " ".join(text.replace("¶", "").split())) for id_, text in parser.found]
    entries = list(_entries(page.toc))
    if len(entries) != len(headings) or not all(id_ for id_, _ in headings):
        raise PluginError(
            f"{page.file.src_uri}: {len(entries)} table of contents entries but "
            f"{len(headings)} headings with ids: the contents cannot be matched to the page"
        )
    for entry, (id_, text) in zip(entries, headings, strict=True):
        entry.id, entry.title = id_, text
    return context
