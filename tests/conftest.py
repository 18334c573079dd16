from pathlib import Path

import pytest
from support import Scope, build_site, located

from tools import content, runner
from tools.project import ROOT


def pytest_configure(config):
    chosen = []
    for given in config.getoption("page"):
        path = (Path(config.invocation_params.dir) / given).resolve()
        docs = (ROOT / "docs").resolve()
        if path.suffix != ".md" or docs not in path.parents or not path.is_file():
            raise pytest.UsageError(
                f"--page {given}: expected a page of the site, docs/<page>.md "
                f"(the pages: {', '.join(p.relative_to(ROOT).as_posix() for p in pages())})"
            )
        chosen.append(path)
    config.stash[SCOPE] = Scope.of(chosen) if chosen else None


def pages():
    return sorted((ROOT / "docs").rglob("*.md"))


SCOPE = pytest.StashKey[Scope | None]()


def pytest_collection_modifyitems(config, items):
    scope = config.stash[SCOPE]
    if scope is None:
        return
    kept = [item for item in items if scope.covers(item)]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


def pytest_report_header(config):
    scope = config.stash[SCOPE]
    if scope is not None:
        names = ", ".join(sorted(p.relative_to(ROOT).as_posix() for p in scope.pages))
        return [f"pages checked: {names}", f"snippets checked: {', '.join(sorted(scope.snippets))}"]
    return None


@pytest.fixture(scope="session")
def scope(pytestconfig) -> Scope | None:
    """What `--page` limits the run to; None when every page and snippet is checked."""
    return pytestconfig.stash[SCOPE]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site, built once per test session from the repository; tests only read it."""
    site_dir = tmp_path_factory.mktemp("site")
    built = build_site(ROOT, site_dir)
    assert built.returncode == 0, located(built.stderr)
    return site_dir


@pytest.fixture(scope="session")
def checked_snippets(request) -> dict:
    """The snippets whose checks this session runs, each run once, forked two at a time, by
    name (tests/test_snippets.py reports it): all of them, or those `-k` or `--page` selects.

    Outside CI an unchanged snippet that passed before is taken from the cache.
    """
    wanted = {
        item.callspec.params["snippet"].name
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_snippet_output_matches_stored"
    }
    return {
        r.snippet.name: r
        for r in runner.run_all([s for s in content.snippets() if s.name in wanted])
    }
