"""The runner's side of the fork server (child/fork_server.py): start it, send it snippets.

The server imports what the snippets import once, then forks one child per snippet; each child
is set up as `python snippets/<name>.py` would be. This module starts it, sends it one request
per snippet and judges each child's run like any other. A server runs one Keras backend: it is
started with that backend's interpreter and KERAS_BACKEND set (tools/backends.py), so its Keras
is imported under that backend before any fork.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

from tools import backends
from tools.content import Directives, Snippet
from tools.runner import Groups, Result, child_env, judge, run_in_new_process


class ForkServer:
    """A process that imports the snippets' libraries once and forks a child per snippet.

    Shared by the worker threads of one run_all. It runs in a session of its own, out of reach of
    a terminal's Ctrl-C: the runner stops it (stop(), close()), and it kills its children then.
    """

    def __init__(
        self,
        root: Path,
        preload: list[str],
        groups: Groups,
        backend: str = backends.DEFAULT,
        python: Path | None = None,
    ):
        """backend: the Keras backend of every snippet it runs; python: its interpreter, by
        default the backend's (tools/backends.py)."""
        self.root = root
        self.groups = groups  # for the runs in new processes, if the server stops on its own
        self.python = python or backends.get(backend).python()
        self._tmp = tempfile.TemporaryDirectory()
        self._log = open(Path(self._tmp.name) / "server.log", "wb")  # noqa: SIM115
        # Replies come on a pipe of their own; what the server or a library it imports prints
        # goes to the log.
        replies, reply_end = os.pipe()
        self._proc = subprocess.Popen(
            [
                str(self.python),
                "-c",
                "import fork_server; fork_server.serve()",
                str(reply_end),
                *preload,
            ],
            cwd=root,
            env=child_env(backend),
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=self._log,
            pass_fds=[reply_end],
            start_new_session=True,
        )
        os.close(reply_end)
        self._replies = os.fdopen(replies, "rb")
        self._lock = threading.Lock()
        self._waiting: dict[int, Future] = {}
        self._ids = 0
        self._stopped = False
        self._reader = threading.Thread(target=self._read_replies, daemon=True)
        self._reader.start()

    def _read_replies(self) -> None:
        for line in self._replies:
            reply = json.loads(line)
            with self._lock:
                future = self._waiting.pop(reply["id"], None)
            if future is not None:  # None: answered already by stop()
                future.set_result(reply)
        with self._lock:  # the server ended: nobody else will be answered
            for future in self._waiting.values():
                future.set_result(None)
            self._waiting.clear()

    def run(self, snippet: Snippet, directives: Directives) -> Result:
        with self._lock:
            self._ids += 1
            number = self._ids
            future: Future = Future()
            output = Path(self._tmp.name) / f"{number}.output"
            result_file = Path(self._tmp.name) / f"{number}.json"
            request = {
                "id": number,
                "file": snippet.label,
                "output": str(output),
                "result": str(result_file),
                "timeout": directives.timeout,
            }
            self._waiting[number] = future
            try:
                self._proc.stdin.write((json.dumps(request) + "\n").encode())
                self._proc.stdin.flush()
            except (OSError, ValueError):  # ValueError: stdin closed by stop()
                self._waiting.pop(number)
                future.set_result(None)
        reply = future.result()
        if reply is None and self._stopped:
            return Result(snippet, problem="stopped: the run was interrupted")
        if reply is None:
            # Never a reason to skip a check: the reference way still works.
            log = Path(self._tmp.name) / "server.log"
            print(
                "snippet server stopped; running in a new process instead:\n"
                + log.read_text(encoding="utf-8", errors="replace")[-2000:],
                file=sys.stderr,
            )
            return run_in_new_process(snippet, directives, self.groups, self.python)
        return judge(
            snippet,
            directives,
            output.read_bytes() if output.exists() else b"",
            reply["returncode"],
            reply["timed_out"],
            result_file,
        )

    def stop(self) -> None:
        """End the server, which kills every child it forked; answer every waiting run."""
        with self._lock:
            self._stopped = True
            with contextlib.suppress(BrokenPipeError):  # it had stopped already
                self._proc.stdin.close()
            for future in self._waiting.values():
                future.set_result(None)
            self._waiting.clear()

    def close(self) -> None:
        """Stop the server and wait for it to end."""
        self.stop()
        self._proc.wait()
        self._reader.join()
        self._replies.close()
        self._log.close()
        self._tmp.cleanup()


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


def preload(snippets: list[Snippet]) -> list[str]:
    """Third-party libraries the snippets import: what the server imports before forking."""
    siblings = {p.stem for p in snippets[0].path.parent.glob("*.py")} if snippets else set()
    names = set().union(*(_imports(s.path) for s in snippets)) - siblings - {"__future__"}
    return sorted(n for n in names if n not in sys.stdlib_module_names)
