"""Run the snippets under snippets/ and compare what they print with their stored outputs.

    python -m tools.snippets check [NAME ...]     run and compare; exit 1 on any difference
    python -m tools.snippets refresh [NAME ...]   run and rewrite the stored outputs

A snippet is `snippets/<name>.py`; its stored output is `snippets/<name>.out`: what the snippet
prints on stdout, followed, for a snippet meant to fail, by the exception as Python prints it.
Directives in comment lines of the snippet (outside the shown sections):

    # snippet: raises=TypeError     the snippet must end with this exception
    # snippet: timeout=300          seconds before it is killed (default 120)
    # snippet: fresh-process        run it in a new interpreter, never in a forked one

Every snippet runs with fresh interpreter state. By default it runs in a child forked from one
server process that has already imported TensorFlow (tools/hook/snippet_server.py), which pays
that import once per check instead of once per snippet; `refresh`, `--fresh-processes` and
snippets marked fresh-process run as a new `python snippets/<name>.py` each. A check whose
snippet, stored output, sibling snippets, versions, lock file and runner are all unchanged since
it last passed is not run again (cache in .cache/snippets; off when CI is set, or --no-cache).
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import difflib
import hashlib
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOOK_DIR = Path(__file__).resolve().parent / "hook"
DEFAULT_TIMEOUT = 120.0
VERSIONS_FILE = "verified-with.txt"
DIRECTIVE = re.compile(r"^#\s*snippet:\s*(.*)$")
KNOWN_OPTIONS = {"raises", "timeout"}
KNOWN_FLAGS = {"fresh-process"}
CACHE_DIR = Path(".cache") / "snippets"


class SnippetError(Exception):
    """A snippet or stored output that cannot be checked as it is (names the file)."""


@dataclasses.dataclass(frozen=True)
class Snippet:
    path: Path
    raises: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    fresh_process: bool = False  # e.g. it sets environment variables TensorFlow reads at import

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def out_path(self) -> Path:
        return self.path.with_suffix(".out")


@dataclasses.dataclass
class Result:
    snippet: Snippet
    output: str = ""  # normalised stdout + exception text: what is compared and stored
    exception: dict | None = None  # from the hook: name, exception, traceback
    problem: str | None = None  # why it cannot count as a run (timeout, crash, bad exception)
    stderr: str = ""
    cached: bool = False  # not run: it passed before with exactly the same inputs


def parse_snippet(path: Path) -> Snippet:
    options: dict[str, str] = {}
    flags: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = DIRECTIVE.match(line.strip())
        if not match:
            continue
        for word in match.group(1).split():
            key, sep, value = word.partition("=")
            if not sep and key in KNOWN_FLAGS:
                flags.add(key)
                continue
            if not sep or key not in KNOWN_OPTIONS or not value:
                raise SnippetError(
                    f"{path}:{number}: unknown snippet directive {word!r}; "
                    f"expected one of {sorted(KNOWN_OPTIONS)} as key=value, "
                    f"or {sorted(KNOWN_FLAGS)}"
                )
            options[key] = value
    try:
        timeout = float(options.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        raise SnippetError(f"{path}: timeout must be a number of seconds") from None
    return Snippet(
        path=path,
        raises=options.get("raises"),
        timeout=timeout,
        fresh_process="fresh-process" in flags,
    )


def discover(root: Path = ROOT) -> tuple[list[Path], list[str]]:
    """Snippet files, and problems with stored outputs that have no snippet."""
    folder = root / "snippets"
    paths = sorted(folder.glob("*.py"))
    stems = {p.stem for p in paths}
    orphans = [
        f"{out.relative_to(root)}: stored output without a snippet "
        f"(expected {out.with_suffix('.py').relative_to(root)})"
        for out in sorted(folder.glob("*.out"))
        if out.stem not in stems
    ]
    return paths, orphans


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
_OBJECT_ID = re.compile(r"\bid=\d{6,}\b")
_SITE_PACKAGES = re.compile(r"""[^\s"'(<]*[/\\](?:site|dist)-packages[/\\]""")


def normalise(text: str, root: Path = ROOT) -> str:
    """Remove what differs from run to run or machine to machine; never a value."""
    text = _ANSI.sub("", text)
    text = _SITE_PACKAGES.sub("<site-packages>/", text)
    text = text.replace(str(root) + os.sep, "")
    text = _ADDRESS.sub("0x…", text)
    return _OBJECT_ID.sub("id=<id>", text)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SNIPPET_RESULT", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HOOK_DIR), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run(snippet: Snippet, root: Path = ROOT) -> Result:
    """Run one snippet as `python snippets/<name>.py` in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "exception.json"
        env = _child_env()
        env["SNIPPET_RESULT"] = str(result_file)
        proc = subprocess.Popen(
            [sys.executable, str(snippet.path.relative_to(root))],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        timed_out = False
        try:
            stdout, stderr = proc.communicate(timeout=snippet.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
            timed_out = True
        return _result(snippet, root, stdout, stderr, proc.returncode, timed_out, result_file)


def _result(
    snippet: Snippet,
    root: Path,
    stdout: bytes,
    stderr: bytes,
    code: int,
    timed_out: bool,
    result_file: Path,
) -> Result:
    """Judge one run, however it was run: what it printed, raised and how it ended."""
    result = Result(snippet)
    if timed_out:
        result.problem = f"timed out after {snippet.timeout:g} s and was killed"
    if result_file.exists():
        result.exception = json.loads(result_file.read_text(encoding="utf-8"))
    stdout_text = normalise(stdout.decode("utf-8", "replace"), root)
    result.stderr = stderr.decode("utf-8", "replace")
    result.output = stdout_text
    if result.exception:
        exception_text = normalise(result.exception["exception"], root)
        if stdout_text and not stdout_text.endswith("\n"):
            result.output += "\n"
        result.output += exception_text
    if result.problem:
        return result
    expected = snippet.raises
    if code < 0:
        result.problem = f"crashed: killed by {signal.Signals(-code).name} (exit status {code})"
    elif result.exception is None and code != 0:
        result.problem = f"exited with status {code} without raising an exception"
    elif result.exception is None and expected:
        result.problem = f"was expected to raise {expected} but finished without an exception"
    elif result.exception and not expected:
        result.problem = "raised an exception it is not marked to raise:\n" + normalise(
            result.exception["traceback"], root
        )
    elif result.exception and result.exception["name"] != expected.rpartition(".")[2]:
        result.problem = f"was expected to raise {expected} but raised:\n" + normalise(
            result.exception["traceback"], root
        )
    return result


def versions() -> str:
    """The versions outputs are verified with, as the site shows them."""
    from importlib.metadata import PackageNotFoundError, version

    # Read from package metadata, not by importing TensorFlow; nightlies and the plain
    # `tensorflow` package install under other distribution names.
    def first_installed(*names: str) -> str:
        for name in names:
            try:
                return version(name)
            except PackageNotFoundError:
                continue
        return "not installed"

    tensorflow = first_installed("tensorflow-cpu", "tensorflow", "tf-nightly-cpu", "tf-nightly")
    keras = first_installed("keras", "keras-nightly")
    python = ".".join(platform.python_version_tuple()[:2])
    return f"TensorFlow {tensorflow}, Keras {keras}, Python {python}\n"


def compare(result: Result, root: Path = ROOT) -> str | None:
    """None when the run matches the stored output, else a message naming the snippet."""
    snippet = result.snippet
    label = snippet.path.relative_to(root)
    if result.problem:
        return f"{label} {result.problem}\n--- stderr ---\n{result.stderr[-4000:]}"
    if not snippet.out_path.exists():
        return (
            f"{label}: no stored output {snippet.out_path.relative_to(root)}; "
            "create it with: python -m tools.snippets refresh " + snippet.name
        )
    stored = snippet.out_path.read_text(encoding="utf-8")
    if stored == result.output:
        return None
    diff = "".join(
        difflib.unified_diff(
            stored.splitlines(keepends=True),
            result.output.splitlines(keepends=True),
            fromfile=f"{snippet.out_path.relative_to(root)} (stored)",
            tofile=f"{label} (run with {versions().strip()})",
        )
    )
    return f"{label}: output differs from the stored output\n{diff}"


class _Server:
    """A process that imports the snippets' libraries once and forks a child per snippet.

    Shared by the worker threads of one run_all; each child is set up as `python <file>`.
    """

    def __init__(self, root: Path, preload: list[str]):
        self.root = root
        self._tmp = tempfile.TemporaryDirectory()
        self._log = open(Path(self._tmp.name) / "server.log", "wb")  # noqa: SIM115
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "import snippet_server; snippet_server.serve()", *preload],
            cwd=root,
            env=_child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        self._lock = threading.Lock()
        self._waiting: dict[int, Future] = {}
        self._ids = 0
        self._reader = threading.Thread(target=self._read_replies, daemon=True)
        self._reader.start()

    def _read_replies(self) -> None:
        for line in self._proc.stdout:
            reply = json.loads(line)
            with self._lock:
                future = self._waiting.pop(reply["id"])
            future.set_result(reply)
        with self._lock:  # the server ended: nobody else will be answered
            for future in self._waiting.values():
                future.set_result(None)
            self._waiting.clear()

    def run(self, snippet: Snippet) -> Result:
        with self._lock:
            self._ids += 1
            number = self._ids
            future: Future = Future()
            files = {k: Path(self._tmp.name) / f"{number}.{k}" for k in ("stdout", "stderr")}
            result_file = Path(self._tmp.name) / f"{number}.json"
            request = {
                "id": number,
                "file": str(snippet.path.relative_to(self.root)),
                "result": str(result_file),
                "timeout": snippet.timeout,
                **{k: str(v) for k, v in files.items()},
            }
            self._waiting[number] = future
            try:
                self._proc.stdin.write((json.dumps(request) + "\n").encode())
                self._proc.stdin.flush()
            except OSError:
                self._waiting.pop(number)
                future.set_result(None)
        reply = future.result()
        if reply is None:
            # Never a reason to skip a check: the reference way still works.
            log = Path(self._tmp.name) / "server.log"
            print(
                "snippet server stopped; running in a fresh process instead:\n"
                + log.read_text(encoding="utf-8", errors="replace")[-2000:],
                file=sys.stderr,
            )
            return run(snippet, self.root)
        return _result(
            snippet,
            self.root,
            files["stdout"].read_bytes() if files["stdout"].exists() else b"",
            files["stderr"].read_bytes() if files["stderr"].exists() else b"",
            reply["returncode"],
            reply["timed_out"],
            result_file,
        )

    def close(self) -> None:
        try:
            self._proc.stdin.close()
        except BrokenPipeError:  # it had stopped already
            pass
        self._proc.wait()
        self._reader.join()
        self._proc.stdout.close()
        self._log.close()
        self._tmp.cleanup()


def _forking_works() -> bool:
    return hasattr(os, "fork") and hasattr(os, "pidfd_open") and Path("/proc/self/task").is_dir()


def _imports(path: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.partition(".")[0])
    return names


def _preload(paths: list[Path]) -> list[str]:
    """Third-party libraries the snippets import: what the server imports before forking."""
    siblings = {p.stem for p in paths[0].parent.glob("*.py")} if paths else set()
    names = set().union(*map(_imports, paths)) - siblings - {"__future__"}
    return sorted(n for n in names if n not in sys.stdlib_module_names)


def _cache_default() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("", "0", "false")


def _runner_files() -> list[Path]:
    return sorted([Path(__file__), *HOOK_DIR.glob("*.py")])


def _installed() -> list[str]:
    from importlib.metadata import distributions

    return sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions())


def _inputs_digest(root: Path) -> bytes:
    """Everything outside the snippet itself that can change what a snippet prints."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    # The runner's own code: a change in how snippets are run or normalised re-runs them all.
    for path in _runner_files():
        add(f"runner:{path.name}", path.read_bytes())
    add("python", f"{sys.version} {sys.executable} {platform.platform()}".encode())
    add("versions", versions().encode())
    add("installed", "\n".join(_installed()).encode())
    lock = root / "uv.lock"
    add("uv.lock", lock.read_bytes() if lock.exists() else b"")
    settings = sorted(
        f"{k}={v}" for k, v in os.environ.items() if k.startswith(("TF_", "KERAS_", "PYTHON"))
    )
    add("environment", "\n".join(settings).encode())
    # Every file beside the snippets but the stored outputs: a snippet may import any sibling.
    for path in sorted((root / "snippets").iterdir()):
        if path.is_file() and path.suffix != ".out":
            add(f"snippets/{path.name}", path.read_bytes())
    return digest.digest()


def _cache_key(inputs: bytes, snippet: Snippet, stored: bytes | None) -> str:
    digest = hashlib.sha256(inputs)
    digest.update(snippet.name.encode() + b"\0")
    digest.update(b"no stored output" if stored is None else b"stored\0" + stored)
    return digest.hexdigest()


def run_all(
    paths: list[Path],
    root: Path = ROOT,
    workers: int = 2,
    *,
    fresh: bool = False,
    cache: bool | None = None,
) -> dict[Path, Result | str]:
    """Run every snippet; a snippet that cannot even be parsed gets its error message.

    fresh=True runs each in a new interpreter instead of a forked child of the server.
    cache (default: on unless the CI variable is set) skips a snippet that passed before with
    identical inputs; its Result then carries the stored output and cached=True.
    """
    use_cache = _cache_default() if cache is None else cache
    results: dict[Path, Result | str] = {}
    todo: list[tuple[Snippet, str | None]] = []
    inputs = _inputs_digest(root) if use_cache and paths else b""
    for path in paths:
        try:
            snippet = parse_snippet(path)
        except SnippetError as err:
            results[path] = str(err)
            continue
        key = None
        if use_cache:
            stored = snippet.out_path.read_bytes() if snippet.out_path.exists() else None
            key = _cache_key(inputs, snippet, stored)
            entry = root / CACHE_DIR / snippet.name
            if stored is not None and entry.exists() and entry.read_text() == key:
                output = snippet.out_path.read_text(encoding="utf-8")
                results[path] = Result(snippet, output=output, cached=True)
                continue
        todo.append((snippet, key))

    forked = {s.path for s, _ in todo if not (fresh or s.fresh_process)}
    server = None
    if forked and _forking_works():
        server = _Server(root, _preload(sorted(forked)))

    def one(item: tuple[Snippet, str | None]) -> Result:
        snippet, key = item
        in_server = server is not None and snippet.path in forked
        result = server.run(snippet) if in_server else run(snippet, root)
        if key is not None and compare(result, root) is None:
            entry = root / CACHE_DIR / snippet.name
            entry.parent.mkdir(parents=True, exist_ok=True)
            entry.write_text(key)
        return result

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for (snippet, _), result in zip(todo, pool.map(one, todo), strict=True):
                results[snippet.path] = result
    finally:
        if server is not None:
            server.close()
    return {path: results[path] for path in paths}


def _select(names: list[str], root: Path) -> tuple[list[Path], list[str]]:
    paths, orphans = discover(root)
    if not names:
        return paths, orphans
    wanted = {Path(n).stem for n in names}
    unknown = wanted - {p.stem for p in paths}
    if unknown:
        sys.exit(f"no such snippet: {', '.join(sorted(unknown))}")
    return [p for p in paths if p.stem in wanted], []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.snippets", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["check", "refresh"])
    parser.add_argument("names", nargs="*", help="snippet names (default: all)")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="project folder (default: this one)"
    )
    parser.add_argument(
        "--fresh-processes",
        action="store_true",
        help="run each snippet in a new interpreter (the reference; refresh always does)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="run every snippet even if it passed unchanged"
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    paths, problems = _select(args.names, root)
    refresh = args.command == "refresh"
    fresh = refresh or args.fresh_processes
    cache = False if refresh or args.no_cache else None
    for path, result in run_all(paths, root, fresh=fresh, cache=cache).items():
        if isinstance(result, str):
            problems.append(result)
            continue
        if args.command == "refresh" and not result.problem:
            result.snippet.out_path.write_text(result.output, encoding="utf-8")
            print(f"wrote {result.snippet.out_path.relative_to(root)}")
            continue
        message = compare(result, root)
        if message:
            problems.append(message)
        else:
            print(f"ok {path.relative_to(root)}" + (" (unchanged since it passed)" * result.cached))
    if args.command == "refresh":
        (root / "snippets" / VERSIONS_FILE).write_text(versions(), encoding="utf-8")
    for message in problems:
        print(f"FAIL {message}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
