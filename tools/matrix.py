"""Run every snippet under several TensorFlow releases, and check for drift against a new one.

    python -m tools.matrix run [ENV ...]       run the matrix, write compat/results/<env>.json
                                               and regenerate the compatibility page
    python -m tools.matrix page                regenerate the compatibility page from the results
    python -m tools.matrix drift --tf VERSION  run the snippets under TensorFlow VERSION (or
                                               `latest`, or `nightly`) and print the differences
                                               from the stored outputs; exit 1 when there are
                                               some, 2 when that TensorFlow cannot be installed

Each environment is its own virtual environment, built with uv under .cache/matrix/. The snippets
are run there by the one snippet runner, tools/snippets.py, started with that environment's
interpreter (the runner runs every snippet with the interpreter it runs under).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = "compat/results"
PAGE = "docs/reference/compatibility.md"
CACHE = ".cache/matrix"
INSTALL_TIMEOUT = 1800


@dataclasses.dataclass(frozen=True)
class Environment:
    name: str
    requirement: str
    label: str
    note: str


# The first is the reference: the release every stored output and every page is verified with.
ENVIRONMENTS = [
    Environment("tf-2.21", "tensorflow-cpu==2.21.0", "TF 2.21", "current release, the reference"),
    # Keras pinned to the release that was current with TF 2.16.2, not today's Keras 3.
    Environment(
        "tf-2.16", "tensorflow-cpu==2.16.2 keras==3.3.3", "TF 2.16", "first release with Keras 3"
    ),
    Environment("keras-2", "tensorflow-cpu==2.15.1", "Keras 2", "TF 2.15, legacy"),
]
REFERENCE = ENVIRONMENTS[0]

# What `--tf` accepts besides a version number.
DRIFT_TARGETS = {"latest": "tensorflow-cpu", "nightly": "tf-nightly"}


class InstallError(Exception):
    """An environment that could not be built; the message says why."""


def _uv(*args: str) -> list[str]:
    # uv on PATH (pip puts it there), else as a module of the system Python, as the README uses it.
    found = shutil.which("uv")
    return [found, *args] if found else ["python3", "-m", "uv", *args]


def build_env(folder: Path, requirement: str) -> Path:
    """A virtual environment at `folder` with `requirement` installed; its interpreter."""
    python = folder / "bin" / "python"
    steps = {
        "uv venv": ["venv", "--quiet", "--allow-existing", "--python", sys.executable, str(folder)],
        f"uv pip install {requirement}": [
            "pip",
            "install",
            "--quiet",
            # .pyc files at install: no process of the matrix compiles TensorFlow again.
            "--compile-bytecode",
            "--python",
            str(python),
            *requirement.split(),
        ],
    }
    for label, args in steps.items():
        try:
            done = subprocess.run(
                _uv(*args), capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            raise InstallError(f"`{label}` took over {INSTALL_TIMEOUT} s") from None
        if done.returncode != 0:
            raise InstallError(
                f"`{label}` failed (exit status {done.returncode}):\n"
                + (done.stderr or done.stdout).strip()
            )
    return python


def collect(root: Path = ROOT) -> dict:
    """Run every snippet with this interpreter; what each printed, or why it did not count."""
    from tools import snippets

    paths, _ = snippets.discover(root)
    outcomes = {}
    # Every snippet really runs, each in a new interpreter: no cached or forked results.
    for path, result in snippets.run_all(paths, root, fresh=True, cache=False).items():
        if isinstance(result, str):
            outcomes[path.stem] = {"output": "", "problem": result}
        else:
            problem = result.problem and result.problem.strip()
            outcomes[path.stem] = {"output": result.output, "problem": problem}
    tensorflow, keras, python = (
        part.split(" ", 1)[1] for part in snippets.versions().strip().split(", ")
    )
    return {
        "versions": {"tensorflow": tensorflow, "keras": keras, "python": python},
        "snippets": outcomes,
    }


def run_environment(env: Environment, root: Path = ROOT) -> dict:
    """The results record of one environment; a failure is recorded with its reason."""
    started = time.monotonic()
    record: dict = {
        "environment": env.name,
        "requirement": env.requirement,
        "date": datetime.date.today().isoformat(),
        "error": None,
        "versions": None,
        "snippets": {},
    }
    try:
        python = build_env(root / CACHE / env.name, env.requirement)
        done = subprocess.run(
            [str(python), "-m", "tools.matrix", "collect", "--root", str(root)],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise InstallError(
                f"the snippet runner failed (exit status {done.returncode}):\n"
                + done.stderr.strip()[-2000:]
            )
        record.update(json.loads(done.stdout))
    except InstallError as error:
        record["error"] = str(error)
    record["seconds"] = round(time.monotonic() - started)
    return record


def results_path(env: Environment, root: Path = ROOT) -> Path:
    return root / RESULTS / f"{env.name}.json"


def load_results(root: Path = ROOT) -> dict[str, dict]:
    """The stored record of every environment; a missing one is reported as not run."""
    records = {}
    for env in ENVIRONMENTS:
        path = results_path(env, root)
        if path.exists():
            records[env.name] = json.loads(path.read_text(encoding="utf-8"))
        else:
            records[env.name] = {"error": f"no results: {path.relative_to(root)} is missing"}
    return records


# --- the compatibility page ---------------------------------------------------------------


def _fence(text: str, language: str, indent: str = "") -> list[str]:
    # Trailing spaces cannot be seen in a code block, and the Markdown linter refuses them.
    lines = [f"{indent}```{language}"]
    lines += [(indent + line).rstrip() for line in text.splitlines()]
    return lines + [f"{indent}```"]


def _heading(env: Environment) -> str:
    return f"{env.label} ({env.note})"


def _shown(outcome: dict | None) -> str:
    """What a reader sees for one snippet in one environment."""
    if outcome is None:
        return "(not run: this snippet did not exist when these results were recorded)"
    text = outcome["output"]
    if outcome["problem"]:
        text += f"\n[runner] the snippet {outcome['problem']}"
    return text


def render_page(records: dict[str, dict], snippet_names: list[str]) -> str:
    """docs/reference/compatibility.md, from the results records (a pure function of them)."""
    ran = [env for env in ENVIRONMENTS if not records[env.name].get("error")]
    out = [
        "---",
        "description: >-",
        "  Every example of the explainer, run under several TensorFlow and Keras releases: which",
        "  outputs hold on which version, and what changes between Keras 2 and Keras 3.",
        "---",
        "",
        "<!-- Generated by `python -m tools.matrix page` from compat/results/; do not edit. -->",
        "",
        "# Compatibility across TensorFlow versions",
        "",
        "Every example of the explainer was run, unchanged, in a separate virtual environment",
        "for each release below. The outputs here are what those runs printed. The first",
        "environment is the reference: the explainer shows its outputs and the tests check them",
        "on every change.",
        "",
        "## Environments",
        "",
        "| Environment | TensorFlow | Keras | Python | Run on | Result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for env in ENVIRONMENTS:
        record = records[env.name]
        versions = record.get("versions") or {}
        result = "not run, see below" if record.get("error") else "all snippets ran"
        out.append(
            f"| {_heading(env)} | {versions.get('tensorflow', '-')} | "
            f"{versions.get('keras', '-')} | {versions.get('python', '-')} | "
            f"{record.get('date', '-')} | {result} |"
        )
    out += [
        "",
        "Each environment installs the packages its requirement names; where Keras is not named,",
        "it is the version the installer resolves for that TensorFlow.",
        "",
    ]
    for env in ENVIRONMENTS:
        if records[env.name].get("error"):
            out += [f'!!! failure "{env.label}: not run"', ""]
            out += _fence(records[env.name]["error"], "text", "    ")
            out.append("")

    reference = records[REFERENCE.name].get("snippets", {})
    rows, sections = [], []
    for name in snippet_names:
        outcomes = {env.name: records[env.name]["snippets"].get(name) for env in ran}
        shown = {env.name: _shown(outcomes[env.name]) for env in ran}
        same = len(set(shown.values())) == 1
        cells = []
        for env in ENVIRONMENTS:
            if env not in ran:
                cells.append("not run")
            elif same:
                cells.append("same")
            elif env == REFERENCE or shown[env.name] == shown[REFERENCE.name]:
                cells.append("as reference" if env != REFERENCE else "reference")
            else:
                cells.append(f"**[differs](#{name})**")
        rows.append(f"| [`{name}`](#{name}) | " + " | ".join(cells) + " |")
        sections += [f"### `{name}` {{#{name}}}", ""]
        if same and ran:
            sections += [f"Same output on all {len(ran)} versions that ran.", ""]
            sections += _fence(shown[ran[0].name], "text") + [""]
            continue
        sections += [
            "Outputs differ. Each tab shows one environment; the last tab shows the lines that",
            "differ from the reference.",
            "",
        ]
        for env in ran:
            sections += [f'=== "{env.label}"', ""]
            sections += _fence(shown[env.name], "text", "    ") + [""]
        if REFERENCE in ran and name in reference:
            diff = []
            for env in ran[1:]:
                diff += difflib.unified_diff(
                    shown[REFERENCE.name].splitlines(),
                    shown[env.name].splitlines(),
                    fromfile=REFERENCE.label,
                    tofile=env.label,
                    lineterm="",
                )
            sections += ['=== "Differences"', ""]
            sections += _fence("\n".join(diff), "diff", "    ") + [""]

    out += [
        "## Snippets",
        "",
        "| Snippet | " + " | ".join(env.label for env in ENVIRONMENTS) + " |",
        "| --- |" + " --- |" * len(ENVIRONMENTS),
        *rows,
        "",
        *sections,
    ]
    return "\n".join(out).rstrip("\n") + "\n"


def snippet_names(root: Path = ROOT) -> list[str]:
    from tools import snippets

    return [path.stem for path in snippets.discover(root)[0]]


def write_page(root: Path = ROOT) -> Path:
    page = root / PAGE
    page.write_text(render_page(load_results(root), snippet_names(root)), encoding="utf-8")
    return page


# --- drift ----------------------------------------------------------------------------------


def drift_requirement(tf: str) -> str:
    return DRIFT_TARGETS.get(tf) or f"tensorflow-cpu=={tf}"


def check_with(python: Path, names: list[str], root: Path = ROOT, echo: bool = False):
    """`tools.snippets check` run by another interpreter: its exit status and its report."""
    command = [str(python), "-m", "tools.snippets", "check", *names, "--root", str(root)]
    # Unbuffered, so "ok" lines and FAIL messages keep their order in the merged stream.
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    lines = []
    with subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        for line in proc.stdout:
            lines.append(line)
            if echo:
                print(line, end="", flush=True)
    return proc.returncode, "".join(lines)


def drift(tf: str, names: list[str], report: Path | None, root: Path = ROOT) -> int:
    """0: same outputs; 1: outputs differ; 2: that TensorFlow could not be installed."""
    requirement = drift_requirement(tf)
    print(f"building a throwaway environment with {requirement} ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="tf-drift-") as tmp:
        try:
            python = build_env(Path(tmp) / "env", requirement)
        except InstallError as error:
            status, text = 2, str(error)
            print(text)
        else:
            status, text = check_with(python, names, root, echo=True)
            versions = subprocess.run(
                [str(python), "-c", "from tools.snippets import versions; print(versions())"],
                cwd=root,
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
    verdict = {
        0: "no drift: every snippet printed its stored output",
        1: "DRIFT: outputs differ from the stored outputs (see the diff above)",
    }.get(status, f"could not check {requirement}")
    if status in (0, 1):
        verdict += f" under {versions}"
    print(verdict)
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        body = [f"## `--tf {tf}` ({requirement}): {verdict}", ""]
        body += _fence(text.strip(), "diff" if status == 1 else "text") + [""]
        report.write_text("\n".join(body), encoding="utf-8")
    return status if status in (0, 1) else 2


# --- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.matrix", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the matrix and regenerate the page")
    run.add_argument("envs", nargs="*", help="environment names (default: all)")
    commands.add_parser("page", help="regenerate the compatibility page from the results")
    check = commands.add_parser("drift", help="check the snippets against another TensorFlow")
    check.add_argument("--tf", required=True, help="a version such as 2.16.2, latest or nightly")
    check.add_argument("--report", type=Path, help="also write the result as Markdown here")
    check.add_argument("names", nargs="*", help="snippet names (default: all)")
    collector = commands.add_parser("collect", help=argparse.SUPPRESS)
    collector.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)

    if args.command == "collect":  # runs inside a matrix environment
        print(json.dumps(collect(args.root.resolve())))
        return 0
    if args.command == "drift":
        return drift(args.tf, args.names, args.report)
    if args.command == "run":
        known = {env.name: env for env in ENVIRONMENTS}
        unknown = set(args.envs) - set(known)
        if unknown:
            parser.error(f"unknown environment {sorted(unknown)}; known: {sorted(known)}")
        chosen = [known[name] for name in args.envs] or ENVIRONMENTS
        failed = []
        for env in chosen:
            print(
                f"{env.name}: installing {env.requirement} and running the snippets ...", flush=True
            )
            record = run_environment(env)
            path = results_path(env)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
            state = f"FAILED: {record['error']}" if record["error"] else "done"
            if record["error"]:
                failed.append(env.name)
            print(f"{env.name}: {state} in {record['seconds']} s -> {path.relative_to(ROOT)}")
    print(f"wrote {write_page().relative_to(ROOT)}")
    # A failed environment is on the page with its reason; the exit status says so too.
    return 1 if args.command == "run" and failed else 0


if __name__ == "__main__":
    sys.exit(main())
