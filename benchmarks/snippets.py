"""How long snippet verification takes, against its floor and the naive fresh-process runs.

    .venv/bin/python benchmarks/snippets.py [--repeat N]

Every snippet runs under its Keras backend, in that backend's environment (tools/backends.py).
floor = one `import keras` per backend the snippets use, in its environment with KERAS_BACKEND
set (median of N fresh processes, timed inside each; it imports TensorFlow, JAX or PyTorch) + the
sum of each snippet's own compute, measured in its own process after that import (a snippet that
starts worker processes waits for them, so their time is in its compute). The runner uses two
workers, so the table also shows the floor on two workers: each backend's import once, the
compute halved, as for one backend (lenient: two imports could overlap), and beside it the
bound no schedule on two CPUs can beat, every import and compute halved. Everything is measured
in the same run, so the ratios hold even on a busy machine; load averages are printed beside
them. Last, where ours spends more than the floor: the CPU seconds its runs used, and the
snippets whose time in ours (start to reply, as the runner keeps it) most exceeds their compute,
each with the CPUs it used on average when run alone (its CPU seconds over its seconds).

The floor is only a floor when the import reads compiled bytecode: without .pyc files every
process compiles TensorFlow again (5.5 s instead of 2.2 s here). The benchmark refuses to run
when a backend's library has no bytecode in its environment.
"""

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import backends, content, runner  # noqa: E402
from tools.runner import cache as check_cache  # noqa: E402

# The import alone, timed inside the process (without interpreter start-up and teardown).
IMPORT = """\
import sys, time
start = time.perf_counter()
import keras
with open(sys.argv[1], "w") as f:
    f.write(str(time.perf_counter() - start))
"""

# Runs one snippet after importing Keras (and its backend) and writes how long the snippet
# itself took and the CPU seconds it used (its threads, and its worker processes once waited for).
COMPUTE = """\
import resource, runpy, sys, time
import keras
path, report = sys.argv[1], sys.argv[2]
sys.argv[:] = [path]
sys.path[0] = "snippets"
def cpu():
    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in used)
start, cpu_start = time.perf_counter(), cpu()
try:
    runpy.run_path(path, run_name="__main__")
except BaseException:
    pass
with open(report, "w") as f:
    f.write(f"{time.perf_counter() - start} {cpu() - cpu_start}")
"""


def require_bytecode(package: str = "tensorflow", python: Path | None = None) -> int:
    """The number of .py files of `package` in the environment of `python` (default: this one);
    exits naming the first ones without a .pyc file.

    Raises SystemExit when the package is not installed or any of its modules has no bytecode
    (install with `uv sync`, which compiles because of `compile-bytecode` in pyproject.toml, or
    `python3 -m tools.backends install`, whose pip compiles).
    """
    folders = backends.site_packages_of(python)
    found = [f / package for f in folders if (f / package / "__init__.py").is_file()]
    prefix = python.parent.parent if python else sys.prefix
    if not found:
        sys.exit(f"benchmark: {package} is not installed in {prefix}")
    sources = sorted(found[0].rglob("*.py"))
    missing = [
        s
        for s in sources
        if not Path(importlib.util.cache_from_source(str(s))).exists() and compiles(s)
    ]
    if missing:
        sys.exit(
            f"benchmark: {len(missing)} of {len(sources)} modules of {package} in {prefix} "
            f"have no bytecode (first: {missing[0]}); a floor measured on source imports is not "
            "a floor. Install with `python3 -m uv sync --locked` or, for JAX and PyTorch, "
            "`python3 -m tools.backends install`, which compile them."
        )
    return len(sources)


def compiles(source: Path) -> bool:
    """False for a module this Python cannot compile (torch ships one in 3.12 syntax): it cannot
    be imported either, so it has no bytecode to miss."""
    try:
        compile(source.read_bytes(), str(source), "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def backend_of(snippet: content.Snippet) -> backends.Backend:
    return backends.get(snippet.directives().backend)


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


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process of this one, and of theirs."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each cheap measurement")
    args = parser.parse_args()
    found = content.snippets()
    used = [b for b in backends.BACKENDS.values() if any(backend_of(s) == b for s in found)]
    libraries = {b.name: b.distributions[0].split("-")[0] for b in used}  # tensorflow, jax, torch
    compiled = {
        b.name: require_bytecode(libraries[b.name], None if b.environment is None else b.python())
        for b in used
    }
    python = sys.executable
    check = [python, "-m", "tools.snippets", "check"]
    local = {k: v for k, v in os.environ.items() if k != "CI"}
    load_before = load()

    compute = {}
    cpus = {}  # CPUs a snippet used on average when run alone: its CPU seconds / its seconds
    imports: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "seconds"
        for backend in used:
            env = runner.child_env(backend.name)
            imports[backend.name] = []
            for _ in range(args.repeat):
                subprocess.run(
                    [str(backend.python()), "-c", IMPORT, str(report)],
                    cwd=ROOT,
                    env=env,
                    check=False,
                    stderr=subprocess.DEVNULL,
                )
                imports[backend.name].append(float(report.read_text()))
        for snippet in found:
            backend = backend_of(snippet)
            subprocess.run(
                [str(backend.python()), "-c", COMPUTE, snippet.label, str(report)],
                cwd=ROOT,
                env=runner.child_env(backend.name),
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            seconds, cpu_seconds = map(float, report.read_text().split())
            compute[snippet.name] = seconds
            cpus[snippet.name] = cpu_seconds / seconds if seconds else 0.0
    import_times = {name: statistics.median(times) for name, times in imports.items()}
    import_time = sum(import_times.values())
    floor = import_time + sum(compute.values())

    rows = [
        (f"import keras under {b.label} (median of {args.repeat})", import_times[b.name])
        for b in used
    ]
    rows += [
        (f"snippets' own compute (sum of {len(found)})", sum(compute.values())),
        ("floor", floor),
        # What the same work costs at best on two workers: each import, the compute shared out.
        ("floor on 2 workers (imports + compute / 2)", import_time + sum(compute.values()) / 2),
        ("no schedule beats on 2 CPUs ((imports + compute) / 2)", floor / 2),
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
    cpu_before = children_cpu()
    ours = [wall([*check, "--no-cache"], env=local) for _ in range(args.repeat)]
    ours_cpu = (children_cpu() - cpu_before) / args.repeat
    # Each snippet's seconds in the last of those runs, from its start in a worker to its reply
    # (a wait for its server's import included), which the runner keeps to order the next run.
    spent = check_cache.durations(ROOT)
    in_ours = {s.name: spent.get(check_cache.duration_key(s, s.directives())) for s in found}
    rows.append(
        (
            f"ours: forked from a server per backend, 2 workers (median of {args.repeat})",
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
    per_backend = ", ".join(f"{sum(backend_of(s) == b for s in found)} {b.label}" for b in used)
    print(f"{len(found)} snippets ({per_backend}), {os.cpu_count()} CPUs, {versions}")
    print(
        "bytecode: " + ", ".join(f"all {n} modules of {libraries[b]}" for b, n in compiled.items())
    )
    print(f"load averages (1, 5, 15 min): before {load_before}, after {load()}\n")
    print("| run | seconds | × floor |\n| --- | --- | --- |")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.3g} | {seconds / floor:.2f} |")
    runs = "; ".join(f"{b} " + ", ".join(f"{t:.1f}" for t in ts) for b, ts in imports.items())
    print(
        f"\nimport runs: {runs}; ours runs: "
        f"{', '.join(f'{t:.1f}' for t in ours)}; cached runs: "
        f"{', '.join(f'{t:.2f}' for t in unchanged)}"
    )
    # Where ours spends more than the floor.
    timed_in_ours = {name: t for name, t in in_ours.items() if t is not None}
    more = sorted(timed_in_ours, key=lambda name: compute[name] - timed_in_ours[name])
    print(
        f"\nours used {ours_cpu:.1f} CPU seconds a run, "
        f"{ours_cpu / (2 * statistics.median(ours)):.0%} of two CPUs over its median run; "
        f"the snippets' times in its last run add up to {sum(timed_in_ours.values()):.1f} s "
        f"against {sum(compute[n] for n in timed_in_ours):.1f} s of their own compute "
        f"({len(timed_in_ours)} of {len(found)} snippets timed). The most over:\n"
    )
    print(
        "| snippet | in ours | own compute | more | CPUs alone |\n| --- | --- | --- | --- | --- |"
    )
    for name in more[:8]:
        print(
            f"| {name} | {timed_in_ours[name]:.2f} | {compute[name]:.2f} "
            f"| {timed_in_ours[name] - compute[name]:+.2f} | {cpus[name]:.2f} |"
        )


if __name__ == "__main__":
    main()
