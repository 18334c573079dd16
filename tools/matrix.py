"""Run every snippet under several TensorFlow releases, and check for drift against a new one.

    python -m tools.matrix run [ENV ...]       run the matrix, write compat/results/<env>.json
                                               (`python -m tools.generate` then writes the
                                               compatibility page from them)
    python -m tools.matrix list                the environment names, as JSON (for CI)
    python -m tools.matrix drift --tf VERSION  run the snippets under TensorFlow VERSION (or
                                               `latest`, or `nightly`) and print the differences
                                               from the stored outputs; exit 1 when there are
                                               some, 2 when that TensorFlow cannot be installed

Each environment is its own virtual environment, built with uv; the environments of the other
Keras backends (JAX, PyTorch) are built as tools/backends.py builds them, with pip from their
pinned requirements. The snippets of an environment's backend are run there by the one snippet
runner, started with that environment's interpreter as
`python -m tools.snippets report --backend NAME`, which prints the versions and each snippet's
output as JSON: the one way this project runs code in another interpreter.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools import backends, content, project, runner
from tools.project import ROOT

RESULTS = "compat/results"
LEGACY_KERAS = Path(__file__).resolve().parent / "legacy_keras.py"  # copied, never imported
CACHE = ".cache/matrix"
INSTALL_TIMEOUT = 1800  # seconds
REPORT_TIMEOUT = 3600  # seconds for every snippet of one environment


@dataclasses.dataclass(frozen=True)
class Environment:
    """One release the snippets are run under, in a virtual environment of its own."""

    name: str  # also the results file: compat/results/<name>.json
    requirement: str  # what uv installs (Keras as the installer resolves it, unless named)
    label: str  # how the compatibility page names it
    line: str  # "Keras 3", or "Keras 2" for TF 2.15 and the legacy path (tf-keras)
    excludes: tuple[str, ...] = ()  # distributions not to install (a second TensorFlow)
    legacy_keras: bool = False  # `import keras` gives tf_keras (tools/legacy_keras.py)
    backend: str = backends.DEFAULT  # the Keras backend whose snippets it runs

    @property
    def requirements(self) -> str | None:
        """The pinned requirements file of a backend environment (its requirement is `-r` it)."""
        return self.requirement.removeprefix("-r ") if self.requirement.startswith("-r ") else None


KERAS_3, KERAS_2 = "Keras 3", "Keras 2"
# Every Keras 3 environment also gets the tf-keras of its TensorFlow, so that Keras 2 code runs
# there as its readers run it (snippets/legacy_keras_state.py). tf-keras requires the
# `tensorflow` distribution, a second copy of what tensorflow-cpu installs: it is left out.
NO_SECOND_TF = ("tensorflow",)
PINNED = " ".join(project.snippets_requirements())  # the reference: what the tests run with
# Oldest first within each line; the page reads "since which release" in this order.
ENVIRONMENTS = [
    Environment("keras-2", "tensorflow-cpu==2.15.1", "TF 2.15", KERAS_2),
    Environment(
        "legacy", PINNED, "TF 2.21 with tf-keras", KERAS_2, NO_SECOND_TF, legacy_keras=True
    ),
    # The Keras of TF 2.16's day, then each TensorFlow with the Keras the installer resolves.
    Environment(
        "tf-2.16-keras-3.3",
        "tensorflow-cpu==2.16.2 keras==3.3.3 tf-keras==2.16.0",
        "TF 2.16 with Keras 3.3",
        KERAS_3,
        NO_SECOND_TF,
    ),
    Environment(
        "tf-2.16", "tensorflow-cpu==2.16.2 tf-keras==2.16.0", "TF 2.16", KERAS_3, NO_SECOND_TF
    ),
    Environment(
        "tf-2.17", "tensorflow-cpu==2.17.1 tf-keras==2.17.0", "TF 2.17", KERAS_3, NO_SECOND_TF
    ),
    Environment(
        "tf-2.18", "tensorflow-cpu==2.18.1 tf-keras==2.18.0", "TF 2.18", KERAS_3, NO_SECOND_TF
    ),
    Environment(
        "tf-2.19", "tensorflow-cpu==2.19.1 tf-keras==2.19.0", "TF 2.19", KERAS_3, NO_SECOND_TF
    ),
    Environment(
        "tf-2.20", "tensorflow-cpu==2.20.0 tf-keras==2.20.1", "TF 2.20", KERAS_3, NO_SECOND_TF
    ),
    Environment("tf-2.21", PINNED, "TF 2.21", KERAS_3, NO_SECOND_TF),
    # The newest release and the nightly, as the drift check runs them.
    Environment("latest", "tensorflow-cpu tf-keras", "newest release", KERAS_3, NO_SECOND_TF),
    Environment("nightly", "tf-nightly tf-keras-nightly", "nightly", KERAS_3),
    # Each other backend's own environment, as the tests run it (tools/backends.py).
    *(
        Environment(b.name, f"-r {b.requirements}", b.label, KERAS_3, backend=b.name)
        for b in backends.BACKENDS.values()
        if b.requirements
    ),
]
# The release every stored output and every page is verified with: the pin of pyproject.toml.
REFERENCE = next(e for e in ENVIRONMENTS if e.requirement == PINNED and not e.legacy_keras)
# Per backend, the environment whose outputs the pages show: for another backend, its own.
REFERENCES = {REFERENCE.backend: REFERENCE} | {
    e.backend: e for e in ENVIRONMENTS if e.requirements is not None
}

# What `--tf` accepts besides a version number.
DRIFT_TARGETS = {"latest": "tensorflow-cpu tf-keras", "nightly": "tf-nightly tf-keras-nightly"}


class InstallError(Exception):
    """An environment that could not be built or run; the message says why."""


def _uv(*args: str) -> list[str]:
    # uv on PATH (pip puts it there), else as a module of the system Python, as the README uses it.
    found = shutil.which("uv")
    return [found, *args] if found else ["python3", "-m", "uv", *args]


def build_env(folder: Path, env: Environment) -> Path:
    """A virtual environment at `folder` with the environment's packages; its interpreter.

    Raises InstallError with uv's message when a step fails.
    """
    if env.requirements is not None:  # another backend's: made as its own environment is
        try:
            return backends.make_environment(folder, ROOT / env.requirements)
        except backends.BackendError as error:
            raise InstallError(str(error)) from None
    python = folder / "bin" / "python"
    install = ["pip", "install", "--quiet", "--compile-bytecode", "--python", str(python)]
    with tempfile.TemporaryDirectory() as tmp:
        if env.excludes:
            excludes = Path(tmp) / "excludes.txt"
            excludes.write_text("\n".join(env.excludes) + "\n", encoding="utf-8")
            install += ["--excludes", str(excludes)]
        steps = {
            "uv venv": [
                "venv",
                "--quiet",
                "--allow-existing",
                "--python",
                sys.executable,
                str(folder),
            ],
            # .pyc files at install: no process of the matrix compiles TensorFlow again.
            f"uv pip install {env.requirement}": [*install, *env.requirement.split()],
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
    if env.legacy_keras:
        _install_legacy_keras(python)
    return python


def _install_legacy_keras(python: Path) -> None:
    """Put tools/legacy_keras.py and the .pth file that imports it into site-packages.

    The module is copied as a file, never imported here: importing it sets TF_USE_LEGACY_KERAS
    in this process, which every environment run after it would inherit.
    """
    found = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    site_packages = Path(found.stdout.strip())
    (site_packages / LEGACY_KERAS.name).write_bytes(LEGACY_KERAS.read_bytes())
    (site_packages / f"{LEGACY_KERAS.stem}.pth").write_text(
        f"import {LEGACY_KERAS.stem}\n", encoding="utf-8"
    )


def report_with(python: Path, names: list[str], root: Path = ROOT, backend: str = backends.DEFAULT):
    """`tools.snippets report` run by another interpreter on the snippets of `backend`: its
    parsed report.

    Raises InstallError with the interpreter's stderr when it does not produce one.
    """
    from tools.snippets import Report

    command = [str(python), "-m", "tools.snippets", "report", *names, "--root", str(root)]
    command += ["--backend", backend]
    try:
        done = subprocess.run(
            command, cwd=root, capture_output=True, text=True, timeout=REPORT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise InstallError(f"the snippet runner took over {REPORT_TIMEOUT} s") from None
    if done.returncode != 0:
        raise InstallError(
            f"the snippet runner failed (exit status {done.returncode}):\n"
            + done.stderr.strip()[-2000:]
        )
    return Report.loads(done.stdout)


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
        python = build_env(root / CACHE / env.name, env)
        found = report_with(python, [], root, env.backend)
        record["versions"] = dataclasses.asdict(found.versions)
        record["backend"] = found.backend
        record["snippets"] = found.outcomes
    except InstallError as error:
        record["error"] = str(error)
    record["seconds"] = round(time.monotonic() - started)
    return record


# --- drift ----------------------------------------------------------------------------------


def drift_requirement(tf: str) -> str:
    """What the drift check installs for `--tf`: that TensorFlow and the tf-keras of its minor."""
    if tf in DRIFT_TARGETS:
        return DRIFT_TARGETS[tf]
    minor = ".".join(tf.split(".")[:2])
    return f"tensorflow-cpu=={tf} tf-keras=={minor}.*"


def differences(found, names: list[str], root: Path = ROOT) -> tuple[int, str]:
    """Compare another environment's report with the stored outputs: (status, report text).

    status 0: every snippet printed its stored output; 1: some did not, the text has the diffs.
    """
    lines, status = [], 0
    for snippet in content.snippets(root):
        if (names and snippet.name not in names) or snippet.name not in found.outcomes:
            continue  # not asked for, or of another backend
        outcome = found.outcomes[snippet.name]
        stored = snippet.stored_output() or ""
        if outcome["problem"]:
            status = 1
            lines.append(f"FAIL {snippet.label} {outcome['problem']}\n")
        elif outcome["output"] != stored:
            status = 1
            lines.append(
                f"FAIL {snippet.label}: output differs from the stored output\n"
                + runner.diff(
                    stored,
                    outcome["output"],
                    f"{snippet.out_label} (stored)",
                    f"{snippet.label} (run with {found.versions.line().strip()})",
                )
            )
        else:
            lines.append(f"ok {snippet.label}\n")
    return status, "".join(lines)


def drift(tf: str, names: list[str], report: Path | None, root: Path = ROOT) -> int:
    """0: same outputs; 1: outputs differ; 2: that TensorFlow could not be installed."""
    requirement = drift_requirement(tf)
    print(f"building a throwaway environment with {requirement} ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="tf-drift-") as tmp:
        try:
            excludes = () if tf == "nightly" else NO_SECOND_TF
            target = Environment(f"drift-{tf}", requirement, requirement, KERAS_3, excludes)
            found = report_with(build_env(Path(tmp) / "env", target), names, root)
        except InstallError as error:
            status, text, versions = 2, str(error), None
        else:
            status, text = differences(found, names, root)
            versions = found.versions.line().strip()
    print(text, end="" if text.endswith("\n") else "\n")
    verdict = {
        0: "no drift: every snippet printed its stored output",
        1: "DRIFT: outputs differ from the stored outputs (see the diff above)",
    }.get(status, f"could not check {requirement}")
    if versions:
        verdict += f" under {versions}"
    print(verdict)
    if report:
        from tools.compatibility import _fence

        report.parent.mkdir(parents=True, exist_ok=True)
        body = [f"## `--tf {tf}` ({requirement}): {verdict}", ""]
        body += _fence(text.strip(), "diff" if status == 1 else "text") + [""]
        report.write_text("\n".join(body), encoding="utf-8")
    return status


# --- command line ---------------------------------------------------------------------------


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.matrix", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run environments, write compat/results/<env>.json")
    run.add_argument("envs", nargs="*", help="environment names (default: all)")
    commands.add_parser("list", help="print the environment names as a JSON list")
    check = commands.add_parser("drift", help="check the snippets against another TensorFlow")
    check.add_argument("--tf", required=True, help="a version such as 2.16.2, latest or nightly")
    check.add_argument("--report", type=Path, help="also write the result as Markdown here")
    check.add_argument("names", nargs="*", help="snippet names (default: all)")
    args = parser.parse_args(argv)

    if args.command == "drift":
        return drift(args.tf, args.names, args.report)
    if args.command == "list":
        print(json.dumps([env.name for env in ENVIRONMENTS]))
        return 0
    known = {env.name: env for env in ENVIRONMENTS}
    unknown = set(args.envs) - set(known)
    if unknown:
        parser.error(f"unknown environment {sorted(unknown)}; known: {sorted(known)}")
    failed = []
    for env in [known[name] for name in args.envs] or ENVIRONMENTS:
        print(f"{env.name}: installing {env.requirement} and running the snippets ...", flush=True)
        record = run_environment(env)
        path = results_path(env)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        if record["error"]:
            failed.append(env.name)
        state = f"FAILED: {record['error']}" if record["error"] else "done"
        print(f"{env.name}: {state} in {record['seconds']} s -> {path.relative_to(ROOT)}")
    print("the compatibility page is made from these: .venv/bin/python -m tools.generate")
    # A failed environment is recorded with its reason; the exit status says so too.
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
