"""Each snippet runs under the Keras backend it names, in that backend's environment.

Toy snippets print the backend Keras runs, KERAS_BACKEND, the environment's folder and whether
TensorFlow can be imported there; their stored outputs say what each backend's run must print.
"""

import os
import sys
import time
from pathlib import Path

import pytest
from support import site_packages, write_snippet

from tools import backends, content, runner, snippets
from tools.runner import cache

# What it prints, and whether Keras was imported before its first line (a forked child's server
# imported it; a new process had not).
SHOWS_BACKEND = """\
# snippet: backend={backend}
import importlib.util, os, sys
preloaded = "keras" in sys.modules
import keras
print(keras.backend.backend(), os.environ["KERAS_BACKEND"], os.path.basename(sys.prefix))
print("tensorflow importable:", importlib.util.find_spec("tensorflow") is not None)
print("keras preloaded:", preloaded)
"""
ENVIRONMENT = {"tensorflow": ".venv", "jax": "jax", "torch": "torch"}


def expected(backend, preloaded):
    return (
        f"{backend} {backend} {ENVIRONMENT[backend]}\n"
        f"tensorflow importable: {backend == 'tensorflow'}\n"
        f"keras preloaded: {preloaded}\n"
    )


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    project = tmp_path_factory.mktemp("backends")
    for backend in backends.BACKENDS:
        write_snippet(project, f"shows_{backend}", SHOWS_BACKEND.format(backend=backend))
    return project


def by_name(results):
    return {r.snippet.name: r for r in results}


@pytest.mark.parametrize("fresh", [False, True], ids=["forked", "new-process"])
def test_each_snippet_runs_under_its_backend_in_its_own_environment(toy, fresh):
    results = by_name(runner.run_all(content.snippets(toy), cache=False, new_processes=fresh))
    for backend in backends.BACKENDS:
        result = results[f"shows_{backend}"]
        assert result.problem is None, result.problem
        # A forked child's server imported Keras under the backend, before any fork.
        assert result.output == expected(backend, preloaded=not fresh), backend


def test_the_backend_environments_have_no_tensorflow_and_the_same_keras():
    keras = content.Versions.installed().keras
    for backend in backends.BACKENDS.values():
        if backend.environment is None:
            continue
        found = backends.installed_versions(backends.site_packages_of(backend.python()))
        assert found.get(backend.distributions[0]), f"{backend.name} is not installed"
        assert not [n for n in found if n.startswith(("tensorflow", "tf_"))], backend.name
        assert found["keras"] == keras, backend.name


def test_an_unknown_backend_is_refused_naming_the_line_and_the_others_still_run(tmp_path):
    write_snippet(tmp_path, "good", "print('still checked')\n", "still checked\n")
    write_snippet(tmp_path, "typo", "print(1)\n# snippet: backend=pytorch\n", "1\n")
    results = by_name(runner.run_all(content.snippets(tmp_path), cache=False))
    assert results["typo"].failure == (
        "snippets/typo.py:2: backend=pytorch: unknown Keras backend 'pytorch'; expected one of "
        "tensorflow, jax, torch (tools/backends.py)"
    )
    assert results["good"].passed and results["good"].output == "still checked\n"


def test_a_missing_environment_is_refused_saying_what_to_install(tmp_path, monkeypatch, capsys):
    write_snippet(tmp_path, "good", "print('still checked')\n", "still checked\n")
    write_snippet(tmp_path, "needs_jax", "\n# snippet: backend=jax\nimport keras\n", "")
    monkeypatch.setattr(backends, "ENVIRONMENTS", "no-such-folder")
    assert snippets.main(["check", "--no-cache", "--root", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "ok snippets/good.py" in captured.out
    assert (
        "FAIL snippets/needs_jax.py:2: backend=jax: the JAX environment no-such-folder/jax/ is "
        "not installed; install it with: python3 -m tools.backends install jax "
        "(or bash scripts/test)\n"
    ) in captured.err


def test_tensorflow_missing_from_the_interpreter_is_refused_too(tmp_path, monkeypatch):
    write_snippet(tmp_path, "tf_default", "print(1)\n", "1\n")
    write_snippet(tmp_path, "on_jax", SHOWS_BACKEND.format(backend="jax"), expected("jax", True))
    monkeypatch.setattr(backends, "installed_versions", lambda folders: {})
    results = by_name(runner.run_all(content.snippets(tmp_path), cache=False))
    assert results["tf_default"].failure == (
        f"snippets/tf_default.py: backend=tensorflow: TensorFlow is not installed for "
        f"{sys.executable}; run the project's .venv/bin/python, installed with: "
        "python3 -m uv sync --locked (or bash scripts/test)"
    )
    assert results["on_jax"].passed, results["on_jax"].failure


@pytest.fixture
def cached_project(tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    write_snippet(tmp_path, "on_jax", "# snippet: backend=jax\nprint('jax')\n", "jax\n")
    write_snippet(tmp_path, "on_tf", "print('tf')\n", "tf\n")
    return tmp_path


def cached(project):
    return {n: r.cached for n, r in by_name(runner.run_all(content.snippets(project))).items()}


def test_the_cache_is_keyed_on_the_backend_environment_only(cached_project, monkeypatch):
    assert cached(cached_project) == {"on_jax": False, "on_tf": False}
    assert cached(cached_project) == {"on_jax": True, "on_tf": True}
    # A package installed in the JAX environment runs the JAX snippets again, not the others.
    jax_python = backends.get("jax").python()
    extra = site_packages(cached_project / "extra", "demo-1.0")
    folders = backends.site_packages_of
    monkeypatch.setattr(
        backends,
        "site_packages_of",
        lambda python: folders(python) + ([Path(extra)] if python == jax_python else []),
    )
    assert cached(cached_project) == {"on_jax": False, "on_tf": True}


def test_the_longest_snippets_start_first(tmp_path):
    log = tmp_path / "started.txt"
    for name, seconds in [("a_short", 0.1), ("b_middle", 0.5), ("c_long", 1.0)]:
        code = f"import time\nopen({str(log)!r}, 'a').write('{name}\\n')\ntime.sleep({seconds})\n"
        write_snippet(tmp_path / "project", name, code, "")
    found = content.snippets(tmp_path / "project")
    runner.run_all(found, workers=1, cache=False)  # measures them
    log.unlink()
    start = time.monotonic()
    runner.run_all(found, workers=1, cache=False)
    assert log.read_text().split() == ["c_long", "b_middle", "a_short"]
    assert time.monotonic() - start < 30
    log.unlink()
    runner.run_all(found, workers=1, cache=False, in_order=True)
    assert log.read_text().split() == ["a_short", "b_middle", "c_long"]


def test_durations_are_kept_per_backend(tmp_path):
    write_snippet(tmp_path, "quick", "print(1)\n", "1\n")
    runner.run_all(content.snippets(tmp_path), cache=False)
    measured = cache.durations(tmp_path)
    assert list(measured) == ["tensorflow/quick"] and 0 < measured["tensorflow/quick"] < 60
    assert os.path.exists(tmp_path / cache.CACHE_DIR / cache.DURATIONS)
