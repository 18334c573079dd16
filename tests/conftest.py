import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def copy_repository(target: Path) -> Path:
    """A copy of the repository as a fresh clone has it: no environments, caches or output."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", ".cache", "site", "test-artifacts", "node_modules", "__pycache__",
        ".pytest_cache", ".ruff_cache",
    )  # fmt: skip
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def build_site(project: Path, site_dir: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of a project folder, with TensorFlow made unimportable."""
    code = (
        "import sys\n"
        "sys.modules['tensorflow'] = sys.modules['keras'] = None\n"
        "from mkdocs.__main__ import cli\n"
        f"cli(['build', '--strict', '--site-dir', {str(site_dir)!r}])\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site, built once per test session from the repository."""
    site_dir = tmp_path_factory.mktemp("site")
    built = build_site(ROOT, site_dir)
    assert built.returncode == 0, built.stderr
    return site_dir
