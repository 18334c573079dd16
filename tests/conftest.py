from pathlib import Path

import pytest
from support import build_site

from tools.project import ROOT


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site, built once per test session from the repository; tests only read it."""
    site_dir = tmp_path_factory.mktemp("site")
    built = build_site(ROOT, site_dir)
    assert built.returncode == 0, built.stderr
    return site_dir
