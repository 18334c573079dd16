"""Every snippet, run with fresh interpreter state, prints exactly its stored output.

The runner forks each snippet from a server that imported TensorFlow once, and skips a snippet
that passed before with identical inputs (never in CI); tests/test_runner_isolation.py proves
the forked runs print the same as fresh processes, tests/test_runner_cache.py that the cache
re-runs a snippet on any change of its inputs.
"""

import pytest

from tools import content, pages

SNIPPETS = content.snippets()


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.name for s in SNIPPETS])
def test_snippet_output_matches_stored(snippet, checked_snippets):
    result = checked_snippets[snippet.name]
    assert result.failure is None, result.failure


def test_there_are_snippets():
    assert len(SNIPPETS) >= 15


def test_every_stored_output_has_its_snippet():
    assert content.orphans() == []


def test_every_stored_output_was_stored_by_a_run_of_its_code():
    # snippets/verified.sha256, which only a run writes: no output edited by hand, no snippet
    # changed since its output was stored.
    assert content.unverified() == []


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.name for s in SNIPPETS])
def test_section_markers_are_well_formed(snippet):
    assert snippet.sections()[1] == []


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.name for s in SNIPPETS])
def test_no_snippet_still_has_parts_to_write(snippet):
    # The scaffold's first snippet starts with a docstring to rewrite (tools/templates/).
    left = [
        f"{snippet.label}:{number}: still says 'To write': {line.strip()[:60]!r}; say what the "
        "example shows"
        for number, line in enumerate(snippet.text().split("\n"), 1)
        if "To write" in line
    ]
    assert not left, "\n".join(left)


def test_outputs_were_verified_with_the_installed_versions():
    stored, installed = content.Versions.stored(), content.Versions.installed()
    assert stored == installed, (
        f"snippets/{content.VERSIONS_FILE} says {stored.line().strip()!r} but the tests run with "
        f"{installed.line().strip()!r}: run `python -m tools.snippets refresh` and review"
    )


@pytest.mark.parametrize("backend", content.snippet_backends())
def test_other_backends_outputs_were_verified_with_their_installed_versions(backend):
    stored = content.BackendVersions.stored(backend)
    installed = content.BackendVersions.installed(backend)
    assert stored == installed, (
        f"snippets/{stored.file(backend)} says {stored.line().strip()!r} but the tests run with "
        f"{installed.line().strip()!r}: run `python -m tools.snippets refresh` and review"
    )


def test_every_snippet_is_shown_on_a_page():
    included = {i.stem for page in pages.all_pages() for i in content.includes(page)}
    unshown = [s.label for s in SNIPPETS if s.name not in included]
    assert not unshown, (
        "shown on no page: "
        + ", ".join(unshown)
        + '; include a section in a page (```{.python notest}, then --8<-- "NAME.py:demo") and '
        'its output under it (```text, then --8<-- "NAME.out"), or delete the file'
    )
