"""The check cache skips a snippet only when nothing that could change its output changed."""

import sys

import pytest
from support import site_packages, write_snippet

from tools import content, runner, snippets
from tools.runner import cache

# Toy snippets in a folder of their own: independent of the pages and snippets.
pytestmark = pytest.mark.machinery


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    (tmp_path / "uv.lock").write_text("version = 1\n")
    write(tmp_path, "helper", "GREETING = 'hello'\n", "")
    write(tmp_path, "greet", "from helper import GREETING\nprint(GREETING)\n", "hello\n")
    return tmp_path


write = write_snippet


def write_data(project, relative, text):
    path = project / "snippets" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def check(project):
    [result] = runner.run_all([content.Snippet(project / "snippets" / "greet.py")])
    return result


def test_an_unchanged_snippet_that_passed_is_not_run_again(project):
    first = check(project)
    assert not first.cached and first.failure is None
    second = check(project)
    assert second.cached and second.output == "hello\n"
    assert second.failure is None


CHANGES = {
    "the snippet": lambda p, m: write(
        p, "greet", "from helper import GREETING\nprint(GREETING)\n\n"
    ),
    "its stored output": lambda p, m: write(
        p, "greet", "from helper import GREETING\nprint(GREETING)\n", "hello\n\n"
    ),
    "a sibling snippet": lambda p, m: write(p, "helper", "GREETING = 'hello'  # same value\n"),
    "a file in a folder under snippets/": lambda p, m: write_data(p, "data/table.csv", "a,b\n"),
    "a module of a package under snippets/": lambda p, m: write_data(p, "pkg/mod.py", "X = 1\n"),
    "the lock file": lambda p, m: (p / "uv.lock").write_text("version = 2\n"),
    "the Python version": lambda p, m: m.setattr(sys, "version", sys.version + " (other)"),
    "the TensorFlow or Keras version": lambda p, m: m.setattr(
        content.Versions,
        "installed",
        classmethod(lambda cls: cls("9.9.9", "9.9.9", "9.9.9", "3.11")),
    ),
    "the installed packages": lambda p, m: m.syspath_prepend(site_packages(p / "lib", "demo-1.0")),
    "a TensorFlow setting": lambda p, m: m.setenv("TF_ENABLE_ONEDNN_OPTS", "0"),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_any_change_of_an_input_runs_the_snippet_again(project, monkeypatch, change):
    assert not check(project).cached
    assert check(project).cached
    CHANGES[change](project, monkeypatch)
    assert not check(project).cached, f"a change of {change} was hidden by the cache"


def test_a_change_of_the_runner_runs_every_snippet_again(project, monkeypatch, tmp_path):
    part = tmp_path / "runner_part.py"
    part.write_text("VERSION = 1\n")
    files = cache.runner_files()
    monkeypatch.setattr(cache, "runner_files", lambda: [*files, part])
    assert not check(project).cached
    assert check(project).cached
    part.write_text("VERSION = 2\n")
    assert not check(project).cached


def test_drift_is_reported_even_after_a_pass(project):
    assert not check(project).cached
    write(project, "helper", "GREETING = 'hullo'\n")
    assert "-hello\n+hullo" in check(project).failure


def test_a_failing_snippet_is_never_cached(project):
    write(project, "greet", "print('hullo')\n")
    assert check(project).failure is not None
    assert not check(project).cached


def test_ci_runs_everything(project, monkeypatch):
    assert not check(project).cached
    monkeypatch.setenv("CI", "true")
    assert not check(project).cached
    assert not check(project).cached


def test_refresh_and_no_cache_run_everything(project, capsys):
    assert snippets.main(["check", "--root", str(project)]) == 0
    assert snippets.main(["check", "--root", str(project)]) == 0
    assert "ok snippets/greet.py (unchanged since it passed)" in capsys.readouterr().out
    assert snippets.main(["check", "--no-cache", "--root", str(project)]) == 0
    assert snippets.main(["refresh", "--root", str(project)]) == 0
    out = capsys.readouterr().out
    assert "unchanged" not in out and "wrote snippets/greet.out" in out


def test_each_way_of_running_has_a_cache_of_its_own(project):
    greet = [content.Snippet(project / "snippets" / "greet.py")]
    assert not check(project).cached  # forked
    for new_processes, cached in [(True, False), (True, True), (False, True)]:
        [result] = runner.run_all(greet, new_processes=new_processes)
        assert (result.cached, result.failure) == (cached, None), new_processes


def test_installed_versions_are_those_importlib_metadata_reads():
    from importlib.metadata import distributions

    expected = {}
    for distribution in distributions():  # in sys.path order: the first of a name wins
        name = distribution.metadata["Name"].lower().replace("-", "_").replace(".", "_")
        expected.setdefault(name, distribution.version)
    assert len(expected) > 50
    assert content.installed_distributions() == expected
