"""The recipes on docs/reference/embed.md work as a reader copies them, and its check tells a
verified copy from one that is not.

Each recipe's code blocks are read twice: from the built page (what a reader of the site copies)
and from the page's Markdown (what a reader of the repository copies); they must be the same.
A throwaway project in a temporary folder then gets exactly those lines: the packages of the
recipe's install line, in a virtual environment of its own (installed with uv, at the versions
uv.lock pins), its configuration and its page. It is built strictly, and the code it shows must
be the named section of our snippet. The checkout the recipes embed from is this repository,
linked into the throwaway project; the repository's raw files and the built site are served over
HTTP on 127.0.0.1, at the addresses the page names rewritten to local ones. The check the page
gives (verify_snippets.py, downloaded as documented) then runs on the embedder's copies, and on
a copy changed by hand.
"""

import functools
import http.server
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading

import pytest
from support import html_text, soup

from tools import content, pages, project
from tools.project import ROOT

pytestmark = pytest.mark.page("docs/reference/embed.md")

PAGE = ROOT / "docs" / "reference" / "embed.md"
SNIPPET = "weight_state_layer"
CHECKOUT = "tf-variable-explainer"  # the folder name the recipes use for the checkout
CHECK = "check-that-a-copy-is-the-verified-one"


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


def recipes_in_the_repository():
    """The same, read from the page's Markdown as a reader of the repository reads it."""
    text = PAGE.read_text(encoding="utf-8")
    ids = dict(pages.heading_ids(text, project.site_config()))
    headings = [
        (node.map[0], ids[node.map[0]])
        for node in pages.walk(pages.tree(text))
        if node.type == "heading" and node.markup == "##"
    ]
    found: dict[str, list] = {anchor: [] for _, anchor in headings}
    for fence in pages.fences(text):
        above = [anchor for line, anchor in headings if line < fence.line - 1]
        if above:
            found[above[-1]].append((title_of(fence), fence.body))
    return found


def title_of(fence):
    for word in shlex.split(fence.info.strip().strip("{}")):
        key, sep, value = word.partition("=")
        if sep and key == "title":
            return value
    return None


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
    """The text of each code block of a page built by the reader's tools: highlighted or not
    (pymdown-extensions highlights only when Pygments is installed, which it does not need)."""
    return [pre.get_text().strip("\n") for pre in soup(built_html).select("pre")]


def manifest(site):
    return json.loads((site / "snippets.json").read_text(encoding="utf-8"))


def entry(site):
    return next(s for s in manifest(site)["snippets"] if s["name"] == SNIPPET)


def raw_base(site):
    """The raw-file address that the manifest derives from repo_url in mkdocs.yml."""
    found = entry(site)
    return found["raw_url"].removesuffix(found["path"]), manifest(site)["repository"]


def expected_verdict(site):
    """What the check must say of our own file: verified, once a commit holds it (a working
    tree with the snippet changed and not yet committed has none)."""
    return "verified" if entry(site)["commit"] else "never verified"


def serve(folder):
    """folder over HTTP on 127.0.0.1, as a context: its address."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served_checkout():
    """This repository, standing in for the raw-file host."""
    yield from serve(ROOT)


@pytest.fixture
def served_site(site):
    """The built site, standing in for the published one."""
    yield from serve(site)


@pytest.fixture(scope="module")
def constraints(tmp_path_factory):
    """uv.lock's versions as pip constraints: the throwaway environments get what we test with."""
    path = tmp_path_factory.mktemp("constraints") / "constraints.txt"
    uv(
        ["export", "--locked", "--no-hashes", "--all-groups", "--no-header", "--no-emit-project"]
        + ["-q", "-o", path]
    )
    return path


def uv(args):
    """Run uv (the one `uv run` names in $UV, as scripts/test runs the tests)."""
    command = os.environ.get("UV") or shutil.which("uv")
    assert command, "no uv: run the tests with `bash scripts/test`, which installs it"
    done = subprocess.run(
        [command, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr


def installed(tmp_path, install, constraints) -> str:
    """A virtual environment with the packages an install block names; its python."""
    words = shlex.split(install)
    assert words[:4] == ["python3", "-m", "pip", "install"] and len(words) > 4, install
    env = tmp_path / "env"
    uv(["venv", "-q", env])
    python = env / "bin" / "python"
    uv(["pip", "install", "-q", "--python", python, "-c", constraints, *words[4:]])
    return str(python)


def mkdocs_project(tmp_path, python, config, page):
    (tmp_path / "mkdocs.yml").write_text("site_name: Embedding test\n" + config, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Embedded\n\n" + page, encoding="utf-8")
    (tmp_path / CHECKOUT).symlink_to(ROOT, target_is_directory=True)
    built = subprocess.run(
        [python, "-m", "mkdocs", "build", "--strict", "--site-dir", "site"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert built.returncode == 0, built.stderr
    return (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def bash(script, cwd):
    """A documented command, run as a reader's shell runs it; `python` and `python3` are this
    environment's (which has TensorFlow, for the script recipe)."""
    env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(sys.executable), os.defpath]))
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def check_lines(site, served_site, tmp_path, copies=None):
    """Download the check as documented and run it, on the documented copies or on `copies`;
    every address of the site is the local one. Returns the finished command."""
    site_url = project.site_config().site_url
    commands = titled(recipe(site, CHECK), "Check").replace(site_url, served_site)
    download, run = commands.strip("\n").split("\n")
    fetched = bash(download, tmp_path)
    assert fetched.returncode == 0, fetched.stderr
    script = tmp_path / "verify_snippets.py"
    script.write_text(script.read_text(encoding="utf-8").replace(site_url, served_site))
    if copies is not None:
        run = shlex.join([*shlex.split(run)[:2], *copies])
    return bash(run, tmp_path)


def verdicts(done):
    """{copy: verdict} from the check's lines."""
    found = {}
    for line in done.stdout.splitlines():
        for verdict in ("verified", "changed since", "never verified"):
            if line.startswith(verdict + " "):
                found[line[len(verdict) :].strip().partition(": ")[0]] = verdict
    return found


def test_the_recipes_read_the_same_on_the_site_and_in_the_repository(site):
    ours, theirs = recipes(site), recipes_in_the_repository()
    assert sorted(ours) == sorted(theirs)
    for heading, blocks in ours.items():
        shown = [(title, code.strip("\n")) for title, code in blocks]
        written = [(title, code.strip("\n")) for title, code in theirs[heading]]
        # Only the stored output differs: the page includes it, its Markdown names the file.
        shown = [b for b in shown if b[0] != "Output"]
        written = [b for b in written if b[0] != "Output"]
        assert shown == written, heading


def test_the_check_reads_the_manifest_the_site_publishes():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import verify_snippets
    finally:
        sys.path.remove(str(ROOT / "docs"))
    assert verify_snippets.MANIFEST == project.site_config().site_url + "snippets.json"


def test_mkdocs_recipe_from_a_local_checkout(site, tmp_path, served_site, constraints):
    blocks = recipe(site, "mkdocs-from-a-local-checkout")
    _, repository = raw_base(site)
    assert titled(blocks, "Add the checkout") == f"git submodule add {repository} {CHECKOUT}\n"
    assert titled(blocks, "Update") == f"git submodule update --remote {CHECKOUT}\n"
    python = installed(tmp_path, titled(blocks, "Install"), constraints)

    built = mkdocs_project(
        tmp_path, python, titled(blocks, "mkdocs.yml"), titled(blocks, "docs/index.md")
    )

    assert shown_code(built) == [section("layer"), section("check"), stored_output()]
    assert content.Versions.stored().line().strip() in html_text(built)
    # The check, as documented, on the checkout's copies.
    done = check_lines(site, served_site, tmp_path)
    copies = [f"{CHECKOUT}/snippets/{SNIPPET}.py", f"{CHECKOUT}/snippets/{SNIPPET}.out"]
    verdict = expected_verdict(site)
    assert verdicts(done) == dict.fromkeys(copies, verdict), done.stdout + done.stderr
    assert done.returncode == (0 if verdict == "verified" else 1)


def test_a_copy_changed_by_hand_was_never_verified(site, tmp_path, served_site):
    changed = tmp_path / "mine" / f"{SNIPPET}.py"
    changed.parent.mkdir()
    changed.write_bytes((ROOT / "snippets" / f"{SNIPPET}.py").read_bytes() + b"# mine\n")
    unreadable = tmp_path / "mine" / "missing.py"

    done = check_lines(site, served_site, tmp_path, [str(changed), str(unreadable)])

    assert verdicts(done) == {str(changed): "never verified"}, done.stdout
    assert f"is not that of any version of snippets/{SNIPPET}.py we verified" in done.stdout
    assert f"cannot read {unreadable}" in done.stderr
    assert done.returncode == 2


def test_mkdocs_recipe_from_the_raw_file_url(
    site, tmp_path, served_checkout, served_site, constraints
):
    blocks = recipe(site, "mkdocs-from-the-raw-file-url")
    base, _ = raw_base(site)
    page = titled(blocks, "docs/index.md")
    assert base in page, f"the recipe's URL does not start with {base}, derived from repo_url"
    python = installed(tmp_path, titled(blocks, "Install"), constraints)

    built = mkdocs_project(
        tmp_path, python, titled(blocks, "mkdocs.yml"), page.replace(base, served_checkout)
    )

    assert shown_code(built) == [section("layer")]
    # The check on the URL the page downloads, without the section's name.
    [line] = [line for line in page.splitlines() if "--8<--" in line]
    url = content.parse_include(line.replace(base, served_checkout))[0]
    done = check_lines(site, served_site, tmp_path, [url])
    assert verdicts(done) == {url: expected_verdict(site)}, done.stdout + done.stderr


def test_sphinx_recipe(site, tmp_path, constraints):
    blocks = recipe(site, "sphinx-with-literalinclude")
    python = installed(tmp_path, titled(blocks, "Install"), constraints)
    # The recipe tells the reader to exclude the checkout; a minimal conf.py does just that.
    (tmp_path / "conf.py").write_text(
        f"project = 'Embedding test'\nexclude_patterns = [{CHECKOUT!r}, '_build', 'env']\n",
        encoding="utf-8",
    )
    rst = titled(blocks, "index.rst")
    (tmp_path / "index.rst").write_text("Embedded\n========\n\n" + rst, encoding="utf-8")
    (tmp_path / CHECKOUT).symlink_to(ROOT, target_is_directory=True)

    built = subprocess.run(
        [python, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", ".", "_build"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert built.returncode == 0, built.stdout + built.stderr
    page = (tmp_path / "_build" / "index.html").read_text(encoding="utf-8")
    assert shown_code(page) == [section("layer"), section("check"), stored_output()]


def test_script_recipe_prints_the_stored_output(site, tmp_path, served_checkout):
    blocks = recipe(site, "a-notebook-or-a-script")
    script = titled(blocks, "Download and run")
    assert titled(blocks, "Output").strip("\n") == stored_output()
    base, _ = raw_base(site)
    assert base in script, f"the recipe's URL does not start with {base}, derived from repo_url"

    ran = bash(script.replace(base, served_checkout), tmp_path)

    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / f"{SNIPPET}.py").read_bytes() == (
        ROOT / "snippets" / f"{SNIPPET}.py"
    ).read_bytes()
    assert ran.stdout.strip("\n") == stored_output()
