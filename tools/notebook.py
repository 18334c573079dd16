"""Write the notebook edition of each explainer page: prose and verified snippets as a notebook.

    python -m tools.notebook            rewrite docs/notebook/<page>.ipynb from docs/<page>.md
    python -m tools.notebook --check    exit 1 if a committed notebook differs from the page

A page gets a notebook when it includes a section of a snippet (`--8<-- "name.py:section"`).
The page is the only source: its prose becomes Markdown cells (admonitions and tabs turned into
plain Markdown), each included snippet section becomes a code cell, and the stored output
included under it (`--8<-- "name.out"`) becomes that cell's output. Nothing is executed here.
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import json
import posixpath
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml
from markdown.extensions.toc import slugify
from nbformat.v4.rwbase import split_lines

from tools.manifest import MARKER, sections
from tools.snippets import ROOT, SnippetError, parse_snippet

NOTEBOOK_DIR = "notebook"
RAISES_TAG = "raises-exception"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

_FENCE = re.compile(r"^(?P<ticks>`{3,})(?P<info>.*)$")
_INCLUDE = re.compile(r'^--8<-- "(?P<file>[\w.-]+?)(?::(?P<section>[\w-]+))?"$')
_BLOCK = re.compile(r'^(?P<kind>!!!|\?\?\?\+?|===)\s*(?P<type>[\w-]*)\s*(?:"(?P<title>.*)")?\s*$')
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)(?:\s*\{#(?P<id>[\w-]+)\})?\s*$")
_PAGE_LINK = re.compile(r"\]\((?P<page>(?![a-z]+:|#)[^)#]*)\.md(?P<anchor>#[^)]*)?\)")
# Site-only syntax: a `<div markdown>` wrapper (md_in_html) and `{ .class }` (attr_list).
_HTML_BLOCK = re.compile(r"^<div\b[^>]*\bmarkdown\b[^>]*>$")
_ATTRIBUTES = re.compile(
    r"\s*\{:?\s*(?:[.#][\w-]+|[\w-]+=\"[^\"]*\")(?:\s+(?:[.#][\w-]+|[\w-]+=\"[^\"]*\"))*\s*\}\s*$"
)
_ANCHOR_LINK = re.compile(r"\]\(#([\w-]+)\)")


class NotebookError(Exception):
    """The page cannot be turned into a notebook; the message names the file and line."""


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    lines: list[str] = field(default_factory=list)
    source: str = ""  # for code: "name.py:section" (sections joined by commas)
    output: str | None = None  # for code: the stored output shown under it, if any
    raises: str | None = None  # for code: the exception the stored output ends with


def site_config(root: Path = ROOT) -> dict:
    """mkdocs.yml, with tags for Python objects (which the site build resolves) left empty."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader) or {}


def notebook_path(page: Path, root: Path = ROOT) -> Path:
    return root / "docs" / NOTEBOOK_DIR / page.with_suffix(".ipynb").name


def pages(root: Path = ROOT) -> list[Path]:
    """Pages that include snippet code: each gets a notebook."""
    found = []
    for page in sorted((root / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        if re.search(r'^\s*--8<-- "[\w.-]+\.py:', text, re.M):
            found.append(page)
    return found


def section(path: Path, name: str) -> str:
    """A named section of a snippet, dedented, as pymdownx.snippets shows it."""
    found, _ = sections(path, str(path))
    match = next((s for s in found if s["name"] == name), None)
    if match is None:
        raise NotebookError(f"{path}: no section {name!r}")
    lines = path.read_text(encoding="utf-8").splitlines()[
        match["start_line"] - 1 : match["end_line"]
    ]
    body = [ln for ln in lines if not MARKER.match(ln)]  # nested sections' markers
    return textwrap.dedent("\n".join(body)).strip("\n")


class _Converter:
    def __init__(self, page: Path, root: Path):
        self.page = page
        self.root = root
        self.snippets = root / "snippets"
        self.cells: list[Cell] = []
        self.open_divs = 0
        self.defined: dict[str, set[str]] = {}  # snippet module -> names defined by its cells
        self.lines = page.read_text(encoding="utf-8").splitlines()
        self.targets = set(_ANCHOR_LINK.findall("\n".join(self.lines)))

    def where(self, number: int) -> str:
        return f"{self.page.relative_to(self.root)}:{number}"

    def markdown(self, text: str, quote: bool) -> None:
        if not self.cells or self.cells[-1].kind != "markdown":
            if not text.strip():
                return  # blank lines between cells belong to no cell
            self.cells.append(Cell("markdown"))
        self.cells[-1].lines.append(("> " + text).rstrip() if quote else text)

    def convert(self) -> list[Cell]:
        numbered = list(enumerate(self.lines, 1))
        if numbered and numbered[0][1] == "---":  # front matter is for the site only
            end = next(i for i, (_, ln) in enumerate(numbered[1:], 1) if ln == "---")
            numbered = numbered[end + 1 :]
        self.block(numbered, quote=False)
        return self.cells

    def block(self, numbered: list[tuple[int, str]], quote: bool) -> None:
        i = 0
        while i < len(numbered):
            number, line = numbered[i]
            stripped = line.strip()
            fence = _FENCE.match(stripped)
            block = _BLOCK.match(stripped)
            if fence:
                end = next(
                    (j for j in range(i + 1, len(numbered)) if numbered[j][1].strip() == "```"),
                    None,
                )
                if end is None:
                    raise NotebookError(f"{self.where(number)}: code block is never closed")
                self.fence(number, fence.group("info"), [ln for _, ln in numbered[i + 1 : end]])
                i = end + 1
                continue
            if block:
                body = []
                i += 1
                while i < len(numbered) and (
                    not numbered[i][1].strip() or numbered[i][1].startswith("    ")
                ):
                    body.append((numbered[i][0], numbered[i][1][4:]))
                    i += 1
                while body and not body[-1][1].strip():
                    body.pop()  # the blank line after a block ends it
                title = block.group("title") or block.group("type").capitalize()
                # A tab becomes a bold line; an admonition or collapsible block, a quotation.
                admonition = block.group("kind") != "==="
                inner = quote or admonition
                self.markdown(f"**{title}**", inner)
                if admonition:
                    self.markdown("", inner)
                self.block(body, inner)
                self.markdown("", quote)
                continue
            self.prose(number, line, quote)
            i += 1

    def prose(self, number: int, line: str, quote: bool) -> None:
        if _HTML_BLOCK.match(line.strip()):
            self.open_divs += 1
            return
        if line.strip() == "</div>" and self.open_divs:
            self.open_divs -= 1
            return
        if not _HEADING.match(line):
            plain = _ATTRIBUTES.sub("", line)
            if plain != line and not plain.strip():
                return  # the line only set attributes of the list item above
            line = plain
        include = _INCLUDE.match(line.strip())
        if include:  # a text file included inline, such as the verified versions
            for text in self.read(number, include.group("file")).splitlines():
                self.markdown(text, quote)
            return
        line = _PAGE_LINK.sub(lambda m: self.page_link(number, m), line)
        heading = _HEADING.match(line)
        if heading:
            text = heading.group("text")
            anchor = heading.group("id") or slugify(text.replace("`", ""), "-")
            if anchor in self.targets:  # keep the page's own links working in the notebook
                self.markdown(f'<a id="{anchor}"></a>', quote)
                self.markdown("", quote)
            line = f"{heading.group('hashes')} {text}"
        self.markdown(line, quote)

    def page_link(self, number: int, match: re.Match) -> str:
        """Another page of the site, by its published address (the notebook travels alone)."""
        site_url = site_config(self.root).get("site_url")
        if not site_url:
            raise NotebookError(
                f"{self.where(number)}: links to a page, but mkdocs.yml has no site_url"
            )
        target = posixpath.normpath(
            posixpath.join(
                posixpath.dirname(self.page.relative_to(self.root / "docs").as_posix()),
                match.group("page"),
            )
        )
        path = "" if target == "index" else target.removesuffix("/index") + "/"
        return f"]({site_url.rstrip('/')}/{path}{match.group('anchor') or ''})"

    def read(self, number: int, name: str) -> str:
        path = self.snippets / name
        if not path.exists():
            raise NotebookError(f"{self.where(number)}: includes missing snippets/{name}")
        return path.read_text(encoding="utf-8")

    def fence(self, number: int, info: str, body: list[str]) -> None:
        includes = [_INCLUDE.match(ln.strip()) for ln in body if ln.strip()]
        if not includes or not all(includes):  # an ordinary code block stays part of the prose
            self.markdown("```" + info.strip(), False)
            for ln in textwrap.dedent("\n".join(body)).splitlines():
                self.markdown(ln, False)
            self.markdown("```", False)
            return
        files = {m.group("file") for m in includes}
        name = includes[0].group("file")
        if len(includes) == 1 and name.endswith(".out"):
            self.output(number, name)
        elif len(files) == 1 and name.endswith(".py") and all(m.group("section") for m in includes):
            self.code(number, name, body)
        else:
            raise NotebookError(f"{self.where(number)}: cannot turn this code block into a cell")

    def code(self, number: int, name: str, body: list[str]) -> None:
        """One cell per code block; a block may show several sections of one file."""
        self.read(number, name)
        module = name.removesuffix(".py")
        parts, lines = [], []
        for line in textwrap.dedent("\n".join(body)).strip("\n").splitlines():
            include = _INCLUDE.match(line.strip())
            if not include:
                lines.append(line)
                continue
            part = include.group("section")
            parts.append(part)
            for code in section(self.snippets / name, part).splitlines():
                lines.append(self.sibling_import(number, f"{name}:{part}", code))
        label = f"{name}:{','.join(parts)}"
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError as err:
            raise NotebookError(f"{self.where(number)}: {label} is not valid: {err}") from None
        bound = {
            node.name for node in tree.body if isinstance(node, ast.ClassDef | ast.FunctionDef)
        }
        self.defined.setdefault(module, set()).update(bound)
        self.cells.append(Cell("code", lines, source=label))

    def sibling_import(self, number: int, source: str, line: str) -> str:
        """A snippet imports a sibling file the notebook does not have; an earlier cell has it."""
        match = re.match(r"^from ([\w]+) import ([\w, ]+)$", line)
        if not match or not (self.snippets / f"{match.group(1)}.py").exists():
            if re.match(r"^import ([\w]+)$", line) and (self.snippets / f"{line[7:]}.py").exists():
                raise NotebookError(f"{self.where(number)}: {source}: use `from ... import ...`")
            return line
        module, names = match.group(1), [n.strip() for n in match.group(2).split(",")]
        missing = [n for n in names if n not in self.defined.get(module, set())]
        if missing:
            raise NotebookError(
                f"{self.where(number)}: {source} imports {', '.join(missing)} from {module}.py, "
                f"but no earlier code block on the page shows its definition "
                f"(include {module}.py:layer before it)"
            )
        return f"# {line}  (defined in a cell above)"

    def output(self, number: int, name: str) -> None:
        cell = self.cells[-1] if self.cells else None
        if cell is None or cell.kind != "code" or cell.output is not None:
            raise NotebookError(
                f"{self.where(number)}: output {name} does not directly follow its code block"
            )
        if cell.source.split(".py:")[0] != name.removesuffix(".out"):
            raise NotebookError(
                f"{self.where(number)}: output {name} follows the code of {cell.source}"
            )
        cell.output = self.read(number, name)
        try:
            cell.raises = parse_snippet(self.snippets / f"{name[:-4]}.py").raises
        except SnippetError as err:
            raise NotebookError(str(err)) from None


def split_output(text: str, raises: str | None) -> tuple[str, str]:
    """Stored output -> (stdout, exception text as Python prints it)."""
    if not raises:
        return text, ""
    name = re.escape(raises.rpartition(".")[2])
    match = re.search(rf"^(?:[\w.]+\.)?{name}(?::|$)", text, re.M)
    if not match:
        raise NotebookError(f"stored output does not end with {raises}:\n{text}")
    return text[: match.start()], text[match.start() :]


def output_text(cell: nbformat.NotebookNode) -> str:
    """What a stored code cell shows, in the form of a stored output file."""
    text = ""
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            text += output.text
        elif output.output_type == "error":
            text += "\n".join(output.traceback) + "\n"
    return text


def _outputs(cell: Cell) -> list:
    if cell.output is None:
        return []
    stdout, exception = split_output(cell.output, cell.raises)
    outputs = []
    if stdout:
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=stdout))
    if exception:
        first = exception.splitlines()[0]
        outputs.append(
            nbformat.v4.new_output(
                "error",
                ename=cell.raises.rpartition(".")[2],
                evalue=first.partition(": ")[2],
                traceback=exception.removesuffix("\n").split("\n"),
            )
        )
    return outputs


def build(page: Path, root: Path = ROOT) -> nbformat.NotebookNode:
    cells = _Converter(page, root).convert()
    relative = page.relative_to(root).as_posix()
    intro = (
        f"> **The notebook edition of the page.** It is generated from `{relative}` in the "
        "repository. Each code cell is a section of a file under `snippets/`, and the output "
        "stored under it is the output the tests verified. Where a snippet imports a class from "
        "another snippet file, the notebook defines that class in an earlier cell instead. It "
        "needs TensorFlow and installs nothing; run the cells from top to bottom."
    )
    nb_cells = []
    for index, cell in enumerate(cells):
        text = "\n".join(cell.lines).strip("\n")
        if cell.kind == "markdown":
            text = re.sub(r"\n{3,}", "\n\n", text)
            if index == 0:  # after the title
                title, _, rest = text.partition("\n")
                if title.startswith("# "):  # the site lists both pages by their title
                    title += " (notebook)"
                text = f"{title}\n\n{intro}\n{rest}"
            nb_cells.append(nbformat.v4.new_markdown_cell(text, id=f"cell-{index:02d}"))
            continue
        code = nbformat.v4.new_code_cell(text, id=f"cell-{index:02d}", outputs=_outputs(cell))
        code.metadata["snippet"] = cell.source
        if cell.raises and cell.output is not None:
            code.metadata["tags"] = [RAISES_TAG]
        nb_cells.append(code)
    notebook = nbformat.v4.new_notebook(cells=nb_cells)
    notebook.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    nbformat.validate(notebook)
    return notebook


def dumps(notebook: nbformat.NotebookNode) -> str:
    """The file as Jupyter itself saves it, so opening and saving it changes nothing."""
    return nbformat.writes(notebook) + "\n"


def _cell_text(cell: nbformat.NotebookNode) -> str:
    lines = split_lines(nbformat.v4.new_notebook(cells=[copy.deepcopy(cell)])).cells[0]
    return json.dumps(lines, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def cell_label(notebook: nbformat.NotebookNode, index: int) -> str:
    cell = notebook.cells[index]
    what = cell.metadata.get("snippet") or cell.source.partition("\n")[0][:60]
    return f"cell {index} ({cell.cell_type}: {what})"


def stale(committed_text: str, fresh: nbformat.NotebookNode, name: str) -> str | None:
    """None when the committed notebook is what the generator writes, else a diff naming cells."""
    if committed_text == dumps(fresh):
        return None
    try:
        committed = nbformat.reads(committed_text, as_version=4)
    except Exception as err:  # noqa: BLE001 - any unreadable file is simply stale
        return f"{name}: not a readable notebook ({err})"
    problems = []
    for index in range(max(len(committed.cells), len(fresh.cells))):
        old = committed.cells[index] if index < len(committed.cells) else None
        new = fresh.cells[index] if index < len(fresh.cells) else None
        old_text = _cell_text(old) if old is not None else ""
        new_text = _cell_text(new) if new is not None else ""
        if old_text != new_text:
            label = cell_label(fresh if new is not None else committed, index)
            diff = "".join(
                difflib.unified_diff(
                    old_text.splitlines(keepends=True),
                    new_text.splitlines(keepends=True),
                    "committed",
                    "generated from the page and snippets",
                )
            )
            problems.append(f"{label} is stale:\n{diff}")
    if not problems:
        problems.append("notebook metadata or formatting is stale")
    return f"{name}: out of date; run `python -m tools.notebook`\n" + "\n".join(problems[:5])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.notebook", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    failed = False
    for page in pages(root):
        target = notebook_path(page, root)
        name = target.relative_to(root)
        try:
            fresh = build(page, root)
        except NotebookError as err:
            print(f"FAIL {err}", file=sys.stderr)
            failed = True
            continue
        if args.check:
            committed = target.read_text(encoding="utf-8") if target.exists() else ""
            message = stale(committed, fresh, str(name))
            if message:
                print(f"FAIL {message}", file=sys.stderr)
                failed = True
            else:
                print(f"ok {name}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dumps(fresh), encoding="utf-8")
        print(f"wrote {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
