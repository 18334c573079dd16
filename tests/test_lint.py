"""The linters of .pre-commit-config.yaml, run by the tests so that CI enforces them too.

ruff checks the Python code and its formatting; PyMarkdown (settings and reasons in
.pymarkdown.yml) checks every Markdown file. The workflow linters run in tests/test_workflows.py.
A missing tool fails these tests; it never skips them.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tools.project import ROOT

# Folders that hold no Markdown of ours: tools' caches, environments, build output.
NOT_OURS = {
    ".git",
    ".venv",
    ".venvs",
    ".cache",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    "node_modules",
    "site",
    "test-artifacts",
}
MARKDOWN = sorted(p for p in ROOT.rglob("*.md") if not NOT_OURS & set(p.relative_to(ROOT).parts))
# The Python code that the format check (and the pre-commit hook `ruff-format`) covers.
FORMATTED = ["snippets", "tools", "tests"]


def tool(name):
    exe = Path(sys.executable).parent / name
    assert exe.is_file(), (
        f"{name} is not installed beside {sys.executable}: run `bash scripts/test`"
    )
    return str(exe)


def run(args, cwd=ROOT):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def pymarkdown(files, cwd=ROOT):
    config = ROOT / ".pymarkdown.yml"
    return run(
        [tool("pymarkdown"), "--strict-config", "--config", str(config), "scan", *map(str, files)],
        cwd=cwd,
    )


def test_ruff_check():
    result = run([tool("ruff"), "check", "--no-cache", "."])
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    result = run([tool("ruff"), "format", "--no-cache", "--check", *FORMATTED])
    assert result.returncode == 0, (
        result.stdout + result.stderr + "\nfix with: .venv/bin/ruff format " + " ".join(FORMATTED)
    )


def test_markdown_files_are_found():
    found = {str(p.relative_to(ROOT)) for p in MARKDOWN}
    assert {"README.md", "CONTRIBUTING.md", "docs/index.md"} <= found
    assert ".github/pull_request_template.md" in found


def test_markdown_lint(scope):
    # With --page, the Markdown outside docs/ and the pages checked (tests/support.py, Scope).
    docs = ROOT / "docs"
    files = [p for p in MARKDOWN if scope is None or docs not in p.parents or p in scope.pages]
    result = pymarkdown(files)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.machinery
def test_the_linters_can_fail(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\nText right under the heading, with a trailing space. \n\n" + "word " * 21 + "\n",
        encoding="utf-8",
    )
    code = tmp_path / "bad.py"
    code.write_text("import os\nx=1\n", encoding="utf-8")

    found = pymarkdown([page], cwd=tmp_path).stdout
    ruff = run([tool("ruff"), "check", "--no-cache", "--isolated", str(code)])
    formatted = run([tool("ruff"), "format", "--no-cache", "--check", str(code)])

    assert "MD022" in found  # no blank line after the heading
    assert "MD009" in found  # trailing space
    assert "MD013: Line length [Expected: 100, Actual: 105]" in found  # our limit applies
    assert "F401" in ruff.stdout
    assert formatted.returncode == 1


def test_pre_commit_runs_the_same_linters():
    config_file = ROOT / ".pre-commit-config.yaml"
    result = run([tool("pre-commit"), "validate-config", str(config_file)])
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) == {"ruff", "ruff-format", "pymarkdown", "actionlint", "zizmor", "nbformat"}
    # Local hooks on the project's own tools: offline, and the locked versions.
    assert all(
        h["language"] == "system" and h["entry"].startswith(".venv/") for h in hooks.values()
    )
    assert "--config .pymarkdown.yml" in hooks["pymarkdown"]["entry"]


@pytest.mark.parametrize(
    "form", sorted((ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml")), ids=lambda p: p.name
)
def test_issue_forms_are_complete(form):
    data = yaml.safe_load(form.read_text(encoding="utf-8"))
    if form.name == "config.yml":
        assert isinstance(data.get("blank_issues_enabled"), bool)
        return
    assert data.get("name") and data.get("description"), f"{form.name}: name and description"
    body = data.get("body") or []
    assert any(item.get("validations", {}).get("required") for item in body), (
        f"{form.name}: no required field"
    )
    ids = [item["id"] for item in body if "id" in item]
    assert len(ids) == len(set(ids)), f"{form.name}: duplicate ids"


def test_the_guides_name_the_python_that_pyproject_requires():
    with (ROOT / "pyproject.toml").open("rb") as file:
        required = tomllib.load(file)["project"]["requires-python"]
    assert required.startswith(">=")
    for guide in ("README.md", "CONTRIBUTING.md"):
        text = " ".join((ROOT / guide).read_text(encoding="utf-8").split())
        assert f"Python {required.removeprefix('>=')} or newer" in text, guide
