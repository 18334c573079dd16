"""How long snippet verification takes, against its floor and the naive fresh-process runs.

    .venv/bin/python benchmarks/snippets.py [--repeat N]

floor = one `import tensorflow` (median of N fresh processes, timed inside each) + the sum of
each snippet's own compute, measured in its own process after TensorFlow is imported (a snippet
that starts worker processes waits for them, so their time is in its compute). The runner uses
two workers, so the table also shows the floor on two workers: the import once, the compute
halved. Everything
is measured in the same run, so the ratios hold even on a busy machine; load averages are printed
beside them.

The floor is only a floor when the import reads compiled bytecode: without .pyc files every
process compiles TensorFlow again (5.5 s instead of 2.2 s here). The benchmark refuses to run in
an environment that has no bytecode for TensorFlow.
"""

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import content, runner  # noqa: E402

# The import alone, timed inside the process (without interpreter start-up and teardown).
IMPORT = """\
import sys, time
start = time.perf_counter()
import tensorflow
with open(sys.argv[1], "w") as f:
    f.write(str(time.perf_counter() - start))
"""

# Runs one snippet after importing TensorFlow and writes how long the snippet itself took.
COMPUTE = """\
import runpy, sys, time
import tensorflow, keras
path, report = sys.argv[1], sys.argv[2]
sys.argv[:] = [path]
sys.path[0] = "snippets"
start = time.perf_counter()
try:
    runpy.run_path(path, run_name="__main__")
except BaseException:
    pass
with open(report, "w") as f:
    f.write(str(time.perf_counter() - start))
"""


def require_bytecode(package: str = "tensorflow") -> int:
    """The number of .py files of `package`; exits naming the first ones without a .pyc file.

    Raises SystemExit when the package is not installed or any of its modules has no bytecode
    (install with `uv sync`, which compiles because of `compile-bytecode` in pyproject.toml).
    """
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        sys.exit(f"benchmark: {package} is not installed in {sys.prefix}")
    sources = sorted(Path(spec.origin).parent.rglob("*.py"))
    missing = [s for s in sources if not Path(importlib.util.cache_from_source(str(s))).exists()]
    if missing:
        sys.exit(
            f"benchmark: {len(missing)} of {len(sources)} modules of {package} in {sys.prefix} "
            f"have no bytecode (first: {missing[0]}); a floor measured on source imports is not "
            "a floor. Install with `python3 -m uv sync --locked`, which compiles them."
        )
    return len(sources)


def wall(command: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each cheap measurement")
    args = parser.parse_args()
    compiled = require_bytecode()
    python = sys.executable
    found = content.snippets()
    check = [python, "-m", "tools.snippets", "check"]
    local = {k: v for k, v in os.environ.items() if k != "CI"}
    load_before = load()

    compute = {}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "seconds"
        imports = []
        for _ in range(args.repeat):
            subprocess.run(
                [python, "-c", IMPORT, str(report)],
                cwd=ROOT,
                check=False,
                stderr=subprocess.DEVNULL,
            )
            imports.append(float(report.read_text()))
        import_time = statistics.median(imports)
        for snippet in found:
            rel = snippet.label
            subprocess.run(
                [python, "-c", COMPUTE, rel, str(report)],
                cwd=ROOT,
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            compute[snippet.name] = float(report.read_text())
    floor = import_time + sum(compute.values())

    rows = [
        (f"import tensorflow (median of {args.repeat})", import_time),
        (f"snippets' own compute (sum of {len(found)})", sum(compute.values())),
        ("floor", floor),
        # What the same work costs at best on two workers: one import, the compute shared out.
        ("floor on 2 workers (import + compute / 2)", import_time + sum(compute.values()) / 2),
    ]
    rows.append(
        (
            "fresh process per snippet, sequential",
            timed(lambda: runner.run_all(found, workers=1, new_processes=True, cache=False)),
        )
    )
    rows.append(
        (
            "fresh process per snippet, 2 workers",
            timed(lambda: runner.run_all(found, workers=2, new_processes=True, cache=False)),
        )
    )
    ours = [wall([*check, "--no-cache"], env=local) for _ in range(args.repeat)]
    rows.append(
        (
            f"ours: forked from one server, 2 workers (median of {args.repeat})",
            statistics.median(ours),
        )
    )
    wall([*check], env=local)  # fills the cache if the run above could not
    unchanged = [wall(check, env=local) for _ in range(args.repeat)]
    rows.append(
        (
            f"ours, nothing changed: cached re-check (median of {args.repeat})",
            statistics.median(unchanged),
        )
    )

    versions = content.Versions.installed().line().strip()
    print(f"{len(found)} snippets, {os.cpu_count()} CPUs, {versions}")
    print(f"bytecode: all {compiled} modules of tensorflow compiled")
    print(f"load averages (1, 5, 15 min): before {load_before}, after {load()}\n")
    print("| run | seconds | × floor |\n| --- | ---: | ---: |")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.3g} | {seconds / floor:.2f} |")
    print(
        f"\nimport runs: {', '.join(f'{t:.1f}' for t in imports)}; ours runs: "
        f"{', '.join(f'{t:.1f}' for t in ours)}; cached runs: "
        f"{', '.join(f'{t:.2f}' for t in unchanged)}"
    )


if __name__ == "__main__":
    main()
