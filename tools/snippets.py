"""Run the snippets under snippets/ and compare what they print with their stored outputs.

    python -m tools.snippets check [NAME ...]     run and compare; exit 1 on any difference
    python -m tools.snippets refresh [NAME ...]   run and rewrite the stored outputs

A snippet is `snippets/<name>.py`; its stored output is `snippets/<name>.out`: what the snippet
prints on stdout, followed, for a snippet meant to fail, by the exception as Python prints it.
Directives in comment lines of the snippet (outside the shown sections):

    # snippet: raises=TypeError     the snippet must end with this exception
    # snippet: timeout=300          seconds before it is killed (default 120)
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOOK_DIR = Path(__file__).resolve().parent / "hook"
DEFAULT_TIMEOUT = 120.0
VERSIONS_FILE = "verified-with.txt"
DIRECTIVE = re.compile(r"^#\s*snippet:\s*(.*)$")
KNOWN_OPTIONS = {"raises", "timeout"}


class SnippetError(Exception):
    """A snippet or stored output that cannot be checked as it is (names the file)."""


@dataclasses.dataclass(frozen=True)
class Snippet:
    path: Path
    raises: str | None = None
    timeout: float = DEFAULT_TIMEOUT

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


def parse_snippet(path: Path) -> Snippet:
    options: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = DIRECTIVE.match(line.strip())
        if not match:
            continue
        for word in match.group(1).split():
            key, sep, value = word.partition("=")
            if not sep or key not in KNOWN_OPTIONS or not value:
                raise SnippetError(
                    f"{path}:{number}: unknown snippet directive {word!r}; "
                    f"expected one of {sorted(KNOWN_OPTIONS)} as key=value"
                )
            options[key] = value
    try:
        timeout = float(options.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        raise SnippetError(f"{path}: timeout must be a number of seconds") from None
    return Snippet(path=path, raises=options.get("raises"), timeout=timeout)


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


def run(snippet: Snippet, root: Path = ROOT) -> Result:
    """Run one snippet as `python snippets/<name>.py` in a fresh process."""
    result = Result(snippet)
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "exception.json"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HOOK_DIR), env.get("PYTHONPATH")]))
        env["SNIPPET_RESULT"] = str(result_file)
        env["PYTHONIOENCODING"] = "utf-8"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        proc = subprocess.Popen(
            [sys.executable, str(snippet.path.relative_to(root))],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=snippet.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
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
    code = proc.returncode
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
    from importlib.metadata import version

    python = ".".join(platform.python_version_tuple()[:2])
    return f"TensorFlow {version('tensorflow-cpu')}, Keras {version('keras')}, Python {python}\n"


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


def run_all(paths: list[Path], root: Path = ROOT, workers: int = 2) -> dict[Path, Result | str]:
    """Run every snippet; a snippet that cannot even be parsed gets its error message."""

    def one(path: Path) -> Result | str:
        try:
            return run(parse_snippet(path), root)
        except SnippetError as err:
            return str(err)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(paths, pool.map(one, paths), strict=True))


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
    args = parser.parse_args(argv)
    root = args.root.resolve()
    paths, problems = _select(args.names, root)
    for path, result in run_all(paths, root).items():
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
            print(f"ok {path.relative_to(root)}")
    if args.command == "refresh":
        (root / "snippets" / VERSIONS_FILE).write_text(versions(), encoding="utf-8")
    for message in problems:
        print(f"FAIL {message}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
