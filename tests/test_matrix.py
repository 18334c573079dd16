"""The version matrix: committed results, the page made from them, and the drift check."""

import importlib.metadata
import re
import shutil
import sys

import pytest
from test_workflows import WORKFLOWS, policy_problems

from tools import compatibility, content, matrix, pages, project
from tools.project import ROOT

NAMES = compatibility.snippet_names()
RECORDS = compatibility.load_results()


def test_the_reference_is_the_pinned_release():
    assert (
        matrix.REFERENCE.requirement == project.tensorflow_requirement() == "tensorflow-cpu==2.21.0"
    )


@pytest.mark.parametrize("env", matrix.ENVIRONMENTS, ids=lambda env: env.name)
def test_results_are_recorded_for_every_environment(env):
    record = RECORDS[env.name]
    rerun = f"rerun: python -m tools.matrix run {env.name}"
    assert record.get("requirement") == env.requirement, f"results are stale; {rerun}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", record["date"])
    if record["error"]:
        assert record["snippets"] == {}, "a failed environment records its reason only"
        return
    assert set(record["versions"]) == {"tensorflow", "keras", "numpy", "python"}
    assert sorted(record["snippets"]) == NAMES, f"results do not cover the snippets; {rerun}"


def test_reference_results_equal_the_stored_outputs():
    record = RECORDS[matrix.REFERENCE.name]
    assert not record["error"], record["error"]
    assert content.Versions(**record["versions"]) == content.Versions.stored()
    for snippet in content.snippets():
        name, stored = snippet.name, snippet.stored_output()
        outcome = record["snippets"][name]
        assert (outcome["problem"], outcome["output"]) == (None, stored), (
            f"{name}: the reference results differ from snippets/{name}.out; "
            "rerun: python -m tools.matrix run " + matrix.REFERENCE.name
        )


def fake_records(**outputs_by_env):
    records = {}
    for env in matrix.ENVIRONMENTS:
        outputs = outputs_by_env.get(env.name.replace("-", "_").replace(".", "_"))
        if isinstance(outputs, str):
            records[env.name] = {"error": outputs, "snippets": {}}
            continue
        records[env.name] = {
            "date": "2026-01-01",
            "error": None,
            "versions": {"tensorflow": "9.9", "keras": "9.9", "numpy": "9.9", "python": "3.11"},
            "snippets": {n: {"output": o, "problem": None} for n, o in outputs.items()},
        }
    return records


def test_page_shows_differences_and_a_failed_environment_in_its_own_column():
    records = fake_records(
        tf_2_21={"alpha": "one\n", "beta": "two\n"},
        tf_2_16="`uv pip install tensorflow-cpu==2.16.2` failed: no matching wheel",
        keras_2={"alpha": "one\n", "beta": "three\n"},
    )

    page = compatibility.render_page(records, ["alpha", "beta"])

    assert "| [`alpha`](#alpha) | same | not run | same |" in page
    assert "| 2026-01-01 | all snippets ran |" in page
    assert "| [`beta`](#beta) | reference | not run | **[differs](#beta)** |" in page
    assert "no matching wheel" in page
    assert "### `alpha` {#alpha}\n\nSame output on all 2 versions that ran." in page
    beta = page.split("{#beta}")[1]
    assert '=== "Keras 2"' in beta and '=== "Differences"' in beta
    assert "    -two\n    +three\n" in beta


def test_page_counts_the_snippets_that_failed_in_an_environment():
    records = fake_records(tf_2_21={"alpha": "one\n"}, tf_2_16={"alpha": "one\n"}, keras_2={})
    records["keras-2"]["snippets"]["alpha"] = {"output": "", "problem": "raised TypeError"}
    page = compatibility.render_page(records, ["alpha"])
    assert "| 2026-01-01 | 1 of 1 snippets failed |" in page
    assert "[runner] the snippet raised TypeError" in page


def test_an_environment_that_cannot_be_built_is_recorded_with_its_reason(monkeypatch):
    def refuse(folder, requirement):
        raise matrix.InstallError(f"`uv pip install {requirement}` failed: no wheel")

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
    assert linked, "the Keras 2 note links to no row of the compatibility page"
    page = (ROOT / compatibility.PAGE).read_text(encoding="utf-8")
    for name in linked:
        assert f"**[differs](#{name})**" in page, f"{name} is linked but its outputs do not differ"


def test_versions_read_nightly_distribution_names(monkeypatch):
    installed = {
        "tf-nightly": "2.23.0.dev20261026",
        "keras-nightly": "3.16.0.dev2026",
        "numpy": "2.5.0",
    }

    def version(name):
        if name not in installed:
            raise importlib.metadata.PackageNotFoundError(name)
        return installed[name]

    monkeypatch.setattr(importlib.metadata, "version", version)
    assert (
        content.Versions.installed()
        .line()
        .startswith("TensorFlow 2.23.0.dev20261026, Keras 3.16.0.dev2026, NumPy 2.5.0, Python 3.")
    )


def test_drift_targets():
    assert matrix.drift_requirement("latest") == "tensorflow-cpu"
    assert matrix.drift_requirement("nightly") == "tf-nightly"
    assert matrix.drift_requirement("2.16.2") == "tensorflow-cpu==2.16.2"


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
    greedy = tmp_path / "greedy.yml"
    greedy.write_text(
        (WORKFLOWS / "drift.yml")
        .read_text(encoding="utf-8")
        .replace("issues: write", "issues: write\n      contents: write"),
        encoding="utf-8",
    )
    assert "job drift-issue: may not have write access to ['contents']" in "\n".join(
        policy_problems(greedy)
    )
