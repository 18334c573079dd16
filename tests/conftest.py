from pathlib import Path

import pytest
from support import Scope, build_site, located

from tools import content, pages, runner
from tools.project import ROOT

SCOPE = pytest.StashKey[Scope | None]()


def pytest_configure(config):
    """`--page` (declared in the root conftest.py): the pages it names, as a Scope."""
    chosen = []
    for given in config.getoption("page"):
        path = (Path(config.invocation_params.dir) / given).resolve()
        if path not in pages.all_pages():
            listed = ", ".join(p.relative_to(ROOT).as_posix() for p in pages.all_pages())
            raise pytest.UsageError(
                f"--page {given}: expected a page of the site, docs/<page>.md (the pages: {listed})"
            )
        chosen.append(path)
    config.stash[SCOPE] = Scope.of(chosen) if chosen else None


def pytest_collection_modifyitems(config, items):
    scope = config.stash[SCOPE]
    if scope is None:
        return
    kept = [item for item in items if scope.covers(item)]
    chosen = {id(item) for item in kept}
    config.hook.pytest_deselected(items=[item for item in items if id(item) not in chosen])
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
