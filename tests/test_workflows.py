"""The GitHub Actions workflows are linted, audited and held to this repo's rules.

actionlint checks that each workflow is valid, zizmor (offline) audits it for
security problems, and the policy checks below enforce what neither tool does
by default: top-level `permissions: {}`, every action pinned to a full commit
SHA with a `# v…` comment, `persist-credentials: false` on every checkout,
write scopes only in the deploy job and (issues only) in the drift-issue job,
no secrets and no pull_request_target.

A missing tool is reported as a problem, so these tests fail, never skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# The workflows: independent of the pages and snippets.
pytestmark = pytest.mark.machinery
WORKFLOWS = ROOT / ".github" / "workflows"

# (workflow file, job id) -> the only scopes it may have write access to. Every other job: none.
WRITE_ALLOWED = {
    ("ci.yml", "deploy"): {"pages", "id-token"},
    ("drift.yml", "drift-issue"): {"issues"},
    ("matrix.yml", "pull-request"): {"contents", "pull-requests"},
}

USES_LINE = re.compile(
    r"""^\s*(?:-\s+)?uses:\s*["']?(?P<ref>[^\s"'#]+)["']?\s*(?P<comment>#.*)?$"""
)
PINNED_REF = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^#\s*v\d")


def workflow_files(directory: Path = WORKFLOWS) -> list[Path]:
    return sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])


def find_tool(name: str) -> str | None:
    """The tool beside this interpreter (its venv) first, then anywhere on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    return shutil.which(name)


def run_tool(name: str, args: list[str], files: list[Path]) -> list[str]:
    exe = find_tool(name)
    if exe is None:
        return [f"[{name}] not installed: no `{name}` beside {sys.executable} or on PATH"]
    result = subprocess.run(
        [exe, *args, *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode == 0:
        return []
    return [f"[{name}] exit status {result.returncode}\n{result.stdout}{result.stderr}"]


def write_scopes(permissions: object) -> set[str]:
    if permissions == "write-all":
        return {"write-all"}
    if isinstance(permissions, dict):
        return {scope for scope, level in permissions.items() if level == "write"}
    return set()


def policy_problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    problems: list[str] = []

    def problem(message: str) -> None:
        problems.append(f"[policy] {path.name}: {message}")

    try:
        workflow = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problem(f"is not valid YAML: {error}")
        return problems
    if not isinstance(workflow, dict):
        problem("is not a YAML mapping")
        return problems

    top_permissions = workflow.get("permissions", "<missing>")
    if top_permissions != {}:
        problem(f"top-level permissions must be {{}}, found {top_permissions!r}")

    # PyYAML reads the key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    trigger_names = set(triggers) if isinstance(triggers, (dict, list)) else {triggers}
    if "pull_request_target" in trigger_names:
        problem("uses pull_request_target, which runs fork code with the base repo's token")
    if "secrets." in text:
        problem("references secrets; no workflow here needs any")

    # Pins are checked on the raw lines, since YAML drops the `# v…` comments.
    line_refs = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = USES_LINE.match(line)
        if not match:
            continue
        ref, comment = match["ref"], (match["comment"] or "").strip()
        line_refs.add(ref)
        if ref.startswith("./"):
            continue  # an action in this repo: pinned by the commit itself
        if not PINNED_REF.match(ref):
            problem(f"line {number}: {ref} is not pinned to a full 40-hex commit SHA")
        elif not VERSION_COMMENT.match(comment):
            problem(f"line {number}: {ref} has no `# v…` comment naming its version")

    jobs = workflow.get("jobs") or {}
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            continue  # actionlint reports the malformed job
        steps = [step for step in job.get("steps") or [] if isinstance(step, dict)]
        # A `uses` the line scan missed (flow style, say) would escape the pin check.
        for uses in [job.get("uses"), *(step.get("uses") for step in steps)]:
            if uses and uses not in line_refs:
                problem(f"job {job_id}: `uses: {uses}` is not on a `uses:` line of its own")

        checkouts = [s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")]
        for step in checkouts:
            if (step.get("with") or {}).get("persist-credentials") not in (False, "false"):
                problem(f"job {job_id}: actions/checkout without `persist-credentials: false`")

        permissions = job.get("permissions")
        reads_contents = isinstance(permissions, dict) and permissions.get("contents") in (
            "read",
            "write",
        )
        if checkouts and not reads_contents:
            problem(f"job {job_id}: checks out the repo but does not declare `contents: read`")

        extra = write_scopes(permissions) - WRITE_ALLOWED.get((path.name, job_id), set())
        if extra:
            problem(f"job {job_id}: may not have write access to {sorted(extra)}")

    return problems


def check_workflows(files: list[Path]) -> list[str]:
    """Every problem found in these workflow files; an empty list means they pass."""
    if not files:
        return ["[policy] no workflow files given"]
    problems = run_tool("actionlint", ["-no-color"], files)
    problems += run_tool(
        "zizmor",
        # --strict-collection: a file zizmor cannot parse fails instead of being skipped.
        ["--offline", "--no-progress", "--color=never", "--strict-collection"],
        files,
    )
    for path in files:
        problems += policy_problems(path)
    return problems


def test_workflows_pass_every_check():
    problems = check_workflows(workflow_files())
    assert not problems, "\n\n".join(problems)


BAD_WORKFLOW = """\
name: bad
on: pull_request
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
"""


def test_checks_catch_a_bad_workflow(tmp_path):
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")

    report = "\n".join(check_workflows(workflow_files(bad.parent)))

    # Both tools really ran and objected (not merely "not installed").
    assert "[actionlint] exit status" in report, report
    assert "[zizmor] exit status" in report, report
    assert "unpinned-uses" in report, report
    assert "template-injection" in report, report
    assert "artipacked" in report, report
    # And the policy checks object on their own.
    assert "top-level permissions must be {}, found 'write-all'" in report, report
    assert "actions/checkout@v4 is not pinned to a full 40-hex commit SHA" in report, report
    assert "actions/checkout without `persist-credentials: false`" in report, report
