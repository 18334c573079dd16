"""The strict build: what it shows, what it refuses, and that it needs no TensorFlow."""

import re
from urllib.parse import urlsplit

import pytest
from support import build_site, built_page, copy_repository, html_text, soup

from tools import content, pages
from tools.project import ROOT, site_config

PAGES = pages.all_pages()


def test_every_shown_snippet_shows_its_stored_output():
    for page in PAGES:
        found = content.includes(page)
        missing = {i.stem for i in found if i.suffix == "py"} - {
            i.stem for i in found if i.suffix == "out"
        }
        assert not missing, (
            f"{page.relative_to(ROOT)} shows snippets without their output: {missing}"
        )


def unwritten_boxes(text: str) -> list[str]:
    """The scaffold's "To write" boxes and placeholders a page still has, by line."""
    found = []
    for node in pages.walk(pages.tree(text)):
        todo = node.type == "admonition" and node.meta.get("tag") == "todo"
        placeholder = node.type == "inline" and "To write" in node.content
        if todo or placeholder:
            found.append(f"line {node.map[0] + 1}: {node.content.splitlines()[0][:60]!r}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_page_keeps_a_to_write_box(page):
    assert unwritten_boxes(page.read_text(encoding="utf-8")) == [], (
        f"{page.relative_to(ROOT)} still has the scaffold's boxes; fill them in (CONTRIBUTING.md)"
    )


def test_the_scaffold_template_is_all_boxes():
    template = (ROOT / "tools" / "templates" / "page.md.tmpl").read_text(encoding="utf-8")
    assert len(unwritten_boxes(template)) > 10


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_built_page_contains_each_stored_output_verbatim(site, page):
    plain = html_text(built_page(site, page))
    for include in content.includes(page):
        if include.suffix != "out":
            continue
        stored = content.Snippet(ROOT / "snippets" / f"{include.stem}.py").stored_output()
        for line in stored.splitlines():
            assert line.strip() in plain, f"{page.name}: line of {include.file} not shown: {line!r}"


def test_built_pages_show_the_verified_versions(site):
    versions = content.Versions.installed().line().strip()
    assert versions in html_text(built_page(site, ROOT / "docs" / "index.md"))


def test_home_page_lists_every_page():
    docs = ROOT / "docs"
    linked = {
        href.partition("#")[0] for href in pages.link_targets((docs / "index.md").read_text())
    }
    expected = {p.relative_to(docs).as_posix() for p in PAGES if p != docs / "index.md"}
    expected |= {p.relative_to(docs).as_posix() for p in (docs / "notebook").glob("*.ipynb")}
    assert expected - linked == set(), "docs/index.md: list every page with a one-line summary"


def test_navigation_names_the_site_once(site):
    name = site_config().site_name
    nav = soup(built_page(site, ROOT / "docs" / "index.md")).select_one("nav.md-nav--primary")
    shown = [" ".join(item.get_text().split()) for item in nav.select(".md-nav__title, a")]
    assert shown.count(name) == 1, shown
    assert "Home" in shown


# CSS is not HTML: its two ways to fetch, url(...) and @import, are plain tokens.
CSS_FETCH = re.compile(r"""url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)""")


def requested_urls(file):
    """Every address a built HTML page or stylesheet makes the browser fetch."""
    text = file.read_text(encoding="utf-8", errors="replace")
    if file.suffix == ".css":
        return [a or b for a, b in CSS_FETCH.findall(text)]
    document = soup(text)
    found = [
        tag["src"]
        for tag in document.find_all(["script", "img", "iframe", "source", "audio", "video"])
        if tag.get("src")
    ]
    for link in document.find_all("link", href=True):
        if not {"canonical", "alternate"} & set(link.get("rel") or []):  # links, not requests
            found.append(link["href"])
    for styled in document.find_all(style=True):
        found += [a or b for a, b in CSS_FETCH.findall(styled["style"])]
    return found


def test_requested_urls_are_found(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<link rel="stylesheet" href="//fonts.example/a.css"><link rel="canonical" href="https://x/">'
        '<img src="https://example.com/p.png"><div style="background: url(\'https://e.x/b.png\')">'
    )
    css = tmp_path / "s.css"
    css.write_text('@import "https://e.x/c.css"; a { background: url(/local.png) }')
    assert requested_urls(page) == [
        "https://example.com/p.png",
        "//fonts.example/a.css",
        "https://e.x/b.png",
    ]
    assert requested_urls(css) == ["https://e.x/c.css", "/local.png"]


def test_built_pages_load_nothing_from_another_host(site):
    offenders = [
        f"{file.relative_to(site)}: {url}"
        for file in [*site.rglob("*.html"), *site.rglob("*.css")]
        for url in requested_urls(file)
        if urlsplit(url).netloc
    ]
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
