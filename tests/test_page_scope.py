"""`pytest --page docs/<page>.md` (scripts/test-page) runs what that page can fail, and no less.

What a page can fail: the checks of its snippets (forked and in new processes), of the snippets
those import and of those that import them, of every page that shows one of them (its notebook
run in a kernel, its browser visits), of the home page, and every check that is not tied to a
page or snippet (the build, links, lint, generated files). Left out: tests of the tools that
read none of the pages (marked machinery) and checks of other pages and snippets.
"""

import subprocess
import sys

import pytest
from support import Scope, copy_repository, write_snippet

from tools import content
from tools.project import ROOT

EXPLAINER = ROOT / "docs" / "tensor-vs-variable.md"


def collected(*args):
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done, [line for line in done.stdout.splitlines() if "::" in line]


def test_the_scope_of_a_page_is_its_snippets_their_neighbours_and_the_pages_showing_them():
    scope = Scope.of([EXPLAINER])
    shown = {i.stem for i in content.includes(EXPLAINER) if i.suffix in ("py", "out")}
    assert shown and shown <= scope.snippets
    # running_total_replicas_check imports weight_state_layer, which the explainer shows: a
    # change to the layer can change its output, and the page that shows it.
    assert "running_total_replicas_check" in scope.snippets
    assert ROOT / "docs" / "running-totals.md" in scope.pages
    # What imports none of them is left out: it imports running_totals only.
    assert "running_total_why_sum_fails" not in scope.snippets
    assert ROOT / "docs" / "index.md" in scope.pages and EXPLAINER in scope.pages
    # The embed page shows weight_state_layer.out.
    assert ROOT / "docs" / "reference" / "embed.md" in scope.pages


def test_the_scope_of_a_new_page_is_its_own(tmp_path):
    root = copy_repository(tmp_path / "repo")
    write_snippet(
        root,
        "new_demo",
        "# --8<-- [start:demo]\nfrom weight_state_layer import WeightStateTotal\n"
        "print(WeightStateTotal)\n# --8<-- [end:demo]\n",
    )
    page = root / "docs" / "new-page.md"
    page.write_text('# New\n\n```{.python notest}\n--8<-- "new_demo.py:demo"\n```\n')
    scope = Scope.of([page], root)
    # It imports weight_state_layer, but changes nothing of it.
    assert scope.snippets == {"new_demo"}
    assert scope.pages == {page, root / "docs" / "index.md"}


def test_a_page_run_selects_its_checks_and_leaves_out_the_others():
    done, items = collected("--page", "docs/tensor-vs-variable.md")
    assert done.returncode == 0, done.stdout + done.stderr
    selected = set(items)
    for name in ("tensor_state_eager", "tensor_state_layer", "weight_state_layer"):
        assert f"tests/test_snippets.py::test_snippet_output_matches_stored[{name}]" in selected
    assert (
        "tests/test_snippets.py::test_snippet_output_matches_stored[running_total_why_sum_fails]"
        not in selected
    )
    assert (
        "tests/test_notebook.py::test_notebook_cells_match_stored_outputs_in_a_kernel"
        "[tensor-vs-variable.ipynb]" in selected
    )
    for always in (
        "tests/test_site.py::test_every_internal_link_and_anchor_of_every_built_page_resolves",
        "tests/test_lint.py::test_markdown_lint",
        "tests/test_generated.py::test_generated_file_is_current[docs/reference/compatibility.md]",
        "tests/test_browser.py::test_no_accessibility_violations",
        "tests/test_runner_isolation.py::"
        "test_real_snippets_print_the_same_forked_in_any_order_as_in_fresh_processes",
        "tests/test_site.py::test_home_page_lists_every_page",
    ):
        assert always in selected, always
    # Tools fed broken input read no page: left out.
    assert not any(item.startswith("tests/test_snippet_runner.py") for item in items)
    assert "tests/test_site.py::test_requested_urls_are_found" not in selected


def test_a_page_that_is_not_one_is_refused_naming_the_pages():
    done, _ = collected("--page", "docs/no-such-page.md")
    assert done.returncode != 0
    assert "--page docs/no-such-page.md: expected a page of the site, docs/<page>.md" in (
        done.stderr
    )
    assert "docs/tensor-vs-variable.md" in done.stderr


pytestmark = pytest.mark.machinery
