"""The strict build: what it shows, what it refuses, and that it needs no TensorFlow."""

import re
import shutil
from urllib.parse import unquote, urlsplit

import pytest
from support import (
    build_site,
    built_page,
    copy_repository,
    html_text,
    located,
    soup,
    write_snippet,
)

from tools import content, pages
from tools.project import ROOT, site_config, site_path

PAGES = pages.all_pages()


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_page_still_has_parts_to_write(page):
    left = pages.placeholders(page)
    assert not left, "still to write (the scaffold's boxes and texts):\n" + "\n".join(left)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_front_matter_is_yaml(page):
    assert pages.front_matter_problems(page) == []


@pytest.mark.parametrize(
    "front, expected",
    [
        ("title: [oops\n", "docs/broken.md:2: the front matter is not YAML"),
        ("description: fine\n- a list item\n", "docs/broken.md:3: the front matter is not YAML"),
        ("- a\n- b\n", "docs/broken.md:2: the front matter must be `key: value` lines, not list"),
    ],
)
def test_front_matter_that_is_not_yaml_is_named_with_its_line(tmp_path, front, expected):
    page = tmp_path / "docs" / "broken.md"
    page.parent.mkdir()
    page.write_text(f"---\n{front}---\n\n# Broken\n", encoding="utf-8")
    found = pages.front_matter_problems(page, root=tmp_path)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_every_shown_snippet_shows_its_stored_output():
    for page in PAGES:
        found = content.includes(page)
        missing = {i.stem for i in found if i.suffix == "py"} - {
            i.stem for i in found if i.suffix == "out"
        }
        lines = {i.stem: i.line for i in found if i.suffix == "py"}
        assert not missing, "\n".join(
            f"{page.relative_to(ROOT)}:{lines[name]}: shows {name}.py without its output; under "
            f'its code block add ```text title="Output", then --8<-- "{name}.out"'
            for name in sorted(missing)
        )


def test_the_scaffold_template_is_all_parts_to_write():
    found = pages.placeholders(ROOT / "tools" / "templates" / "page.md.tmpl")
    assert len(found) > 10, found


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
    home = (docs / "index.md").read_text(encoding="utf-8")
    linked = {href.partition("#")[0] for href in pages.link_targets(home)}
    expected = {p.relative_to(docs).as_posix() for p in PAGES if p != docs / "index.md"}
    expected |= {p.relative_to(docs).as_posix() for p in (docs / "notebook").glob("*.ipynb")}
    missing = sorted(expected - linked)
    headings = [n for n in pages.walk(pages.tree(home)) if n.type == "heading"]
    under = next((n for n in headings if pages.heading_text(n)[0] == "The pages"), None)
    where = f"docs/index.md:{under.map[0] + 1}" if under else "docs/index.md"
    lines = []
    for path in missing:
        page = docs / path.replace(".ipynb", ".md").removeprefix("notebook/")
        title = (pages.title(page.read_text("utf-8")) if page.exists() else None) or path
        edition = " (notebook)" if path.endswith(".ipynb") else ""
        lines.append(f"  - [{title}{edition}]({path})" + ("" if edition else ": <one line>"))
    assert not missing, (
        "docs/index.md: list every page with a one-line summary, and every notebook edition; "
        f"add under 'The pages' ({where}):\n" + "\n".join(lines)
    )


def test_navigation_names_the_site_once(site):
    name = site_config().site_name
    nav = soup(built_page(site, ROOT / "docs" / "index.md")).select_one("nav.md-nav--primary")
    shown = [" ".join(item.get_text().split()) for item in nav.select(".md-nav__title, a")]
    assert shown.count(name) == 1, shown
    assert "Home" in shown


def test_navigation_lists_the_pages_in_the_order_the_home_page_does(site):
    # The explainer, which the home page calls the place to start, comes first; each folder's
    # pages follow the home page's links (overrides/hooks/page_order.py).
    home = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    linked = []
    for href in pages.link_targets(home):
        path = href.partition("#")[0]
        if path.endswith((".md", ".ipynb")) and path not in linked:
            linked.append(path)
    addresses = [p.rpartition(".")[0] + "/" for p in linked]
    nav = soup(built_page(site, ROOT / "docs" / "index.md")).select_one("nav.md-nav--primary")
    shown = [a["href"] for a in nav.select("a[href]") if a["href"].endswith("/")]
    assert shown[0] == "tensor-vs-variable/", shown
    for folder in {a.rpartition("/")[0].rpartition("/")[0] for a in shown}:
        in_folder = [a for a in shown if a.rpartition("/")[0].rpartition("/")[0] == folder]
        listed = [a for a in addresses if a in in_folder]
        # A page the home page does not list (yet) comes after those it lists.
        assert in_folder[: len(listed)] == listed, folder


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


@pytest.mark.machinery
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


def broken_links(site):
    """Every internal link of every built HTML page whose file or anchor does not exist."""
    ids: dict = {}

    def ids_of(file):
        if file not in ids:
            ids[file] = {e["id"] for e in soup(file.read_text(encoding="utf-8")).find_all(id=True)}
        return ids[file]

    prefix = site_path(site_config())  # 404.html links from the site's root
    broken = []
    for page in sorted(site.rglob("*.html")):
        for link in soup(page.read_text(encoding="utf-8")).find_all("a", href=True):
            href = link["href"]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue  # another site: not ours to check here
            path = unquote(parts.path)
            if path.startswith("/"):
                path = str(site / path.removeprefix(prefix)) if path.startswith(prefix) else "/"
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}: {href}"
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in ids_of(target):
                    broken.append(f"{where} (no such anchor)")
    return broken


def test_every_internal_link_and_anchor_of_every_built_page_resolves(site):
    assert broken_links(site) == []


@pytest.mark.machinery
def test_a_broken_link_or_anchor_in_built_html_is_found(site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page = copy / "index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "</body>",
            '<a href="#nowhere">a</a><a href="tensor-vs-variable/#nope">b</a>'
            '<a href="no-such-page/">c</a></body>',
        ),
        encoding="utf-8",
    )
    assert broken_links(copy) == [
        "index.html: #nowhere (no such anchor)",
        "index.html: tensor-vs-variable/#nope (no such anchor)",
        "index.html: no-such-page/ (no such file)",
    ]


@pytest.mark.machinery
def test_properdocs_builds_the_same_site(site, tmp_path):
    built = build_site(ROOT, tmp_path / "site", builder="properdocs")
    assert built.returncode == 0, built.stderr
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*") if p.is_file()
    )
    differ = []
    for name in files:
        ours, theirs = (site / name).read_bytes(), (tmp_path / "site" / name).read_bytes()
        if name.suffix == ".html":  # the generator names itself in a meta tag
            ours, theirs = (
                b"".join(
                    line
                    for line in page.splitlines(keepends=True)
                    if b'name="generator"' not in line
                )
                for page in (ours, theirs)
            )
        if ours != theirs:
            differ.append(str(name))
    assert differ == []


@pytest.fixture
def project(tmp_path):
    """A copy of the repository to break on purpose."""
    return copy_repository(tmp_path / "repo")


def add_page(project, text):
    (project / "docs" / "broken.md").write_text(text, encoding="utf-8")


NASTY = (
    "```\n## not a heading\n```\n"
    '--8<-- "verified-with.txt"\n'
    "<b>bold?</b> &amp; \x1b[?25l\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\\n"
    "back\bspace, carriage\rreturn, a\ttab\n"
)


@pytest.mark.machinery
def test_a_stored_output_is_shown_as_its_bytes_whatever_they_are(project, tmp_path):
    write_snippet(project, "nasty_output", "# --8<-- [start:demo]\nprint()\n# --8<-- [end:demo]\n")
    (project / "snippets" / "nasty_output.out").write_bytes(NASTY.encode())
    add_page(
        project,
        "# Nasty\n\n"
        '```{.python notest title="snippets/nasty_output.py"}\n'
        '--8<-- "nasty_output.py:demo"\n```\n\n'
        '```text title="Output"\n--8<-- "nasty_output.out"\n```\n\n'
        '=== "In a tab"\n\n    ```text title="Output"\n    --8<-- "nasty_output.out"\n    ```\n',
    )
    built = build_site(project, tmp_path / "out")
    assert built.returncode == 0, built.stderr
    page = soup((tmp_path / "out" / "broken" / "index.html").read_text(encoding="utf-8"))
    shown = [b.pre.get_text() for b in page.select("div.highlight") if b.select_one(".filename")]
    assert shown[1:] == [content.visible(NASTY)] * 2, shown
    assert "␛[?25l" in shown[1] and "back␈space, carriage␍return, a\ttab" in shown[1]
    assert page.find("h2") is None  # the output's "## " line stayed text
    assert content.Versions.stored().line().strip() not in page.get_text()


@pytest.mark.machinery
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
    # The tests' report adds the page's file and line of what the build blames.
    assert "\ndocs/broken.md:" in located(built.stderr, project), located(built.stderr, project)


# Speed: code heights and notebook pages --------------------------------------------------------


@pytest.mark.machinery
def test_code_heights_mark_each_code_block_and_nothing_else():
    from tools.code_heights import mark

    html = (
        '<div class="highlight"><pre><span></span><code>a = 1\n&lt;b&gt;\n</code></pre></div>'
        "<p>text <code>inline</code></p>"
        "<pre>one\ntwo</pre>"
        '<pre><code style="color: red">kept\n</code></pre>'
    )
    marked = mark(html)
    assert marked == html.replace("<code>a", '<code style="--md-lines: 2">a').replace(
        "<pre>one", '<pre style="--md-lines: 2">one'
    )
    assert mark(marked) == marked


def test_every_code_block_of_every_built_page_is_marked(site):
    unmarked = [
        f"{page.relative_to(site)}: {block.get_text()[:40]!r}"
        for page in site.rglob("*.html")
        for pre in soup(page.read_text(encoding="utf-8")).find_all("pre")
        for block in [pre.find("code", recursive=False) or pre]
        if block.get_text() and "--md-lines" not in (block.get("style") or "")
    ]
    assert unmarked == []


def test_notebook_pages_load_no_jupyterlab_stylesheet_and_no_loaders(site):
    notebooks = list((site / "notebook").rglob("index.html"))
    assert notebooks
    for page in notebooks:
        document = soup(page.read_text(encoding="utf-8"))
        assert document.find("style") is None, page
        assert document.find("script", type="module") is None, page
        assert document.find("script", src="") is None, page
        assert document.find("clipboard-copy") is not None, page  # the copy buttons stay


def test_search_indexes_no_notebook_page(site):
    import json

    entries = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    assert entries
    assert [e["location"] for e in entries if e["location"].startswith("notebook/")] == []


def test_search_leaves_out_the_compatibility_pages_outputs_only(site):
    """The compatibility page's copies of every output are left out of the search index (every
    page fetches and parses the index as it starts); its prose stays searchable, and so does each
    output on the page that shows it."""
    import html
    import json

    entries = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    compat = " ".join(
        html.unescape(e["text"])
        for e in entries
        if e["location"].startswith("reference/compatibility/")
    )
    elsewhere = " ".join(
        html.unescape(e["text"])
        for e in entries
        if not e["location"].startswith("reference/compatibility/")
    )
    assert "the Keras 2 line" in compat  # the page's prose is still found
    lines = {
        line.strip()
        for snippet in content.snippets()
        for line in (snippet.stored_output() or "").splitlines()
        if len(line.strip()) >= 30
    }
    assert lines
    assert sorted(line for line in lines if line in compat) == []
    assert sorted(line for line in lines if line not in elsewhere) == []
