from pathlib import Path

import pytest
from support import build_site

from tools import content, runner
from tools.project import ROOT


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site, built once per test session from the repository; tests only read it."""
    site_dir = tmp_path_factory.mktemp("site")
    built = build_site(ROOT, site_dir)
    assert built.returncode == 0, built.stderr
    return site_dir


@pytest.fixture(scope="session")
def checked_snippets() -> dict:
    """Every snippet run once, forked two at a time, by name (tests/test_snippets.py reports it).

    Outside CI an unchanged snippet that passed before is taken from the cache.
    """
    return {r.snippet.name: r for r in runner.run_all(content.snippets())}
