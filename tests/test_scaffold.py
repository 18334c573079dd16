"""`python -m tools.scaffold` makes a page that builds and passes the checks, as generated.

The scaffold runs, as CONTRIBUTING.md tells a contributor, inside a temporary copy of the
repository; then the strict build, the snippet checks and the page tests run on that copy.
"""

import itertools
import subprocess
import sys

import pytest
import yaml
from support import build_site, copy_repository, links

from tools import content, pages, scaffold
from tools.project import ROOT

# The scaffold, run in a copy of the repository: a tool, whatever the pages say.
pytestmark = pytest.mark.machinery


def free_slug(stem: str) -> str:
    """stem, or stem-2, stem-3...: the first whose page and snippet no one has written yet (a
    contributor may well have taken the example of CONTRIBUTING.md)."""
    for number in itertools.count(1):
        slug = stem if number == 1 else f"{stem}-{number}"
        name = slug.replace("-", "_")
        if (
            not (ROOT / "docs" / f"{slug}.md").exists()
            and not (ROOT / "snippets" / f"{name}.py").exists()
        ):
            return slug
    raise AssertionError("unreachable")


SLUG = free_slug("gradient-tape")
NAME = SLUG.replace("-", "_")
TITLE = "Why GradientTape returns None"
# The explainer's structure, in order.
HEADINGS = [
    "The scenario",
    "The check that fails",
    "The challenge",
    "Step 1",
    "Step 2",
    "Step 3: the fix",
    "Practice question",
]


def run(args, cwd):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """A copy of the repository with a page scaffolded into it, exactly as documented."""
    project = copy_repository(tmp_path_factory.mktemp("clone") / "tf-variable-explainer")
    # Its tests run with this checkout's environments: .venv's Python, and the backends' .venvs.
    (project / ".venvs").symlink_to(ROOT / ".venvs", target_is_directory=True)
    made = run([sys.executable, "-m", "tools.scaffold", SLUG, TITLE], cwd=project)
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"wrote snippets/{NAME}.out" in made.stdout
    # The next steps name every part of the page that the tests require, and the command that
    # checks it.
    steps = " ".join(made.stdout.split())
    assert f"Replace every 'To write' box in docs/{SLUG}.md" in steps
    assert f".venv/bin/python -m tools.snippets refresh {NAME}" in steps
    assert f"- [{TITLE}]({SLUG}.md): <one line>" in steps
    assert f"- [{TITLE} (notebook)](notebook/{SLUG}.ipynb)" in steps
    assert f"bash scripts/test-page docs/{SLUG}.md" in steps
    # Its stored output is recorded as a run's, like every other.
    assert content.unverified(project) == []
    return project


def test_scaffold_writes_the_page_and_its_snippet(copy):
    path = copy / "docs" / f"{SLUG}.md"
    tree = pages.tree(path.read_text(encoding="utf-8"))
    front = (
        yaml.safe_load(tree.children[0].content) if tree.children[0].type == "front_matter" else {}
    )
    assert front.get("description", "").strip(), "no description front matter"
    titles = [pages.heading_text(n)[0] for n in tree.children if n.type == "heading"]
    levels = [n.markup for n in tree.children if n.type == "heading"]
    assert titles[0] == TITLE and levels[0] == "#"
    headings = [t for t, level in zip(titles, levels, strict=True) if level == "##"]
    found = [next((i for i, h in enumerate(headings) if h.startswith(s)), None) for s in HEADINGS]
    assert None not in found and found == sorted(found), headings
    shown = {(i.file, i.section) for i in content.includes(path)}
    assert {(f"{NAME}.py", "demo"), (f"{NAME}.out", None)} <= shown
    # The stored output comes from running the snippet, like every other.
    ran = run([sys.executable, f"snippets/{NAME}.py"], cwd=copy)
    assert ran.returncode == 0, ran.stderr
    assert (copy / "snippets" / f"{NAME}.out").read_text(encoding="utf-8") == ran.stdout


def test_strict_build_lists_the_new_page(copy, tmp_path):
    built = build_site(copy, tmp_path / "site")
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "site" / SLUG / "index.html").read_text(encoding="utf-8")
    assert TITLE in page
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert f"{SLUG}/" in links(home).values(), "the new page is not in the navigation"


def test_snippet_checks_pass(copy):
    # Only the new snippet: the others are the repository's own, which test_snippets.py runs.
    checked = run(
        [sys.executable, "-m", "tools.snippets", "check", NAME, "--root", str(copy)], cwd=ROOT
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout == f"ok snippets/{NAME}.py\n"


def test_page_tests_pass_on_the_copy(copy):
    # The tests that hold every page and snippet to the rules, for the new page as
    # scripts/test-page selects them (--page): its snippet's check, its notebook run in a kernel.
    # Left out: the browser and the runner's isolation (their own tests cover every page), the
    # parts still to write (the next test), and the commits of the manifest's versions, which a
    # copy without the repository's history cannot name.
    tests = [
        "tests/test_code_blocks.py",
        "tests/test_site.py",
        "tests/test_snippets.py",
        "tests/test_lint.py",
        "tests/test_manifest.py",
        "tests/test_generated.py",
        "tests/test_notebook.py",
        f"docs/{SLUG}.md",
    ]
    result = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--page",
            f"docs/{SLUG}.md",
            "-k",
            "not parts_to_write and not home_page_lists and not named_by_a_commit",
            *tests,
        ],
        cwd=copy,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_new_page_cannot_pass_until_every_part_is_written(copy, tmp_path):
    page = copy / "docs" / f"{SLUG}.md"
    found = pages.placeholders(page)
    boxes = (scaffold.TEMPLATES / "page.md.tmpl").read_text(encoding="utf-8").count("!!! todo")
    assert sum("a 'To write' box" in f for f in found) == boxes > 0, found
    assert all(f.startswith(f"docs/{SLUG}.md:") for f in found)
    # Once written, nothing is left to write.
    text = page.read_text(encoding="utf-8")
    tree = pages.tree(text)
    lines = text.split("\n")
    for node in reversed(list(pages.walk(tree))):
        if node.type == "admonition" and node.meta.get("tag") == "todo":
            del lines[node.map[0] : node.map[1]]
    written = tmp_path / page.name
    written.write_text("\n".join(lines).replace("To write", "Written"), encoding="utf-8")
    assert pages.placeholders(written) == []


def test_the_draft_fails_only_the_checks_that_say_what_is_left(copy):
    # A scaffolded page builds and passes the rules above, but it cannot be merged: the tests
    # name its "To write" parts and the home page's missing line for it.
    tests = ["tests/test_site.py", "-k", "parts_to_write or home_page_lists"]
    result = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *tests], cwd=copy)
    assert result.returncode == 1
    assert f"docs/{SLUG}.md:" in result.stdout and "a 'To write' box" in result.stdout
    assert "docs/index.md: list every page with a one-line summary" in result.stdout
    assert f"- [{TITLE}]({SLUG}.md): <one line>" in result.stdout
    assert f"- [{TITLE} (notebook)](notebook/{SLUG}.ipynb)" in result.stdout


@pytest.mark.parametrize(
    ("slug", "title", "message"),
    [
        ("Gradient_Tape", TITLE, "slug 'Gradient_Tape': use lowercase letters"),
        ("index", TITLE, "slug 'index' is the home page"),
        (SLUG, "  ", "the title must have 1 to 80 characters, not 0"),
        ("keras", TITLE, "snippets/keras.py would be imported instead of the module 'keras'"),
        ("json", TITLE, "snippets/json.py would be imported instead of the module 'json'"),
        ("class", TITLE, "'class' is a Python keyword"),
        (
            "tensor-vs-variable",
            TITLE,
            "already exists, choose another slug: docs/tensor-vs-variable.md",
        ),
    ],
)
def test_bad_input_is_refused_before_writing(tmp_path, capsys, slug, title, message):
    (tmp_path / "docs").mkdir()
    (tmp_path / "snippets").mkdir()
    (tmp_path / "docs" / "tensor-vs-variable.md").write_text("# Taken\n", encoding="utf-8")

    code = scaffold.main([slug, title, "--root", str(tmp_path)])

    assert code == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.rglob("*.*")) == ["tensor-vs-variable.md"]


@pytest.mark.parametrize("broken", ["nav: [\n", "nav: 5\n"], ids=["not YAML", "rejected value"])
def test_a_broken_mkdocs_yml_is_named_before_anything_is_written(tmp_path, capsys, broken):
    (tmp_path / "docs").mkdir()
    (tmp_path / "snippets").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n" + broken, encoding="utf-8")

    assert scaffold.main([SLUG, TITLE, "--root", str(tmp_path)]) == 2

    assert f"scaffold: {tmp_path / 'mkdocs.yml'}: " in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.rglob("*.*")) == ["mkdocs.yml"]
