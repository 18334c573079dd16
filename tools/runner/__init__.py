"""Where a snippet is run: each with fresh interpreter state, judged against its stored output.

`run_all(snippets)` runs snippets two at a time, the longest first, and returns one `Result` per
snippet. Each runs under the Keras backend it names (`# snippet: backend=jax`), with that
backend's interpreter and KERAS_BACKEND set (tools/backends.py). By default a snippet runs in a
child forked from a server process of its backend that has already imported what the snippets
import (child/fork_server.py), which pays `import tensorflow` (or jax, or torch) once per run
instead of once per snippet; `new_processes=True`, and snippets marked
`# snippet: fresh-process`, run as `python snippets/<name>.py` each. A snippet that passed before
with identical inputs is not run again unless the cache is off (cache.py).

Modules in child/ are put on the PYTHONPATH of every run: they are loaded by the snippet's own
process, never by this one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import json
import os
import re
import selectors
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tools import backends, project
from tools.content import ContentError, Directives, Snippet, Versions, split_output, visible

CHILD_DIR = Path(__file__).resolve().parent / "child"


@dataclasses.dataclass(frozen=True)
class RaisedException:
    """The uncaught exception that ended a run, as recorded by child/sitecustomize.py."""

    name: str  # the class name, e.g. "InvalidArgumentError"
    text: str  # as Python prints its last lines: traceback.format_exception_only
    traceback: str  # the whole traceback, for reports


@dataclasses.dataclass
class Result:
    """One snippet, run (or found unchanged in the cache) and compared with its stored output."""

    snippet: Snippet
    output: str = ""  # normalised stdout + exception text: what is compared and stored
    exception: RaisedException | None = None
    problem: str | None = None  # why this is not a valid run: timeout, crash, wrong exception
    cached: bool = False  # not run: it passed before with exactly the same inputs
    failure: str | None = None  # None when it matches the stored output; else the report

    @property
    def passed(self) -> bool:
        return self.failure is None


def _root_forms(root: Path) -> list[str]:
    """The project root as a process may print it: as given, and with symbolic links resolved."""
    return sorted({str(root), os.path.realpath(root)}, key=len, reverse=True)


# Only what is provably not a value is normalised. Keras bolds parts of its messages; other
# escape sequences and control characters are kept, and pages show them visibly.
_SGR = re.compile(r"\x1b\[[0-9;]*m")
# The address that ends a default repr: `<module.Class object at 0x7f...>`,
# `<function f.<locals>.g at 0x7f...>`.
_REPR_ADDRESS = re.compile(r"( at )0x[0-9a-fA-F]+>")
# The id in a graph's repr, `FuncGraph(name=forward, id=139923876699840)`.
_GRAPH_ID = re.compile(r"(FuncGraph\(name=[^,()\n]*, id=)\d+\)")
# A path into site-packages, from its start: where a space, quote, "(" or "<" ends the text before
# it. Matching only there keeps normalising linear in the length of a line (from any character,
# a line without spaces took quadratic time).
_SITE_PACKAGES = re.compile(r"""(?<![^\s"'(<])[^\s"'(<]*[/\\](?:site|dist)-packages[/\\]""")
# The timings of a Keras progress line (`verbose=2`): "2/2 - 0s - 82ms/step - loss: 0.4212".
_KERAS_TIMINGS = re.compile(r"^( *\d+/\d+ - )\d+s - \d+(?:s|ms|us)/(step|sample)\b", re.M)


def normalise(text: str, root: Path = project.ROOT) -> str:
    """Remove what differs from run to run or machine to machine; never a value.

    - colour and bold escape sequences (SGR);
    - the address in a default repr (`<Foo object at 0x…>`) and a FuncGraph's id;
    - paths into site-packages (`<site-packages>/keras/...`);
    - the project root, in every form: `file://ROOT/x` becomes `file:x`, `ROOT/x` becomes `x`
      and ROOT alone becomes `.`, as given and with symbolic links resolved;
    - the timings of Keras' one-line-per-epoch progress lines (`fit(verbose=2)`).
    """
    text = _SGR.sub("", text)
    text = _SITE_PACKAGES.sub("<site-packages>/", text)
    for form in _root_forms(root):
        text = text.replace(f"file://{form}/", "file:")
        text = text.replace(form + os.sep, "")
        text = re.sub(re.escape(form) + r"(?![\w.-])", ".", text)
    text = _REPR_ADDRESS.sub(r"\g<1>0x…>", text)
    text = _GRAPH_ID.sub(r"\g<1><id>)", text)
    return _KERAS_TIMINGS.sub(r"\g<1>…s - …/\g<2>", text)


def child_env(backend: str = backends.DEFAULT) -> dict[str, str]:
    """The environment of a snippet's process: ours, with child/ on PYTHONPATH and what its
    backend sets (KERAS_BACKEND)."""
    env = dict(os.environ) | backends.get(backend).env()
    env.pop("SNIPPET_RESULT", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHILD_DIR), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # TensorFlow's native log records are never output (child/snippet_capture.py); from errors
    # down, they are not even written, so none of their continuation lines can reach a page.
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


class Interrupted(Exception):
    """A run stopped by SIGINT or SIGTERM, after killing every snippet process it started."""

    def __init__(self, signum: int):
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum


class Groups:
    """The process groups of the snippets a run starts in new processes, for stop() to kill."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pids: set[int] = set()
        self.signum: int | None = None  # set by stop()

    def popen(self, *args, **kwargs) -> subprocess.Popen:
        """subprocess.Popen in a session of its own; raises Interrupted once stopped."""
        with self._lock:
            if self.signum is not None:
                raise Interrupted(self.signum)
            proc = subprocess.Popen(*args, start_new_session=True, **kwargs)
            self._pids.add(proc.pid)
        return proc

    def forget(self, proc: subprocess.Popen) -> None:
        """Once proc is waited for: its process group is no longer ours to kill."""
        with self._lock:
            self._pids.discard(proc.pid)

    def stop(self, signum: int) -> None:
        """Kill every process group started and not yet forgotten; start no more."""
        with self._lock:
            self.signum = signum
            for pid in self._pids:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)


@contextlib.contextmanager
def _interrupts_raised():
    """In the main thread, the first SIGINT or SIGTERM raises Interrupted; later ones are
    ignored until the block ends (it is cleaning up)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    handlers = {s: h for s, h in handlers.items() if h is not signal.SIG_IGN}

    def interrupt(signum, frame):
        for number in handlers:
            signal.signal(number, signal.SIG_IGN)
        raise Interrupted(signum)

    for number in handlers:
        signal.signal(number, interrupt)
    try:
        yield
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def run_in_new_process(
    snippet: Snippet,
    directives: Directives,
    groups: Groups | None = None,
    python: Path | None = None,
) -> Result:
    """Run one snippet as `python snippets/<name>.py` in a new interpreter.

    groups: where its process group is kept while it runs (raises Interrupted once stopped).
    python: the interpreter; by default its backend's (tools/backends.py).
    """
    groups = groups or Groups()
    python = python or backends.get(directives.backend).python()
    from tools.runner.child.snippet_capture import GRACE, Capture, exited

    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "exception.json"
        env = child_env(directives.backend)
        env["SNIPPET_RESULT"] = str(result_file)
        capture = Capture()
        proc = groups.popen(
            [str(python), snippet.label],
            cwd=snippet.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=capture.child_end,
            stderr=capture.child_end,
        )
        capture.close_child_end()
        deadline = time.monotonic() + directives.timeout
        timed_out = False
        with selectors.DefaultSelector() as selector:
            selector.register(capture.fd, selectors.EVENT_READ)
            # Until the output ends (the snippet and all it started are done), or time is up.
            while capture.open:
                left = deadline - time.monotonic()
                if left <= 0:
                    if timed_out:
                        break  # something outside the process group still holds the output
                    if exited(os.P_PID, proc.pid) and not capture.read_written():
                        break  # it ran to its end: only its end was still to be read
                    os.killpg(proc.pid, signal.SIGKILL)
                    timed_out, deadline = True, deadline + GRACE
                    continue
                if selector.select(left) and not capture.read():
                    selector.unregister(capture.fd)
                    capture.close()
                elif capture.overflowed and not timed_out:
                    # Killed as at its deadline; judge() tells why by the output's length.
                    os.killpg(proc.pid, signal.SIGKILL)
                    timed_out, deadline = True, time.monotonic() + GRACE
        capture.close()
        try:
            returncode = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            returncode, timed_out = proc.wait(), True
        groups.forget(proc)
        return judge(snippet, directives, bytes(capture.data), returncode, timed_out, result_file)


def judge(
    snippet: Snippet,
    directives: Directives,
    output: bytes,
    code: int,
    timed_out: bool,
    result_file: Path,
) -> Result:
    """One run, however it was run: what it printed, raised and how it ended."""
    from tools.runner.child.snippet_capture import OUTPUT_LIMIT, without_native_logs

    root = snippet.root
    result = Result(snippet)
    if len(output) > OUTPUT_LIMIT:
        result.problem = f"wrote more than {OUTPUT_LIMIT:,} bytes of output and was killed"
        output = output[:OUTPUT_LIMIT]
    elif timed_out:
        result.problem = f"timed out after {directives.timeout:g} s and was killed"
    if result_file.exists():
        recorded = json.loads(result_file.read_text(encoding="utf-8"))
        result.exception = RaisedException(
            name=recorded["name"], text=recorded["exception"], traceback=recorded["traceback"]
        )
    printed = normalise(without_native_logs(output.decode("utf-8", "replace")), root)
    result.output = printed
    raised = result.exception
    if raised:
        if printed and not printed.endswith("\n"):
            result.output += "\n"
        result.output += normalise(raised.text, root)
    if result.problem:
        return result
    expected = directives.raises
    # Python ends a script that KeyboardInterrupt stopped by killing itself with SIGINT.
    interrupted = code == -signal.SIGINT and raised and raised.name == "KeyboardInterrupt"
    if code < 0 and not interrupted:
        result.problem = f"crashed: killed by {signal.Signals(-code).name} (exit status {code})"
    elif raised is None and code != 0:
        result.problem = f"exited with status {code} without raising an exception"
    elif raised is None and expected:
        result.problem = f"was expected to raise {expected} but finished without an exception"
    elif raised and not expected:
        result.problem = "raised an exception it is not marked to raise:\n" + normalise(
            raised.traceback, root
        )
    elif raised and raised.name != expected.rpartition(".")[2]:
        result.problem = f"was expected to raise {expected} but raised:\n" + normalise(
            raised.traceback, root
        )
    elif raised and not _splits_as_it_ran(result.output, expected, normalise(raised.text, root)):
        result.problem = (
            f"printed a line that looks like the start of the {expected} it raises, after the "
            "start of the real one: its stored output could not be split into what it printed "
            "and the exception (the notebook shows them apart)"
        )
    return result


def _splits_as_it_ran(output: str, raises: str, exception: str) -> bool:
    """True when the stored form of this run splits into its printed text and its exception."""
    try:
        return split_output(output, raises)[1] == exception
    except ContentError:
        return False


def compare(result: Result) -> str | None:
    """None when the run matches the stored output, else a message naming the snippet."""
    snippet = result.snippet
    if result.problem:
        return f"{snippet.label} {result.problem}\n--- what it wrote ---\n{result.output[-4000:]}"
    refresh = project.command(f"tools.snippets refresh {snippet.name}")
    try:
        stored = snippet.stored_output()
    except ContentError as error:
        return f"{error}; rewrite it with {refresh}"
    if stored is None:
        return f"{snippet.label}: no stored output {snippet.out_label}; create it with {refresh}"
    if stored == result.output:
        return None
    old, new = stored.split("\n"), result.output.split("\n")
    pairs = enumerate(zip(old, new, strict=False))
    line = next((i for i, (a, b) in pairs if a != b), min(len(old), len(new)))
    return (
        f"{snippet.label}: output differs from the stored output, first at "
        f"{snippet.out_label}:{line + 1}. If the new output is right, store it with {refresh} "
        f"and review `git diff {snippet.out_label}`; if not, fix {snippet.label}.\n"
        + diff(
            stored,
            result.output,
            f"{snippet.out_label} (stored)",
            f"{snippet.label} (run with {Versions.installed().line().strip()})",
        )
    )


def diff(old: str, new: str, old_label: str, new_label: str) -> str:
    """A unified diff of two outputs by their "\n" lines, control characters made visible."""

    def lines(text: str) -> list[str]:
        return [visible(line) + "\n" for line in text.split("\n")]

    return "".join(difflib.unified_diff(lines(old), lines(new), old_label, new_label))


def _forking_works() -> bool:
    return hasattr(os, "fork") and hasattr(os, "pidfd_open") and Path("/proc/self/task").is_dir()


def _refusal(snippet: Snippet, directives: Directives, python: Path | None) -> str | None:
    """Why the snippet's backend cannot run it here (its environment is missing), naming the
    file and line and what to install; None when it can."""
    if python is not None:  # an interpreter chosen by the caller (report): it is the environment
        return None
    missing = backends.get(directives.backend).missing()
    if missing is None:
        return None
    where = (
        f"{snippet.label}:{directives.backend_line}" if directives.backend_line else snippet.label
    )
    return f"{where}: backend={directives.backend}: {missing}"


def run_all(
    snippets: list[Snippet],
    workers: int = 2,
    *,
    new_processes: bool = False,
    cache: bool | None = None,
    python: Path | None = None,
    in_order: bool = False,
) -> list[Result]:
    """Run every snippet and compare it with its stored output; one Result each, in order.

    Each runs under its backend (tools/backends.py): in that backend's interpreter, forked from
    a server of that backend, or in a new process. A snippet that cannot even be read (a bad
    directive) or whose backend's environment is missing gets a Result with its problem; the
    others still run.
    new_processes=True runs each in a new interpreter instead of a forked child of a server.
    cache (default: on unless the CI variable is set) skips a snippet that passed before with
    identical inputs; its Result then carries the stored output and cached=True.
    python: run every snippet with this interpreter instead of its backend's (`report`, where
    the interpreter is the environment being recorded).
    in_order: start them in the order given; by default the longest (as last measured) first,
    so that two workers finish together.
    """
    from tools.runner import cache as check_cache
    from tools.runner.server import ForkServer, preload

    use_cache = check_cache.default() if cache is None else cache
    root = snippets[0].root if snippets else project.ROOT
    results: dict[Path, Result] = {}
    todo: list[tuple[Snippet, Directives, str, str | None]] = []  # with its mode and cache key
    inputs: dict[str, bytes] = {}  # per backend
    for snippet in snippets:
        try:
            directives = snippet.directives()
        except ContentError as error:
            results[snippet.path] = Result(snippet, problem=str(error), failure=str(error))
            continue
        refused = _refusal(snippet, directives, python)
        if refused:
            results[snippet.path] = Result(snippet, problem=refused, failure=refused)
            continue
        mode = "new-process" if new_processes or directives.fresh_process else "forked"
        key = None
        if use_cache:
            backend = directives.backend
            if backend not in inputs:
                inputs[backend] = check_cache.inputs_digest(root, backend, python)
            key = check_cache.key(inputs[backend], snippet, mode)
        if key is not None and check_cache.hit(snippet, mode, key):
            output = snippet.stored_output() or ""
            results[snippet.path] = Result(snippet, output=output, cached=True)
            continue
        todo.append((snippet, directives, mode, key))

    durations = check_cache.durations(root)
    if not in_order:  # the longest first; one never measured counts as the longest
        todo.sort(key=lambda item: -durations.get(check_cache.duration_key(item[0], item[1]),
                                                  float("inf")))  # fmt: skip
    forked: dict[str, list[Snippet]] = {}  # by backend
    for snippet, directives, mode, _ in todo:
        if mode == "forked":
            forked.setdefault(directives.backend, []).append(snippet)
    servers: dict[str, ForkServer] = {}
    groups = Groups()
    measured: dict[str, float] = {}

    def one(item: tuple[Snippet, Directives, str, str | None]) -> Result:
        snippet, directives, mode, key = item
        started = time.monotonic()
        server = servers.get(directives.backend) if mode == "forked" else None
        if server is not None:
            result = server.run(snippet, directives)
        else:
            result = run_in_new_process(snippet, directives, groups, python)
        measured[check_cache.duration_key(snippet, directives)] = time.monotonic() - started
        result.failure = compare(result)
        if key is not None and result.passed:
            check_cache.store(snippet, mode, key)
        return result

    pool = ThreadPoolExecutor(max_workers=workers)
    with _interrupts_raised():
        try:
            if forked and _forking_works():
                for backend, listed in forked.items():
                    servers[backend] = ForkServer(
                        root, preload(listed), groups, backend=backend, python=python
                    )
            for (snippet, *_), result in zip(todo, pool.map(one, todo), strict=True):
                results[snippet.path] = result
        except Interrupted as interrupted:
            groups.stop(interrupted.signum)
            for server in servers.values():
                server.stop()
            pool.shutdown(cancel_futures=True)
            raise
        finally:
            pool.shutdown()
            for server in servers.values():
                server.close()
    if measured:
        check_cache.store_durations(root, measured)
    return [results[s.path] for s in snippets]
