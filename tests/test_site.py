"""The strict build: what it shows, what it refuses, and that it needs no TensorFlow."""

import html
import re

import pytest
from conftest import ROOT, build_site, copy_repository

from tools import snippets

PAGES = sorted((ROOT / "docs").rglob("*.md"))


def included(page, suffix):
    return re.findall(r'--8<-- "([\w.-]+\.' + suffix + ")", page.read_text(encoding="utf-8"))


def built_page(site, page):
    relative = page.relative_to(ROOT / "docs").with_suffix("")
    folder = site if relative.name == "index" else site / relative
    return (folder / "index.html").read_text(encoding="utf-8")


def stems(names):
    return {name.rsplit(".", 1)[0] for name in names}


def test_every_shown_snippet_shows_its_stored_output():
    for page in PAGES:
        missing = stems(included(page, "py")) - stems(included(page, "out"))
        assert not missing, (
            f"{page.relative_to(ROOT)} shows snippets without their output: {missing}"
        )


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_built_page_contains_each_stored_output_verbatim(site, page):
    text = built_page(site, page)
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    for name in included(page, "out"):
        stored = (ROOT / "snippets" / name).read_text(encoding="utf-8")
        for line in stored.splitlines():
            assert line.strip() in plain, f"{page.name}: line of {name} not shown: {line!r}"


def test_built_pages_show_the_verified_versions(site):
    versions = snippets.versions().strip()
    assert versions in html.unescape(built_page(site, ROOT / "docs" / "index.md"))


def test_built_pages_load_nothing_from_another_host(site):
    loaders = re.compile(
        r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["']([^"']+)"""
        r"""|<link\b[^>]*\bhref=["']([^"']+)["'][^>]*>"""
        r"""|url\(["']?([^"')]+)"""
        r"""|@import\s+["']([^"']+)"""
    )
    offenders = []
    for file in [*site.rglob("*.html"), *site.rglob("*.css")]:
        for match in loaders.finditer(file.read_text(encoding="utf-8", errors="replace")):
            url = next(g for g in match.groups() if g)
            tag = match.group(0)
            if tag.startswith("<link") and re.search(r'rel=["\']?(canonical|alternate)', tag):
                continue  # links, not requests
            if re.match(r"(https?:)?//", url):
                offenders.append(f"{file.relative_to(site)}: {url}")
    assert offenders == []


@pytest.fixture
def project(tmp_path):
    """A copy of the repository to break on purpose."""
    return copy_repository(tmp_path / "repo")


def add_page(project, text):
    (project / "docs" / "broken.md").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ('```python\n--8<-- "variable_state_layer.py:nope"\n```\n', "nope"),
        ('```python\n--8<-- "no_such_snippet.py:demo"\n```\n', "no_such_snippet.py"),
        ("[a link](no-such-page.md)\n", "no-such-page.md"),
        ("[an anchor](tensor-vs-variable.md#no-such-heading)\n", "no-such-heading"),
    ],
    ids=["missing-section", "missing-file", "broken-link", "broken-anchor"],
)
def test_strict_build_fails_naming_the_problem(project, tmp_path, page, expected):
    add_page(project, "# Broken\n\n" + page)
    built = build_site(project, tmp_path / "out")
    assert built.returncode != 0
    assert expected in built.stderr
    assert "broken.md" in built.stderr or "docs/broken" in built.stderr, built.stderr
