"""The snippet benchmark measures its floor only from compiled bytecode."""

import importlib.util
import runpy
import sys
from pathlib import Path

import pytest

from tools.project import ROOT

# The benchmark and the installed bytecode: independent of the pages and snippets.
pytestmark = pytest.mark.machinery

BENCHMARK = runpy.run_path(str(ROOT / "benchmarks" / "snippets.py"))


def test_tensorflow_is_installed_with_bytecode():
    assert BENCHMARK["require_bytecode"]("tensorflow") > 1000


def test_a_package_without_bytecode_is_refused(tmp_path, monkeypatch):
    package = tmp_path / "uncompiled_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "part.py").write_text("X = 1\n")
    compiled = Path(importlib.util.cache_from_source(str(package / "__init__.py")))
    compiled.parent.mkdir()
    compiled.write_bytes(b"")  # one of the two modules has bytecode
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SystemExit) as stopped:
        BENCHMARK["require_bytecode"]("uncompiled_pkg")
    assert "1 of 2 modules of uncompiled_pkg" in str(stopped.value)
    assert "part.py" in str(stopped.value)
    assert "uncompiled_pkg" not in sys.modules


@pytest.mark.parametrize("name", ["jax", "torch"])
def test_the_backend_environments_are_installed_with_bytecode(name):
    from tools import backends

    assert BENCHMARK["require_bytecode"](name, backends.get(name).python()) > 100
