"""The notebook edition of a page: its prose and verified snippets as a Jupyter notebook.

A page gets a notebook when it includes a section of a snippet (`--8<-- "name.py:section"`).
The page is the only source. It is read with the site's Markdown parser (tools/pages.py): its
prose becomes Markdown cells (admonitions and tabs turned into plain Markdown), each included
snippet section becomes a code cell, and the stored output included under it
(`--8<-- "name.out"`) becomes that cell's output. Nothing is executed here; tools/generate.py
writes the file.

A kernel runs one Keras backend, fixed when Keras is imported, so a page gets one notebook per
backend its snippets run under (`# snippet: backend=jax`, tools/backends.py):
`notebook/<page>.ipynb` for TensorFlow, `notebook/<page>-<backend>.ipynb` for each other one,
whose first code cell sets KERAS_BACKEND before anything imports Keras. Each holds the whole page;
the cells of another backend's snippets are shown with their stored output, not run, and name the
notebook that runs them, so every code cell of every notebook runs as its snippet did.
"""

from __future__ import annotations

import ast
import copy
import difflib
import json
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from markdown_it.tree import SyntaxTreeNode
from nbformat.v4.rwbase import split_lines

from tools import backends, content, pages, project

NOTEBOOK_DIR = "notebook"
RAISES_TAG = "raises-exception"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
INDENT = 4  # the content of an admonition or a tab
# Generated files under snippets/ a page may include, by name, and how to make their text.
Generated = Mapping[str, Callable[[], str]]


class NotebookError(Exception):
    """The page cannot be turned into a notebook; the message names the file and line."""


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    lines: list[str] = field(default_factory=list)
    source: str = ""  # for code: "name.py:section" (sections joined by commas)
    output: str | None = None  # for code: the stored output shown under it, if any
    raises: str | None = None  # for code: the exception the stored output ends with
    script_only: bool = False  # for code: shown with its output, not run as a cell
    backend: str = backends.DEFAULT  # for code: the Keras backend its snippet runs under
    imports: frozenset[str] = frozenset()  # for code: the snippet modules its lines import from
    # for code: where each line comes from, (snippets/<name>.py, its line), None for a line of
    # the page's own
    origins: list[tuple[str, int] | None] = field(default_factory=list)

    @property
    def module(self) -> str:
        return self.source.partition(".py:")[0]

    def text(self) -> str:
        """The cell's source, without blank lines at either end."""
        return "\n".join(self.lines).strip("\n")

    def source_origins(self) -> list[tuple[str, int] | None]:
        """`origins` of the lines of text()."""
        start = 0
        while start < len(self.lines) and not self.lines[start]:
            start += 1
        return self.origins[start : start + len(self.text().split("\n"))]


def notebook_path(page: Path, root: Path = project.ROOT, backend: str = backends.DEFAULT) -> Path:
    """notebook/<page>.ipynb, or notebook/<page>-<backend>.ipynb for another backend."""
    suffix = "" if backend == backends.DEFAULT else f"-{backend}"
    return project.docs_dir(root) / NOTEBOOK_DIR / f"{page.stem}{suffix}.ipynb"


def page_backends(page: Path, root: Path = project.ROOT, config=None) -> list[str]:
    """The backends a page's notebooks run: TensorFlow, then every other one its code cells
    use, in the order of tools/backends.py. Raises NotebookError as build() does."""
    config = config or project.site_config(root)
    used = {
        cell.backend for cell in _Converter(page, root, config).convert() if cell.kind == "code"
    }
    return [name for name in backends.BACKENDS if name == backends.DEFAULT or name in used]


def pages_with_notebooks(root: Path = project.ROOT) -> list[Path]:
    """Pages that include snippet code: each gets a notebook."""
    return [p for p in sorted(project.docs_dir(root).glob("*.md")) if pages.shows_snippet_code(p)]


class _Converter:
    def __init__(self, page: Path, root: Path, config, generated: Generated | None = None):
        self.page = page
        self.root = root
        self.config = config
        self.snippets = project.snippets_dir(root)
        self.generated = generated or {}
        self.cells: list[Cell] = []
        self.defined: dict[str, set[str]] = {}  # snippet module -> names defined by its cells
        text = page.read_text(encoding="utf-8")
        self.lines = text.split("\n")
        self.tree = pages.tree(text)
        self.heading_ids = dict(pages.heading_ids(text, config))  # by 0-based line
        hrefs = pages.link_targets(text)
        for include in content.includes(page, text):  # Markdown files shown as part of the page
            if include.suffix == "md":
                hrefs += pages.link_targets(self.read(include.line - 1, include.file))
        self.targets = {h[1:] for h in hrefs if h.startswith("#")}
        self.page_links = {h for h in hrefs if self._is_page_link(h)}

    @staticmethod
    def _is_page_link(href: str) -> bool:
        path = href.partition("#")[0]
        return path.endswith(".md") and ":" not in path and not path.startswith("/")

    def where(self, line: int) -> str:
        return f"{self.page.relative_to(self.root)}:{line + 1}"

    def markdown(self, text: str, quote: bool) -> None:
        if not self.cells or self.cells[-1].kind != "markdown":
            if not text.strip():
                return  # blank lines between cells belong to no cell
            self.cells.append(Cell("markdown"))
        self.cells[-1].lines.append(("> " + text).rstrip() if quote else text)

    def convert(self) -> list[Cell]:
        self.block(self.tree, 0, quote=False, after_marker=False)
        return self.cells

    def block(self, node: SyntaxTreeNode, indent: int, quote: bool, after_marker: bool) -> None:
        """The children of the page, an admonition or a tab; blank lines between them kept."""
        children = [c for c in node.children if c.type not in ("front_matter", "admonition_title")]
        previous = node.map[0] + 1 if after_marker else None
        for child in children:
            start, end = child.map
            if previous is not None:
                for _ in range(previous, start):
                    self.markdown("", quote)
            if child.type == "fence":
                self.fence(child)
            elif child.type in ("admonition", "tab"):
                self.container(child, indent, quote)
            elif pages.markdown_div(child) is None:
                self.prose(child, indent, quote)
            # After a container, its trailing blank lines are its own; one blank line ends it.
            # Other blocks end at their last line that is not blank.
            while end > start and not self.lines[end - 1].strip():
                end -= 1
            previous = None if child.type in ("admonition", "tab") else end

    def container(self, node: SyntaxTreeNode, indent: int, quote: bool) -> None:
        # A tab becomes a bold line; an admonition or collapsible block, a quotation.
        admonition = node.type == "admonition"
        title = node.children[0].children[0].content if admonition else node.info
        inner = quote or admonition
        self.markdown(f"**{title}**", inner)
        if admonition:
            self.markdown("", inner)
        self.block(node, indent + INDENT, inner, after_marker=True)
        self.markdown("", quote)

    def prose(self, node: SyntaxTreeNode, indent: int, quote: bool) -> None:
        start, end = node.map
        if node.type == "heading":
            text, _ = pages.heading_text(node)
            anchor = self.heading_ids[start]
            if anchor in self.targets:  # keep the page's own links working in the notebook
                self.markdown(f'<a id="{anchor}"></a>', quote)
                self.markdown("", quote)
            self.markdown(f"{node.markup} {self.links(start, text)}", quote)
            return
        while end > start and not self.lines[end - 1].strip():
            end -= 1  # the blank lines after a block are not part of it
        for number in range(start, end):
            line = self.lines[number][indent:]
            plain, attributes = pages.trailing_attributes(line)
            if attributes is not None:
                if not plain.strip():
                    continue  # the line only set attributes of the list item above
                line = plain
            include = content.parse_include(line.strip())
            if include:  # a text file included inline, such as the verified versions
                for text in self.read(number, include[0]).splitlines():
                    self.markdown(self.links(number, text), quote)
                continue
            self.markdown(self.links(number, line), quote)

    def links(self, number: int, line: str) -> str:
        """Links to other pages, by their published address (the notebook travels alone)."""
        for href in self.page_links:
            if f"]({href})" in line:
                line = line.replace(f"]({href})", f"]({self.page_address(number, href)})")
        return line

    def page_address(self, number: int, href: str) -> str:
        path, hash_, anchor = href.partition("#")
        folder = posixpath.dirname(self.page.relative_to(project.docs_dir(self.root)).as_posix())
        target = posixpath.normpath(posixpath.join(folder, path))
        try:
            return project.page_url(self.config, target) + hash_ + anchor
        except project.ProjectError as error:
            raise NotebookError(f"{self.where(number)}: {error}") from None

    def read(self, number: int, name: str) -> str:
        if name in self.generated:  # as it is being generated, not as last written
            return self.generated[name]()
        path = self.snippets / name
        if not path.exists():
            raise NotebookError(f"{self.where(number)}: includes missing snippets/{name}")
        try:
            return path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotebookError(
                f"{self.where(number)}: snippets/{name} is not UTF-8 (byte {error.start})"
            ) from None

    def fence(self, node: SyntaxTreeNode) -> None:
        number = node.map[0]
        body = node.content.removesuffix("\n")
        includes = pages.Fence(number + 1, node.info, node.content).includes()
        if includes is None:  # an ordinary code block stays part of the prose
            self.markdown("```" + node.info.strip(), False)
            for line in body.splitlines():
                self.markdown(line, False)
            self.markdown("```", False)
            return
        files = {file for file, _ in includes}
        name = includes[0][0]
        if len(includes) == 1 and name.endswith(".out"):
            self.output(number, name)
        elif len(files) == 1 and name.endswith(".py") and all(s for _, s in includes):
            self.code(number, name, body)
        else:
            raise NotebookError(f"{self.where(number)}: cannot turn this code block into a cell")

    def code(self, number: int, name: str, body: str) -> None:
        """One cell per code block; a block may show several sections of one file."""
        self.read(number, name)
        snippet = content.Snippet(self.snippets / name)
        parts, lines, origins = [], [], []
        self.imported: set[str] = set()  # sibling modules, filled by sibling_import
        for line in body.strip("\n").splitlines():
            include = content.parse_include(line.strip())
            if not include:
                lines.append(line)
                origins.append(None)
                continue
            part = include[1]
            parts.append(part)
            try:
                shown = snippet.section_lines(part)
            except content.ContentError as error:
                raise NotebookError(f"{self.where(number)}: {error}") from None
            for line_number, code in shown:
                lines.append(self.sibling_import(number, f"{name}:{part}", code))
                origins.append((snippet.label, line_number))
        label = f"{name}:{','.join(parts)}"
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError as err:
            raise NotebookError(f"{self.where(number)}: {label} is not valid: {err}") from None
        bound = set()
        for node in tree.body:  # what a later cell may import from this snippet's module
            if isinstance(node, ast.ClassDef | ast.FunctionDef):
                bound.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                bound.update(target.id for target in targets if isinstance(target, ast.Name))
        self.defined.setdefault(snippet.name, set()).update(bound)
        try:
            directives = snippet.directives()
        except content.ContentError as error:
            raise NotebookError(str(error)) from None
        self.cells.append(
            Cell(
                "code",
                lines,
                source=label,
                script_only=directives.script_only,
                backend=directives.backend,
                imports=frozenset(self.imported),
                origins=origins,
            )
        )

    def sibling_import(self, number: int, source: str, line: str) -> str:
        """A snippet imports a sibling file the notebook does not have; an earlier cell has it."""
        try:
            statement = ast.parse(line).body
        except SyntaxError:
            return line  # a line of a larger statement
        if len(statement) != 1 or not isinstance(statement[0], ast.Import | ast.ImportFrom):
            return line
        node = statement[0]
        if isinstance(node, ast.Import):
            if any((self.snippets / f"{a.name}.py").exists() for a in node.names):
                raise NotebookError(f"{self.where(number)}: {source}: use `from ... import ...`")
            return line
        module = node.module or ""
        if node.level or not (self.snippets / f"{module}.py").exists():
            return line
        names = [alias.name for alias in node.names]
        missing = [n for n in names if n not in self.defined.get(module, set())]
        if missing:
            raise NotebookError(
                f"{self.where(number)}: {source} imports {', '.join(missing)} from {module}.py, "
                f"but no earlier code block on the page shows its definition "
                f"(include {module}.py:layer before it)"
            )
        self.imported.add(module)
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
            cell.raises = content.Snippet(self.snippets / f"{name[:-4]}.py").directives().raises
        except content.ContentError as err:
            raise NotebookError(str(err)) from None


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
    try:
        stdout, exception = content.split_output(cell.output, cell.raises)
    except content.ContentError as error:
        raise NotebookError(f"{cell.source}: {error}") from None
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


def script_only(cell: Cell, code: str) -> str:
    """A Markdown cell that shows a script-only snippet and its stored output."""
    name = cell.source.partition(":")[0]
    return (
        f"> **Run this one as a script:** `python snippets/{name}` in a clone of the repository. "
        "It starts processes from its own file, which a notebook cell cannot do.\n\n"
        + _shown(cell, code)
    )


def other_backend(cell: Cell, code: str, page: Path) -> str:
    """A Markdown cell that shows a snippet of another backend than the notebook's, with its
    stored output, and names the notebook that runs it."""
    label = backends.get(cell.backend).label
    name = notebook_path(page, backend=cell.backend).name
    return (
        f"> **This one runs under {label}:** in this page's {label} notebook, `{name}`; Keras "
        "runs one backend per process, chosen when it is imported.\n\n" + _shown(cell, code)
    )


def _shown(cell: Cell, code: str) -> str:
    shown = content.fenced(code, "python")
    if cell.output is not None:
        shown += "\n\nIt printed:\n\n" + content.fenced(cell.output, "text")
    return shown


def runs_in(cells: list[Cell], backend: str) -> set[int]:
    """The indexes of the code cells the notebook of `backend` runs: those of its snippets, and
    the cells without a stored output (definitions) of the modules they import from, at any
    depth: a JAX snippet may import a layer that a backend-neutral module defines."""
    run = {i for i, c in enumerate(cells) if c.kind == "code" and c.backend == backend}
    needed = set().union(*(cells[i].imports for i in run)) if run else set()
    while True:
        more = {
            i
            for i, c in enumerate(cells)
            if c.kind == "code" and c.module in needed and c.output is None and i not in run
        }
        if not more:
            return run
        run |= more
        needed |= set().union(*(cells[i].imports for i in more))


def backend_cell(backend: str) -> str:
    """The first code cell of another backend's notebook."""
    return (
        "import os\n\n"
        "# Keras reads its backend when it is first imported: set it before that.\n"
        f'os.environ["KERAS_BACKEND"] = "{backend}"'
    )


def build(
    page: Path,
    root: Path = project.ROOT,
    config=None,
    generated: Generated | None = None,
    backend: str = backends.DEFAULT,
) -> nbformat.NotebookNode:
    """The notebook of a page that runs the cells of `backend`; raises NotebookError naming the
    page and line.

    `generated` makes the text of generated files under snippets/ that a page may include (by
    name), so that the notebook shows the file being generated rather than the one last written.
    """
    config = config or project.site_config(root)
    cells = _Converter(page, root, config, generated).convert()
    relative = page.relative_to(root).as_posix()
    label = backends.get(backend).label
    needs = (
        "It needs TensorFlow and installs nothing"
        if backend == backends.DEFAULT
        else f"It runs the {label} cells: it needs {label} and Keras, installs nothing, and its "
        "first code cell sets the backend"
    )
    intro = (
        f"> **The notebook edition of the page.** It is generated from `{relative}` in the "
        "repository. Each code cell is a section of a file under `snippets/`, and the output "
        "stored under it is the output the tests verified. Where a snippet imports a class from "
        "another snippet file, the notebook defines that class in an earlier cell instead. "
        f"{needs}; run the cells from top to bottom."
    )
    nb_cells = []
    if backend != backends.DEFAULT:
        nb_cells.append(nbformat.v4.new_code_cell(backend_cell(backend), id="keras-backend"))
    running = runs_in(cells, backend)
    for index, cell in enumerate(cells):
        text = cell.text()
        if cell.script_only or (cell.kind == "code" and index not in running):
            shown = script_only(cell, text) if cell.script_only else other_backend(cell, text, page)
            nb_cells.append(nbformat.v4.new_markdown_cell(shown, id=cell_id(index)))
            continue
        if cell.kind == "markdown":
            text = re.sub(r"\n{3,}", "\n\n", text)
            if index == 0:  # after the title
                title, _, rest = text.partition("\n")
                if title.startswith("# "):  # the site lists every notebook by its title
                    title += (
                        " (notebook)" if backend == backends.DEFAULT else f" ({label} notebook)"
                    )
                text = f"{title}\n\n{intro}\n{rest}"
            if index == 0 and backend != backends.DEFAULT:  # the title above the backend cell
                nb_cells.insert(0, nbformat.v4.new_markdown_cell(text, id=cell_id(index)))
                continue
            nb_cells.append(nbformat.v4.new_markdown_cell(text, id=cell_id(index)))
            continue
        code = nbformat.v4.new_code_cell(text, id=cell_id(index), outputs=_outputs(cell))
        code.metadata["snippet"] = cell.source
        if cell.raises and cell.output is not None:
            code.metadata["tags"] = [RAISES_TAG]
        nb_cells.append(code)
    notebook = nbformat.v4.new_notebook(cells=nb_cells)
    notebook.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    nbformat.validate(notebook)
    return notebook


def cell_id(index: int) -> str:
    """The id of the notebook's cell made from the page's index-th cell."""
    return f"cell-{index:02d}"


def line_origins(
    page: Path, root: Path = project.ROOT, config=None, generated: Generated | None = None
) -> dict[str, list[tuple[str, int] | None]]:
    """For each code cell of the page's notebook, by its id: where each of its source lines
    comes from, ('snippets/<name>.py', line of that file), or None for a line the page adds.

    How a kernel's frames (`File ".../ipykernel_<pid>/<hash>.py", line 3`) are told in the
    terms of the snippet files (in_snippet_terms). Raises NotebookError like build().
    """
    config = config or project.site_config(root)
    cells = _Converter(page, root, config, generated).convert()
    return {
        cell_id(index): cell.source_origins()
        for index, cell in enumerate(cells)
        if cell.kind == "code" and not cell.script_only
    }


# A frame as a traceback, and TensorFlow's "defined at" lists, print it; a warning's location.
_FRAME = re.compile(r'^(?P<indent>[ \t]*)File "(?P<file>[^"]+)", line (?P<line>\d+)(?P<rest>.*)$')
_WARNING = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+): ")


def in_snippet_terms(text: str, cells: Mapping[str, list[tuple[str, int] | None]]) -> str:
    """What a kernel printed, with the places in its cells told as a script run tells them.

    cells: each cell's file name as the kernel names it (`.../ipykernel_<pid>/<hash>.py`, in the
    temporary folder) ->
    where each line of the cell comes from (line_origins). A frame or a warning in a cell
    becomes `snippets/<name>.py` and that file's line. In a list of frames that reaches a cell
    (a traceback, TensorFlow's "defined at" list), the frames before the first cell's are the
    kernel's own (runpy, ipykernel, asyncio, IPython), which a script does not have: they go.
    A line of a cell that no snippet line made (None) is left as the kernel printed it.
    """

    def place(file: str, line: str) -> tuple[str, str] | None:
        origins = cells.get(file)
        number = int(line)
        if origins is None or not 0 < number <= len(origins) or origins[number - 1] is None:
            return None
        label, at = origins[number - 1]
        return label, str(at)

    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        if not _FRAME.match(lines[index]):
            warning = _WARNING.match(lines[index])
            found = warning and place(warning["file"], warning["line"])
            if found:
                lines[index] = f"{found[0]}:{found[1]}: " + lines[index][warning.end() :]
            out.append(lines[index])
            index += 1
            continue
        # A run of frames: each frame line with the lines under it (its source, carets, the
        # blank line of TensorFlow's lists), which are blank or indented further.
        entries: list[list[str]] = []
        while index < len(lines) and (frame := _FRAME.match(lines[index])):
            entry = [lines[index]]
            index += 1
            depth = len(frame["indent"])
            while index < len(lines) and not _FRAME.match(lines[index]):
                following = lines[index]
                if following.strip() and len(following) - len(following.lstrip()) <= depth:
                    break
                entry.append(following)
                index += 1
            entries.append(entry)
        in_cells = [i for i, e in enumerate(entries) if _FRAME.match(e[0])["file"] in cells]
        for entry in entries[in_cells[0] :] if in_cells else entries:
            frame = _FRAME.match(entry[0])
            found = place(frame["file"], frame["line"])
            if found:
                entry[0] = f'{frame["indent"]}File "{found[0]}", line {found[1]}{frame["rest"]}'
            out.extend(entry)
    return "\n".join(out)


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


def stale(committed_text: str, generated_text: str, name: str) -> str | None:
    """None when the committed notebook is what the generator writes, else a diff naming cells."""
    if committed_text == generated_text:
        return None
    generated = nbformat.reads(generated_text, as_version=4)
    try:
        committed = nbformat.reads(committed_text, as_version=4)
    except Exception as err:  # noqa: BLE001 - any unreadable file is simply stale
        return f"{name}: not a readable notebook ({err})"
    problems = []
    for index in range(max(len(committed.cells), len(generated.cells))):
        old = committed.cells[index] if index < len(committed.cells) else None
        new = generated.cells[index] if index < len(generated.cells) else None
        old_text = _cell_text(old) if old is not None else ""
        new_text = _cell_text(new) if new is not None else ""
        if old_text != new_text:
            label = cell_label(generated if new is not None else committed, index)
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
    return f"{name}: out of date; run {project.command('tools.generate')}\n" + "\n".join(
        problems[:5]
    )
