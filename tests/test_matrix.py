"""The version matrix: committed results, the page made from them, and the drift check."""

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from support import site_packages
from test_lint import pymarkdown
from test_workflows import WORKFLOWS, policy_problems

from tools import compatibility, content, matrix, pages, project
from tools.project import ROOT

NAMES = compatibility.snippet_names()
RECORDS = compatibility.load_results()


def test_the_reference_is_the_pinned_release():
    assert project.tensorflow_requirement() == "tensorflow-cpu==2.21.0"
    assert matrix.REFERENCE.requirement.split() == project.snippets_requirements()
    assert project.tensorflow_requirement() in project.snippets_requirements()


@pytest.mark.parametrize("env", matrix.ENVIRONMENTS, ids=lambda env: env.name)
def test_results_are_recorded_for_every_environment(env):
    record = RECORDS[env.name]
    rerun = f"rerun: .venv/bin/python -m tools.matrix run {env.name}"
    assert record.get("requirement") == env.requirement, f"results are stale; {rerun}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", record["date"])
    if record["error"]:
        assert record["snippets"] == {}, "a failed environment records its reason only"
        return
    fields = {f.name for f in dataclasses.fields(content.Versions)}
    assert set(record["versions"]) == fields
    # A snippet added since the matrix last ran is missing here; the page says it has not run.
    assert record["snippets"], f"no snippet was run; {rerun}"


def test_environments_have_unique_names_and_one_reference():
    names = [env.name for env in matrix.ENVIRONMENTS]
    assert len(names) == len(set(names))
    same = [
        e
        for e in matrix.ENVIRONMENTS
        if (e.requirement, e.legacy_keras) == (matrix.REFERENCE.requirement, False)
    ]
    assert same == [matrix.REFERENCE]


def test_reference_results_equal_the_stored_outputs():
    record = RECORDS[matrix.REFERENCE.name]
    assert not record["error"], record["error"]
    assert content.Versions(**record["versions"]) == content.Versions.stored()
    for snippet in content.snippets():
        name, stored = snippet.name, snippet.stored_output()
        outcome = record["snippets"].get(name)
        if outcome is None:
            continue  # added since the matrix last ran: the page says it has not run here
        assert (outcome["problem"], outcome["output"]) == (None, stored), (
            f"{name}: the reference results differ from snippets/{name}.out; "
            "rerun: .venv/bin/python -m tools.matrix run " + matrix.REFERENCE.name
        )


def fake_records(outputs_by_env):
    """Records as the matrix writes them; a str instead of outputs is an install error."""
    records = {}
    for env in matrix.ENVIRONMENTS:
        outputs = outputs_by_env.get(env.name, "not run in this test")
        if isinstance(outputs, str):
            records[env.name] = {"error": outputs, "snippets": {}}
            continue
        records[env.name] = {
            "date": "2026-01-01",
            "error": None,
            "versions": {"tensorflow": "9.9", "keras": "9.9", "numpy": "2.0", "python": "3.11"},
            "snippets": {n: {"output": o, "problem": None} for n, o in outputs.items()},
        }
    return records


def test_page_says_since_which_release_an_output_holds_and_how_others_differ():
    records = fake_records(
        {
            "tf-2.16": {"alpha": "one\n", "beta": "old\n"},
            "tf-2.17": {"alpha": "one\n", "beta": "old\n"},
            "tf-2.18": "`uv pip install tensorflow-cpu==2.18.1` failed: no matching wheel",
            "tf-2.19": {"alpha": "one\n", "beta": "two\n"},
            "tf-2.21": {"alpha": "one\n", "beta": "two\n"},
            "keras-2": {"alpha": "one\n", "beta": "three\n"},
        }
    )

    page = compatibility.render_page(records, ["alpha", "beta"])

    words = " ".join(page.split())
    assert "The other 1 snippet printed the same in all 5 environments that ran." in words
    assert (
        "- [`beta`](#beta): TF 2.21's output from TF 2.19 on; differs under TF 2.16, TF 2.17; on "
        "the Keras 2 line, differs under TF 2.15."
    ) in words
    assert "| [`alpha`](#alpha) | TF 2.15, TF 2.16, TF 2.17, TF 2.19, TF 2.21 | - |" in page
    assert "| [`beta`](#beta) | TF 2.19, TF 2.21 | TF 2.15, TF 2.16, TF 2.17 |" in page
    assert '!!! failure "TF 2.18: not run"' in page and "no matching wheel" in page
    assert "### `alpha` {#alpha}\n\nSame output in all 5 environments that ran." in page
    beta = page.split("{#beta}")[1]
    # Each group's output and the differences are collapsed blocks, named by what they hold.
    assert '??? note "How the others differ from TF 2.21"' in beta
    assert '??? note "Output under TF 2.19, TF 2.21, the reference among them"' in beta
    assert '??? note "Output under TF 2.16, TF 2.17"' in beta
    assert '??? note "Output under TF 2.15"' in beta
    assert "===" not in page
    assert "    --- TF 2.21\n    +++ TF 2.16, TF 2.17\n" in beta
    assert "    -two\n    +three\n" in beta


def test_a_snippet_added_since_the_matrix_ran_is_not_run_there_never_the_same(tmp_path):
    records = fake_records(
        {
            "tf-2.17": {"alpha": "one\n", "delta": "old\n"},
            "tf-2.19": {"alpha": "one\n"},
            "tf-2.21": {"alpha": "one\n", "beta": "new\n", "delta": "new\n"},
        }
    )
    page = compatibility.render_page(records, ["alpha", "beta", "gamma", "delta"])
    # The page is Markdown the site's linter accepts, whatever is missing where.
    (tmp_path / "compatibility.md").write_text(page, encoding="utf-8")
    linted = pymarkdown([tmp_path / "compatibility.md"])
    assert linted.returncode == 0, linted.stdout + linted.stderr
    words = " ".join(page.split())
    assert "- [`beta`](#beta): not yet run under TF 2.17, TF 2.19." in words
    assert "| 2026-01-01 | all 1 snippets ran; 3 not yet run |" in page  # TF 2.19
    assert "| [`beta`](#beta) | TF 2.21 | - | TF 2.17, TF 2.19 |" in page
    beta = page.split("{#beta}")[1]
    assert beta.startswith("\n\nNot yet run under TF 2.17, TF 2.19: the snippet was added after")
    assert "Same output in all 1 environments that ran it." in beta
    assert "Same output in all 3 environments that ran." in page.split("{#alpha}")[1]
    delta = page.split("{#delta}")[1]
    assert delta.startswith("\n\nNot yet run under TF 2.19: the snippet was added after the")
    assert "TF 2.21's output is new in TF 2.21; differs under TF 2.17." in " ".join(delta.split())
    # Not run anywhere yet: no output is claimed for it.
    gamma = page.split("{#gamma}")[1].split("###")[0]
    assert "Not yet run under TF 2.17, TF 2.19, TF 2.21:" in " ".join(gamma.split())
    assert "Same output" not in gamma and "```" not in gamma


def test_three_or_more_environments_in_a_row_are_named_as_a_range():
    by_name = {env.name: env for env in matrix.ENVIRONMENTS}
    envs = [by_name[n] for n in ("keras-2", "legacy", "tf-2.17", "tf-2.18", "tf-2.19", "nightly")]
    assert compatibility.names(envs) == (
        "TF 2.15, TF 2.21 with tf-keras, TF 2.17 to TF 2.19, nightly"
    )


def test_page_shows_outputs_as_written_whatever_they_hold():
    nasty = '```\n--8<-- "verified-with.txt"\na\rb\n'
    page = compatibility.render_page(fake_records({"tf-2.21": {"alpha": nasty}}), ["alpha"])
    assert '````text\n```\n;--8<-- "verified-with.txt"\na␍b\n````' in page


def test_page_counts_the_snippets_that_failed_in_an_environment():
    records = fake_records({"tf-2.21": {"alpha": "one\n"}, "keras-2": {}})
    records["keras-2"]["snippets"]["alpha"] = {"output": "", "problem": "raised TypeError"}
    page = compatibility.render_page(records, ["alpha"])
    assert "| 2026-01-01 | 1 of 1 snippets failed |" in page
    assert "| 2026-01-01 | all 1 snippets ran |" in page
    assert "[runner] the snippet raised TypeError" in page


def test_an_environment_that_cannot_be_built_is_recorded_with_its_reason(monkeypatch):
    def refuse(folder, env):
        raise matrix.InstallError(f"`uv pip install {env.requirement}` failed: no wheel")

    monkeypatch.setattr(matrix, "build_env", refuse)
    env = matrix.ENVIRONMENTS[1]
    record = matrix.run_environment(env)
    assert record["error"] == f"`uv pip install {env.requirement}` failed: no wheel"
    assert record["snippets"] == {}


def test_built_site_has_the_compatibility_page(site):
    text = (site / "reference" / "compatibility" / "index.html").read_text(encoding="utf-8")
    for env in matrix.ENVIRONMENTS:
        assert env.label in text
    for name in NAMES:
        assert f'id="{name}"' in text


def test_explainer_links_to_rows_that_differ():
    explainer = (ROOT / "docs" / "tensor-vs-variable.md").read_text(encoding="utf-8")
    linked = [
        href.partition("#")[2]
        for href in pages.link_targets(explainer)
        if href.startswith("reference/compatibility.md#")
    ]
    assert linked, "the explainer links to no row of the compatibility page"
    ran = [env for env in matrix.ENVIRONMENTS if not RECORDS[env.name].get("error")]
    for name in linked:
        row = compatibility.snippet_row(name, RECORDS, ran)
        assert row.changed, f"{name} is linked as differing but its outputs do not differ"


def test_versions_read_nightly_distribution_names(monkeypatch, tmp_path):
    nightly = ["tf_nightly-2.23.0.dev20261026", "keras_nightly-3.16.0.dev2026", "numpy-2.5.0"]
    monkeypatch.setattr(sys, "path", [site_packages(tmp_path, *nightly)])
    assert (
        content.Versions.installed()
        .line()
        .startswith("TensorFlow 2.23.0.dev20261026, Keras 3.16.0.dev2026, NumPy 2.5.0, Python 3.")
    )


def test_drift_targets():
    assert matrix.drift_requirement("latest") == "tensorflow-cpu tf-keras"
    assert matrix.drift_requirement("nightly") == "tf-nightly tf-keras-nightly"
    assert matrix.drift_requirement("2.16.2") == "tensorflow-cpu==2.16.2 tf-keras==2.16.*"


@pytest.mark.machinery
def test_drift_check_prints_the_diff_of_a_changed_output(tmp_path):
    for name in ("tools", "snippets"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    changed, unchanged = NAMES[:2]
    out = tmp_path / "snippets" / f"{changed}.out"
    out.write_text("a line no run prints\n" + out.read_text(encoding="utf-8"), encoding="utf-8")

    found = matrix.report_with(sys.executable, [changed, unchanged], tmp_path)
    status, report = matrix.differences(found, [changed, unchanged], tmp_path)

    assert status == 1, report
    assert f"ok snippets/{unchanged}.py" in report
    assert f"FAIL snippets/{changed}.py: output differs" in report
    assert "-a line no run prints" in report


def test_only_the_drift_issue_job_may_write_issues(tmp_path):
    drift = policy_problems(WORKFLOWS / "drift.yml")
    assert drift == []
    greedy = tmp_path / "drift.yml"
    greedy.write_text(
        (WORKFLOWS / "drift.yml")
        .read_text(encoding="utf-8")
        .replace("issues: write", "issues: write\n      contents: write"),
        encoding="utf-8",
    )
    assert "job drift-issue: may not have write access to ['contents']" in "\n".join(
        policy_problems(greedy)
    )


def test_the_matrix_commands_need_only_the_standard_library():
    # CI's matrix jobs run them with a bare python3: -S leaves site-packages out.
    listed = subprocess.run(
        [sys.executable, "-S", "-m", "tools.matrix", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert listed.stdout.strip() == json.dumps([env.name for env in matrix.ENVIRONMENTS])


def test_the_legacy_path_gives_tf_keras_for_import_keras(tmp_path):
    # A stand-in for tf_keras: the alias must hand out its very modules, submodules included.
    package = tmp_path / "tf_keras"
    (package / "layers").mkdir(parents=True)
    (package / "__init__.py").write_text("NAME = 'tf_keras'\n")
    (package / "layers" / "__init__.py").write_text("class Layer:\n    pass\n")
    shutil.copy(ROOT / "tools" / "legacy_keras.py", tmp_path)
    code = (
        "import legacy_keras, os, sys\n"
        "import keras, keras.layers\n"
        "from keras.layers import Layer\n"
        "import tf_keras\n"
        "print(keras is tf_keras, keras.layers is tf_keras.layers,"
        " Layer is tf_keras.layers.Layer)\n"
        "print(os.environ['TF_USE_LEGACY_KERAS'], keras.NAME)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-S", "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert ran.stdout == "True True True\n1 tf_keras\n", ran.stderr


def test_legacy_versions_name_the_keras_that_import_keras_gives(monkeypatch, tmp_path):
    installed = ["tensorflow_cpu-2.21.0", "keras-3.15.1", "tf_keras-2.21.0"]
    monkeypatch.setattr(sys, "path", [site_packages(tmp_path, *installed)])
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "1")
    assert content.Versions.installed().keras == "2.21.0"
    monkeypatch.delenv("TF_USE_LEGACY_KERAS")
    assert content.Versions.installed().keras == "3.15.1"


def test_setting_up_the_legacy_path_changes_nothing_in_this_process(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_USE_LEGACY_KERAS", raising=False)
    venv = tmp_path / "env"
    purelib = venv / "lib" / "site-packages"
    purelib.mkdir(parents=True)
    (venv / "bin").mkdir()
    (venv / "bin" / "python").symlink_to(sys.executable)
    monkeypatch.setattr(
        subprocess,
        "run",
        lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=f"{purelib}\n", stderr=""),
    )
    finders = list(sys.meta_path)
    matrix._install_legacy_keras(venv / "bin" / "python")
    assert (purelib / "legacy_keras.pth").read_text() == "import legacy_keras\n"
    assert (purelib / "legacy_keras.py").read_bytes() == matrix.LEGACY_KERAS.read_bytes()
    assert "TF_USE_LEGACY_KERAS" not in os.environ and sys.meta_path == finders


def test_every_backend_has_an_environment_that_is_its_reference():
    from tools import backends

    assert set(matrix.REFERENCES) == set(backends.BACKENDS)
    for name, env in matrix.REFERENCES.items():
        assert env.backend == name
        if name != backends.DEFAULT:
            assert env.requirement == f"-r {backends.get(name).requirements}"


def test_a_backend_snippet_is_compared_with_its_backend_environments_only():
    records = fake_records(
        {
            "tf-2.21": {"alpha": "one\n"},
            "tf-2.20": {"alpha": "one\n"},
            "jax": {"on_jax": "jax says\n"},
            "torch": {"on_torch": "torch says\n"},
        }
    )
    backend_of = {"alpha": "tensorflow", "on_jax": "jax", "on_torch": "torch"}.get
    page = compatibility.render_page(records, ["alpha", "on_jax", "on_torch"], backend_of)
    assert "| [`on_jax`](#on_jax) | JAX | - |" in page
    assert "| [`on_torch`](#on_torch) | PyTorch | - |" in page
    assert "| [`alpha`](#alpha) | TF 2.20, TF 2.21 | - |" in page
    # Not "not yet run" under the TensorFlow releases: they never run a JAX snippet.
    assert "not yet run" not in page.split("## Environments")[0]
