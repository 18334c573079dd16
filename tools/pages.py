"""The site's pages, read with a Markdown parser configured for the syntax mkdocs.yml enables.

markdown-it-py (CommonMark and tables) with mdit-py-plugins for front matter and admonitions
(`!!!`, `???`); the content tabs of pymdownx.tabbed (`=== "Title"`, content indented by four
spaces) are the one rule of our own. Attribute lists (`{ .class }`, `{#id}`) are read with
mdit-py-plugins' attribute parser. Tools and tests ask this module for fences, headings, links
and the pages that show snippets instead of matching Markdown with regular expressions.
"""

from __future__ import annotations

import dataclasses
import functools
import html.parser
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes
from mdit_py_plugins.front_matter import front_matter_plugin

from tools import content, project

TAB_MARKERS = ("===!+", "===+!", "===!", "===+", "===")  # longest first
VERBATIM = "verbatim"  # the word that marks a code block shown exactly as written
TAB_INDENT = 4


def _tab(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A content tab of pymdownx.tabbed: `=== "Title"`, then lines indented by four spaces."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False  # an indented code block
    start = state.bMarks[start_line] + state.tShift[start_line]
    line = state.src[start : state.eMarks[start_line]]
    marker = next((m for m in TAB_MARKERS if line.startswith(m)), None)
    if marker is None:
        return False
    title = line[len(marker) :].strip()
    if len(title) < 2 or title[0] != '"' or title[-1] != '"':
        return False
    if silent:
        return True
    indent = state.sCount[start_line] + TAB_INDENT
    next_line = start_line + 1
    while next_line < end_line:
        blank = state.bMarks[next_line] + state.tShift[next_line] >= state.eMarks[next_line]
        if not blank and state.sCount[next_line] < indent:
            break
        next_line += 1
    old = (state.parentType, state.lineMax, state.blkIndent)
    state.parentType, state.lineMax, state.blkIndent = "tab", next_line, indent
    token = state.push("tab_open", "div", 1)
    token.markup, token.info, token.map, token.block = (
        marker,
        title[1:-1],
        [start_line, next_line],
        True,
    )
    state.md.block.tokenize(state, start_line + 1, next_line)
    token = state.push("tab_close", "div", -1)
    token.markup, token.block = marker, True
    state.parentType, state.lineMax, state.blkIndent = old
    state.line = next_line
    return True


@functools.cache
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(admon_plugin)
    md.block.ruler.before("fence", "tab", _tab, {"alt": ["paragraph", "reference", "blockquote"]})
    return md


def front_matter_problems(page: Path, root: Path = project.ROOT) -> list[str]:
    """What is wrong with the page's YAML front matter (the block between `---` lines at its
    top), as `<file>:<line>: <problem>` lines; empty when it has none or it is a mapping.

    MkDocs shows a front matter that is not YAML as text, and builds (with `--strict` too).
    """
    text = page.read_text(encoding="utf-8")
    first = tree(text).children[:1]
    if not first or first[0].type != "front_matter":
        return []
    where = page.relative_to(root).as_posix() if page.is_relative_to(root) else str(page)
    try:
        data = yaml.safe_load(first[0].content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = 2 + mark.line if mark else 1  # the YAML starts under the opening `---`
        problem = getattr(error, "problem", None) or str(error)
        return [f"{where}:{line}: the front matter is not YAML: {problem}"]
    if data is not None and not isinstance(data, dict):
        return [
            f"{where}:2: the front matter must be `key: value` lines, not {type(data).__name__}"
        ]
    return []


def tree(text: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(parser().parse(text))


def walk(node: SyntaxTreeNode):
    """Every node under `node`, depth first, in document order."""
    for child in node.children:
        yield child
        yield from walk(child)


def trailing_attributes(text: str) -> tuple[str, dict[str, str] | None]:
    """Split `text { .class #id }` into the text and its attribute list (None if it has none)."""
    start = text.rfind("{")
    while start != -1:
        try:
            last, attributes = parse_attributes(text[start:])  # `last`: the index of its "}"
        except ParseError:
            last = None
        if last is not None and not text[start + last + 1 :].strip():
            return text[:start].rstrip(), attributes
        start = text.rfind("{", 0, start)
    return text, None


@dataclasses.dataclass(frozen=True)
class Fence:
    """A fenced code block of a page."""

    line: int  # 1-based line of the opening fence
    info: str  # the info string, e.g. '{.python notest title="x.py"}'
    body: str  # the lines inside, dedented as the fence's indentation requires
    end_line: int = 0  # 1-based line of the closing fence (0 when unknown)

    @property
    def words(self) -> list[str]:
        """The info string's words, braces and leading dots removed: ['python', 'notest', ...]."""
        return [w.lstrip(".") for w in self.info.strip().strip("{}").split()]

    @property
    def language(self) -> str | None:
        return self.words[0] if self.words else None

    @property
    def verbatim(self) -> bool:
        """Marked `verbatim` (```` ```{.markdown verbatim} ````): its lines are shown as written,
        include lines too, and include nothing (tools/verbatim_blocks.py)."""
        return VERBATIM in self.words[1:]

    def includes(self) -> list[tuple[str, str | None]] | None:
        """(file, section) of each include when the body is only includes; otherwise None (a
        verbatim block includes nothing)."""
        if self.verbatim:
            return None
        lines = [line for line in self.body.split("\n") if line.strip()]
        found = [content.parse_include(line.strip()) for line in lines]
        return found if found and all(found) else None


def fences(text: str) -> list[Fence]:
    return [
        Fence(node.map[0] + 1, node.info, node.content, node.map[1])
        for node in walk(tree(text))
        if node.type == "fence"
    ]


def verbatim_lines(text: str) -> set[int]:
    """The 1-based numbers of the lines inside verbatim code blocks (their fences excluded)."""
    return {
        number
        for fence in fences(text)
        if fence.verbatim
        for number in range(fence.line + 1, fence.end_line)
    }


def links(text: str) -> list[tuple[int, str]]:
    """(1-based line, href) of every inline link of a page, in order."""
    lines = text.split("\n")
    found = []

    def visit(node: SyntaxTreeNode, block: list[int] | None) -> None:
        block = (None if node.is_root else node.map) or block
        if node.type == "link" and isinstance(node.attrs.get("href"), str) and block:
            href = node.attrs["href"]
            start, end = block
            # The block's first line that holds the link's target, as written.
            number = next((n for n in range(start, end) if href in lines[n]), start)
            found.append((number + 1, href))
        for child in node.children:
            visit(child, block)

    visit(tree(text), None)
    return found


def link_targets(text: str) -> list[str]:
    """The href of every inline link of a page, in order."""
    return [
        node.attrs["href"]
        for node in walk(tree(text))
        if node.type == "link" and isinstance(node.attrs.get("href"), str)
    ]


def heading_text(node: SyntaxTreeNode) -> tuple[str, str | None]:
    """A heading's source text and the id it sets with `{#id}`, if any."""
    text, attributes = trailing_attributes(node.children[0].content if node.children else "")
    return text, (attributes or {}).get("id")


def title(text: str) -> str | None:
    """The text of a page's first heading (what the navigation calls it); None without one."""
    node = next((n for n in walk(tree(text)) if n.type == "heading"), None)
    return heading_text(node)[0] if node else None


def heading_ids(text: str, config=None) -> list[tuple[int, str]]:
    """(0-based line, id) of every heading of a page, as MkDocs' toc extension sets the ids.

    The headings are rendered alone, in page order, by Python-Markdown with the toc extension
    configured as mkdocs.yml configures it: its slugs, its `_1` suffixes for repeated ids, and
    ids given with `{#id}`.
    """
    import markdown

    found = [
        (node.map[0], node.markup, *heading_text(node))
        for node in walk(tree(text))
        if node.type == "heading"
    ]
    source = "\n\n".join(
        f"{markup} {title}" + (f" {{#{anchor}}}" if anchor else "")
        for _, markup, title, anchor in found
    )
    toc_config = dict((config.mdx_configs if config else {}).get("toc", {}))
    renderer = markdown.Markdown(
        extensions=["toc", "attr_list"], extension_configs={"toc": toc_config}
    )
    renderer.convert(source)

    def flat(tokens):
        for token in tokens:
            yield token["id"]
            yield from flat(token["children"])

    ids = list(flat(renderer.toc_tokens))
    return [(line, anchor) for (line, *_), anchor in zip(found, ids, strict=True)]


class _Tag(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append(("start", tag, dict(attrs)))

    def handle_endtag(self, tag):
        self.found.append(("end", tag, {}))


def markdown_div(node: SyntaxTreeNode) -> str | None:
    """'open' or 'close' when an HTML block is just a `<div markdown>` wrapper's tag."""
    if node.type != "html_block":
        return None
    tags = _Tag()
    tags.feed(node.content)
    tags.close()
    if len(tags.found) != 1 or tags.found[0][1] != "div":
        return None
    kind, _, attributes = tags.found[0]
    if kind == "start" and "markdown" in attributes:
        return "open"
    return "close" if kind == "end" else None


def placeholders(page: Path) -> list[str]:
    """The parts of a page still to be written, each as 'file:line: what to do' (empty when
    none); file is docs/<page>.md for a page of the site.

    The scaffold (tools/scaffold.py) marks them with `!!! todo` boxes and "To write" texts.
    """
    parts = page.parts
    docs = len(parts) - 1 - parts[::-1].index("docs") if "docs" in parts else len(parts) - 1
    label = "/".join(parts[docs:])
    text = page.read_text(encoding="utf-8")
    found = []
    boxes = set()
    for node in walk(tree(text)):
        if node.type == "admonition" and node.meta.get("tag") == "todo":
            title = node.children[0].children[0].content if node.children else ""
            boxes.add(node.map[0] + 1)
            found.append(
                f"{label}:{node.map[0] + 1}: a 'To write' box ({title.strip()!r}): write what "
                "it asks for, then delete the box"
            )
    found += [
        f"{label}:{number}: still says 'To write': {line.strip()[:60]!r}"
        for number, line in enumerate(text.split("\n"), 1)
        if "To write" in line and number not in boxes
    ]
    return sorted(found, key=lambda f: int(f.split(":")[1]))


def all_pages(root: Path = project.ROOT) -> list[Path]:
    """Every Markdown page of the site, under docs/."""
    return sorted(project.docs_dir(root).rglob("*.md"))


def shows_snippet_code(page: Path) -> bool:
    """True when a page includes a section of a snippet's code (it then has a notebook)."""
    return any(
        i.suffix == "py" and i.section for i in content.includes(page, page.read_text("utf-8"))
    )
