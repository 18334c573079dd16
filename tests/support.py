"""Helpers shared by the tests: projects to break on purpose, site builds, built HTML read with a
parser. Fixtures live in conftest.py; everything here is a plain function.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from bs4 import BeautifulSoup

from tools.project import ROOT


def copy_repository(target: Path) -> Path:
    """A copy of the repository as a fresh clone has it: no environments, caches or output."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", ".venvs", ".cache", "site", "test-artifacts", "node_modules",
        "__pycache__", ".pytest_cache", ".ruff_cache",
    )  # fmt: skip
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


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
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )


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
