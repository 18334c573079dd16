"""The recipes on docs/reference/embed.md work as a reader copies them from the built page.

Each test takes the code blocks of one recipe from the built page (what a reader sees and copies),
puts them into a throwaway project in a temporary folder, builds it strictly, and checks that the
embedded code is exactly the named section of our snippet. The checkout they embed from is this
repository, linked into the throwaway project; the raw-URL recipes are served from it over HTTP
on this machine, at the address the page names rewritten to a local one.
"""

import functools
import http.server
import json
import os
import subprocess
import sys
import threading

import pytest
from support import build_site, code_blocks, html_text, soup

from tools import content
from tools.project import ROOT

SNIPPET = "weight_state_layer"
CHECKOUT = "tf-variable-explainer"  # the folder name the recipes use for the checkout


def recipes(site):
    """{h2 id: [(title, code), ...]} from the built embed page, in the order a reader sees."""
    page = (site / "reference" / "embed" / "index.html").read_text(encoding="utf-8")
    found: dict[str, list] = {}
    heading = None
    for element in soup(page).select("article h2[id], article div.highlight"):
        if element.name == "h2":
            heading = found.setdefault(element["id"], [])
        elif heading is not None:
            title = element.select_one(".filename")
            heading.append((title.get_text() if title else None, element.pre.get_text()))
    return found


def recipe(site, heading):
    found = recipes(site)
    assert heading in found, (
        f"docs/reference/embed.md has no section #{heading}; it has {sorted(found)}"
    )
    return found[heading]


def titled(blocks, title):
    codes = [code for t, code in blocks if t == title]
    assert len(codes) == 1, f"expected one code block titled {title!r}, found {len(codes)}"
    return codes[0]


def section(name):
    """The section as our own page shows it: the lines between its markers, dedented."""
    return content.Snippet(ROOT / "snippets" / f"{SNIPPET}.py").section_text(name)


def stored_output():
    return content.Snippet(ROOT / "snippets" / f"{SNIPPET}.py").stored_output().strip("\n")


def shown_code(built_html):
    return [code.strip("\n") for _, code in code_blocks(built_html)]


def raw_base(site):
    """The raw-file address that the manifest derives from repo_url in mkdocs.yml."""
    manifest = json.loads((site / "snippets.json").read_text(encoding="utf-8"))
    entry = next(s for s in manifest["snippets"] if s["name"] == SNIPPET)
    return entry["raw_url"].removesuffix(entry["path"]), manifest["repository"]


@pytest.fixture
def served_checkout():
    """This repository over HTTP on 127.0.0.1, standing in for the raw-file host."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(ROOT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def mkdocs_project(tmp_path, config, page):
    (tmp_path / "mkdocs.yml").write_text("site_name: Embedding test\n" + config, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Embedded\n\n" + page, encoding="utf-8")
    (tmp_path / CHECKOUT).symlink_to(ROOT, target_is_directory=True)
    built = build_site(tmp_path, tmp_path / "site")
    assert built.returncode == 0, built.stderr
    return (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_mkdocs_recipe_from_a_local_checkout(site, tmp_path):
    blocks = recipe(site, "mkdocs-from-a-local-checkout")
    _, repository = raw_base(site)
    commands = [code for title, code in blocks if title is None]
    assert commands == [f"git submodule add {repository} {CHECKOUT}\n"]

    built = mkdocs_project(tmp_path, titled(blocks, "mkdocs.yml"), titled(blocks, "docs/index.md"))

    assert shown_code(built) == [section("layer"), section("check"), stored_output()]
    assert content.Versions.stored().line().strip() in html_text(built)


def test_mkdocs_recipe_from_the_raw_file_url(site, tmp_path, served_checkout):
    blocks = recipe(site, "mkdocs-from-the-raw-file-url")
    base, _ = raw_base(site)
    page = titled(blocks, "docs/index.md")
    assert base in page, f"the recipe's URL does not start with {base}, derived from repo_url"

    built = mkdocs_project(
        tmp_path, titled(blocks, "mkdocs.yml"), page.replace(base, served_checkout)
    )

    assert shown_code(built) == [section("layer")]


def test_sphinx_recipe(site, tmp_path):
    rst = titled(recipe(site, "sphinx-with-literalinclude"), "index.rst")
    # The recipe tells the reader to exclude the checkout; a minimal conf.py does just that.
    (tmp_path / "conf.py").write_text(
        f"project = 'Embedding test'\nexclude_patterns = [{CHECKOUT!r}, '_build']\n",
        encoding="utf-8",
    )
    (tmp_path / "index.rst").write_text("Embedded\n========\n\n" + rst, encoding="utf-8")
    (tmp_path / CHECKOUT).symlink_to(ROOT, target_is_directory=True)

    built = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", ".", "_build"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert built.returncode == 0, built.stdout + built.stderr
    page = (tmp_path / "_build" / "index.html").read_text(encoding="utf-8")
    assert shown_code(page) == [section("layer"), section("check"), stored_output()]


def test_script_recipe_prints_the_stored_output(site, tmp_path, served_checkout):
    blocks = recipe(site, "a-notebook-or-a-script")
    script = titled(blocks, None)
    assert titled(blocks, "Output").strip("\n") == stored_output()
    base, _ = raw_base(site)
    assert base in script, f"the recipe's URL does not start with {base}, derived from repo_url"

    env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(sys.executable), os.defpath]))
    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.replace(base, served_checkout)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )

    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / f"{SNIPPET}.py").read_bytes() == (
        ROOT / "snippets" / f"{SNIPPET}.py"
    ).read_bytes()
    assert ran.stdout.strip("\n") == stored_output()
