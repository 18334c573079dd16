"""Helpers shared by the tests: projects to break on purpose, site builds, built HTML read with a
parser. Fixtures live in conftest.py; everything here is a plain function.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from bs4 import BeautifulSoup

from tools import content, notebook, pages
from tools.project import ROOT


@dataclasses.dataclass(frozen=True)
class Scope:
    """What checking some pages must cover (`pytest --page docs/<page>.md`, scripts/test-page).

    The snippets a page shows, and every snippet that imports one of them, directly or not: the
    snippets whose output a change to the page's snippets can change; every page that shows one
    of these (its notebook runs them, its build shows them); and the home page, which lists every
    page. Other snippets are taken to be as they were: a change to a snippet that another page
    shows is checked with that page (`--page` may be given more than once).

    A test that reads nothing of the pages or snippets (marked `machinery`) is outside every
    scope; so is a test parametrized with a page or snippet outside this one, or marked with a
    page (`page("docs/...")`) outside it.
    """

    pages: frozenset[Path]  # docs/<page>.md, absolute
    snippets: frozenset[str]  # names

    @classmethod
    def of(cls, chosen: list[Path], root: Path = ROOT) -> Scope:
        found = {s.name: s for s in content.snippets(root)}
        names = {i.stem for page in chosen for i in content.includes(page) if i.stem in found}
        imports = {name: snippet.imports() for name, snippet in found.items()}
        grown = None
        while grown != names:  # what imports them, and what imports those
            grown = set(names)
            names |= {name for name, used in imports.items() if used & grown}
        shown = {
            page
            for page in pages.all_pages(root)
            if {i.stem for i in content.includes(page)} & names
        }
        home = project_docs(root) / "index.md"
        return cls(frozenset({*chosen, *shown, home}), frozenset(names))

    def files(self, root: Path = ROOT) -> set[Path]:
        """The pages, and their notebook editions."""
        return {*self.pages, *(notebook.notebook_path(p, root) for p in self.pages)}

    def covers(self, item) -> bool:
        """Whether a collected test can fail because of something in this scope."""
        if item.get_closest_marker("machinery"):
            return False
        about = item.get_closest_marker("page")
        if about is not None:
            return (ROOT / about.args[0]).resolve() in self.files()
        path = Path(str(item.path))
        if path.suffix == ".md":  # a Python block of a page, run by pytest-markdown-docs
            return path.resolve() in self.pages or project_docs() not in path.resolve().parents
        params = getattr(getattr(item, "callspec", None), "params", {}).values()
        # A parameter may be a tuple of them (a page and the backend of its notebook).
        values = [v for param in params for v in (param if isinstance(param, tuple) else [param])]
        for value in values:
            if isinstance(value, content.Snippet) and value.name not in self.snippets:
                return False
            if isinstance(value, Path) and project_docs() in value.resolve().parents:
                if value.suffix in (".md", ".ipynb") and value.resolve() not in self.files():
                    return False
        return True


def project_docs(root: Path = ROOT) -> Path:
    return (root / "docs").resolve()


def copy_repository(target: Path) -> Path:
    """A copy of the repository as a fresh clone has it: no environments, caches or output."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", ".venvs", ".cache", "site", "test-artifacts", "node_modules",
        "__pycache__", ".pytest_cache", ".ruff_cache",
    )  # fmt: skip
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def recorded_as_run(project: Path, *names: str) -> None:
    """Record the stored outputs of these snippets of a test project as `refresh` records an
    output it stored (snippets/verified.sha256): for a test that stands in for a run."""
    content.record([content.Snippet(project / "snippets" / f"{n}.py") for n in names], project)


def write_snippet(project: Path, name: str, code: str, output: str | None = None) -> Path:
    """snippets/<name>.py of a test project (code dedented) and, if given, its stored output."""
    path = project / "snippets" / f"{name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    if output is not None:
        path.with_suffix(".out").write_bytes(output.encode("utf-8"))
    return path


def site_packages(folder: Path, *distributions: str) -> str:
    """folder laid out as an installer leaves site-packages: a metadata folder per distribution,
    each given as `<name>-<version>` (`tf_nightly-2.23.0.dev1`); returns it as a sys.path entry."""
    for distribution in distributions:
        (folder / f"{distribution}.dist-info").mkdir(parents=True)
    return str(folder)


BUILD_DATE = os.environ.get("SOURCE_DATE_EPOCH") or str(int(time.time()))


def build_site(
    project: Path, site_dir: Path, builder: str = "mkdocs"
) -> subprocess.CompletedProcess:
    """`<builder> build --strict` of a project folder, with TensorFlow made unimportable.

    builder: "mkdocs", or "properdocs", the maintained fork, which reads the same mkdocs.yml.
    """
    code = (
        "import sys\n"
        "sys.modules['tensorflow'] = sys.modules['keras'] = None\n"
        f"from {builder}.__main__ import cli\n"
        f"cli(['build', '--strict', '-f', 'mkdocs.yml', '--site-dir', {str(site_dir)!r}])\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        capture_output=True,
        text=True,
        env={
            "NO_MKDOCS_2_WARNING": "1",
            "PATH": "/usr/bin:/bin",
            # One build date for every build of a test run (the sitemap's dates): two builds on
            # either side of midnight are otherwise different sites.
            "SOURCE_DATE_EPOCH": BUILD_DATE,
        },
    )


def located(stderr: str, root: Path = ROOT) -> str:
    """A build's messages, followed by the file and line of each link or include they blame.

    MkDocs names a page and the link it cannot follow; pymdownx.snippets names the section or
    file it cannot find, not the page. Each gets a line `docs/<page>.md:<line>: ...`.
    """
    docs = root / "docs"
    found = []
    for message in stderr.splitlines():
        _, doc, rest = message.partition("Doc file '")
        if doc:
            page, _, rest = rest.partition("' contains a link '")
            target = rest.partition("'")[0]
            path = docs / page
            if path.is_file():
                for number, href in pages.links(path.read_text(encoding="utf-8")):
                    if href == target:
                        found.append(f"docs/{page}:{number}: the link {target!r}: fix it")
        for missing, kind in (("Snippet section '", "section"), ("Snippet at path '", "file")):
            _, hit, rest = message.partition(missing)
            if not hit:
                continue
            name = rest.partition("'")[0]
            for path in pages.all_pages(root):
                for include in content.includes(path):
                    if (include.section if kind == "section" else include.file) == name:
                        where = path.relative_to(root).as_posix()
                        found.append(
                            f"{where}:{include.line}: includes {include.file}:{include.section}, "
                            f"whose {kind} does not exist (`# --8<-- [start:NAME]` markers name "
                            "a snippet's sections)"
                            if kind == "section"
                            else f"{where}:{include.line}: includes {name}, which does not exist"
                        )
    return stderr + "".join(f"\n{line}" for line in dict.fromkeys(found))


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def html_text(html: str) -> str:
    """The text a reader sees in a built page (tags removed, entities decoded)."""
    return soup(html).get_text()


def built_page(site: Path, page: Path) -> str:
    """The HTML built from docs/<page>.md (or its notebook)."""
    relative = page.relative_to(ROOT / "docs").with_suffix("")
    folder = site if relative.name == "index" else site / relative
    return (folder / "index.html").read_text(encoding="utf-8")


def links(html: str) -> dict[str, str]:
    """{link text: href} of every link of a page."""
    return {" ".join(a.get_text().split()): a["href"] for a in soup(html).find_all("a", href=True)}


def code_blocks(html: str) -> list[tuple[str | None, str]]:
    """(title, code) of each highlighted code block, in order, as a reader copies the code."""
    found = []
    for block in soup(html).select("div.highlight"):
        title = block.select_one(".filename")
        found.append((title.get_text() if title else None, block.pre.get_text()))
    return found
