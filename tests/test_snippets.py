"""Every snippet, run with fresh interpreter state, prints exactly its stored output.

The runner forks each snippet from a server that imported TensorFlow once, and skips a snippet
that passed before with identical inputs (never in CI); tests/test_runner_isolation.py proves
the forked runs print the same as fresh processes, tests/test_runner_cache.py that the cache
re-runs a snippet on any change of its inputs.
"""

import re

import pytest

from tools import snippets

PATHS, ORPHANS = snippets.discover()


@pytest.fixture(scope="session")
def results():
    # One run of all snippets, two at a time; each test below reports one snippet.
    # Outside CI an unchanged snippet that passed before is taken from the cache.
    return snippets.run_all(PATHS)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_snippet_output_matches_stored(path, results):
    result = results[path]
    assert not isinstance(result, str), result
    message = snippets.compare(result)
    assert message is None, message


def test_there_are_snippets():
    assert len(PATHS) >= 15


def test_every_stored_output_has_its_snippet():
    assert ORPHANS == []


def test_outputs_were_verified_with_the_installed_versions():
    stored = (snippets.ROOT / "snippets" / snippets.VERSIONS_FILE).read_text(encoding="utf-8")
    assert stored == snippets.versions(), (
        f"snippets/{snippets.VERSIONS_FILE} says {stored.strip()!r} but the tests run with "
        f"{snippets.versions().strip()!r}: run `python -m tools.snippets refresh` and review"
    )


def test_every_snippet_is_shown_on_a_page():
    pages = "".join(p.read_text(encoding="utf-8") for p in (snippets.ROOT / "docs").rglob("*.md"))
    included = set(re.findall(r'--8<-- "([\w-]+)\.py', pages))
    assert sorted(p.stem for p in PATHS if p.stem not in included) == []
