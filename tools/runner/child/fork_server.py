"""Runs snippets in forked children of one process that has imported TensorFlow once.

Started by tools/runner/server.py as
`python -c "import fork_server; fork_server.serve()" REPLY_FD NAME...` with cwd = the project and
this folder on PYTHONPATH, exactly like a snippet run in a new process; NAME... are the libraries
to import before forking. Its own stdout and stderr go to a log file.

Protocol, one JSON object per line: requests on stdin
    {"id": 1, "file": "snippets/x.py", "output": path, "result": path, "timeout": 120}
and replies on the pipe REPLY_FD (a channel of its own: nothing a library prints while the server
imports it can reach it), once the child and everything holding its output have ended,
    {"id": 1, "returncode": 0, "timed_out": false}
with returncode as subprocess reports it (negative: killed by that signal). What the child writes
to its terminal (stdout and stderr, see snippet_capture.py) is written to the request's "output"
path.

Why the child looks like `python snippets/x.py`: after fork it does not run the snippet from
inside this server's call stack. It registers the compiled snippet with atexit and lets this
module end, so the interpreter calls exec() from C with no Python frame below the snippet: stack
extraction (tracebacks, TensorFlow's "was defined here") sees only the snippet's frames.
"""

import atexit
import builtins
import ctypes
import dataclasses
import gc
import importlib.machinery
import importlib.util
import io
import json
import os
import random
import selectors
import signal
import sys
import threading
import time
import types

import sitecustomize
import snippet_capture

GRACE = snippet_capture.GRACE


def _os_threads() -> set[str]:
    return set(os.listdir("/proc/self/task"))


def _installed(name: str) -> bool:
    """True for a module of an installed library (site-packages), False for the project's."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    origin = (spec.origin or "") if spec else ""
    return "-packages" + os.sep in origin


def _preload(names: list[str]) -> None:
    """Import what the snippets import, keeping only what imports without writing anything.

    Importing is safe to fork after; running a TensorFlow op is not (its thread pools do not
    survive fork and the child hangs), so the server never runs one. A module of the project's
    whose import writes output (a banner, a warning) is taken out of sys.modules again with
    everything its import added, so a child imports it anew and writes it as a new process
    would. An installed library cannot be taken out safely (NumPy refuses to load twice), so if
    one writes output the server stops, and the runner runs every snippet in a new process.
    Installed libraries come first, so a chatty module of the project's cannot take them out.
    """
    for name in sorted(names, key=lambda n: (not _installed(n), n)):
        before = set(sys.modules)
        with snippet_capture.captured_fds() as written:
            try:
                __import__(name)
            except Exception:  # noqa: BLE001 - the snippet itself will meet the same error
                pass
        output = snippet_capture.without_native_logs(written[0])
        if not output:
            continue
        if _installed(name):
            sys.exit(f"snippet server: importing {name} writes output, will not fork:\n{output}")
        for added in set(sys.modules) - before:
            del sys.modules[added]
        print(f"not preloaded: importing {name} writes output", file=sys.stderr, flush=True)


def _random_states() -> list:
    """Module-level random generators that a fork would share between children."""
    found = []
    kinds = [random.Random]
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        kinds += [numpy.random.RandomState, numpy.random.Generator]
        found.append(numpy.random.mtrand._rand)
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        found += [v for v in list(namespace.values()) if isinstance(v, tuple(kinds))]
    return list({id(v): v for v in found}.values())


def _reseed(states: list) -> None:
    # What a fresh interpreter does at import: seed from the operating system's entropy.
    for state in states:
        if isinstance(state, random.Random) or hasattr(state, "seed"):
            state.seed()
        else:  # numpy.random.Generator: a new bit generator of the same kind
            state.bit_generator.state = type(state.bit_generator)().state


def _new_stdio() -> None:
    """sys.stdin, stdout and stderr as Python creates them at start-up for fds 0, 1 and 2.

    The server's own objects may hold buffered bytes and were made for other files (a pipe, the
    log): line buffering, as on a terminal, is decided when they are made.
    """
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        old = getattr(sys, name)
        mode = "rb" if fd == 0 else "wb"
        buffer = open(fd, mode, buffering=0 if unbuffered and fd else -1, closefd=False)
        raw = buffer if isinstance(buffer, io.FileIO) else buffer.raw
        stream = io.TextIOWrapper(
            buffer,
            encoding=old.encoding,
            errors=old.errors,
            newline="\n",
            line_buffering=not unbuffered and (raw.isatty() or fd == 2),
            write_through=unbuffered,
        )
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    # C stdio decides at its first write whether stdout is line-buffered; the server's stdout
    # was a file, so tell it: a terminal is line-buffered.
    libc = ctypes.CDLL(None)
    if os.isatty(1):
        libc.setvbuf(ctypes.c_void_p.in_dll(libc, "stdout"), None, 1, 0)  # _IOLBF


def _exit_code(exc: SystemExit) -> int:
    """The exit status Python gives a script that raised SystemExit (printing as Python does)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _become_snippet(request: dict, states: list) -> None:
    """In the forked child: set up the state of `python <file>`, then let the server end."""
    os.environ["SNIPPET_RESULT"] = request["result"]
    sitecustomize.install(request["result"])
    _reseed(states)
    _new_stdio()

    # As Python 3.11 sets them up for `python snippets/x.py` (the path made absolute).
    file = os.path.abspath(request["file"])
    sys.argv[:] = [request["file"]]
    sys.orig_argv[:] = [sys.executable, request["file"]]
    sys.path[0] = os.path.dirname(file)
    main = types.ModuleType("__main__")
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", file)
    main.__annotations__ = {}
    main.__builtins__ = builtins
    main.__file__ = file
    main.__cached__ = None
    sys.modules["__main__"] = main

    outcome = {"code": 0, "interrupted": False}

    def end_of_main(exc: BaseException) -> None:
        # What Python does with an exception that ends the main module.
        if isinstance(exc, SystemExit):
            outcome["code"] = _exit_code(exc)
            return
        sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, exc.__traceback__
        sys.excepthook(type(exc), exc, exc.__traceback__)
        outcome["code"] = 1
        # Python ends a script interrupted by KeyboardInterrupt with SIGINT, after its exit.
        outcome["interrupted"] = isinstance(exc, KeyboardInterrupt)

    def unraisable(info) -> None:
        if info.object is exec and info.exc_value is not None:
            end_of_main(info.exc_value)
        else:
            sys.__unraisablehook__(info)

    real_shutdown = threading._shutdown

    def after_main() -> None:
        # The order of a normal exit: join threads, then the snippet's own atexit handlers.
        atexit.unregister(exec)
        atexit.unregister(after_main)
        sys.unraisablehook = sys.__unraisablehook__
        threading._shutdown = real_shutdown
        real_shutdown()
        atexit._run_exitfuncs()
        # The snippet's objects are finalised as at exit; the preloaded libraries are not torn
        # down (that takes seconds per child and prints nothing), hence os._exit, after the
        # flush of Python's and C's buffers that a normal exit does.
        main.__dict__.clear()
        gc.collect()
        snippet_capture.flush_all()
        if outcome["interrupted"]:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        os._exit(outcome["code"])

    try:
        with open(file, "rb") as f:
            code = compile(f.read(), file, "exec", dont_inherit=True)
    except SyntaxError as exc:
        exc.__traceback__ = None
        end_of_main(exc)
        atexit.register(after_main)
        return
    threading._shutdown = int  # postponed to after_main, after the snippet
    atexit.register(after_main)
    sys.unraisablehook = unraisable
    atexit.register(exec, code, main.__dict__)


@dataclasses.dataclass
class _Child:
    request: dict
    pid: int
    pidfd: int | None  # None once the child is reaped
    capture: snippet_capture.Capture
    deadline: float  # time.monotonic() seconds
    timed_out: bool = False
    returncode: int | None = None  # set when reaped


def _kill(child: _Child) -> None:
    """Kill the child and every process of its group (it leads its own session, like
    start_new_session). The child first, by its pidfd: its group does not exist until the child
    has called setsid(), and once killed it starts nothing more."""
    if child.pidfd is not None:  # not reaped: the pid is still the child's
        signal.pidfd_send_signal(child.pidfd, signal.SIGKILL)
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:  # the group has ended, or never began
        pass


class _Server:
    def __init__(self, reply_fd: int):
        self.reply_fd = reply_fd
        self.selector = selectors.DefaultSelector()
        self.selector.register(0, selectors.EVENT_READ, ("request", None))
        self.children: dict[int, _Child] = {}  # by pid
        self.pending = b""

    def reply(self, message: dict) -> None:
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(self.reply_fd, data) :]

    def raw_fds(self) -> list[int]:
        """File descriptors the server holds as numbers, owned by no Python object."""
        fds = [self.reply_fd]
        for child in self.children.values():
            fds += [] if child.pidfd is None else [child.pidfd]
            fds += [child.capture.fd] if child.capture.open else []
        return fds

    def start(self, request: dict, states: list, threads: set[str]) -> bool:
        """Fork a child for the request; True in the child, which must then return."""
        if _os_threads() - threads:
            sys.exit("snippet server: a thread started after the imports; will not fork")
        capture = snippet_capture.Capture()
        snippet_capture.flush_all()  # nothing buffered here may be written again by the child
        pid = os.fork()
        if pid == 0:
            os.setsid()
            # The terminal first, so that anything going wrong from here on is seen there.
            devnull = os.open(os.devnull, os.O_RDONLY)
            for fd, target in ((devnull, 0), (capture.child_end, 1), (capture.child_end, 2)):
                os.dup2(fd, target)
            os.close(devnull)
            os.close(capture.child_end)
            # Close what the server holds, each the way it is held: the selector as an object
            # (closing its number would leave the object to close it again later, by then
            # perhaps a file the snippet opened), the rest by number.
            self.selector.close()
            for fd in [*self.raw_fds(), capture.fd]:
                os.close(fd)
            _become_snippet(request, states)
            return True
        capture.close_child_end()
        child = _Child(
            request, pid, os.pidfd_open(pid), capture, time.monotonic() + request["timeout"]
        )
        self.children[pid] = child
        self.selector.register(child.pidfd, selectors.EVENT_READ, ("exit", child))
        self.selector.register(capture.fd, selectors.EVENT_READ, ("output", child))
        return False

    def finish_if_done(self, child: _Child, force: bool = False) -> None:
        """Reply once the child is reaped and its output has ended (or `force`)."""
        if child.returncode is None or (child.capture.open and not force):
            return
        if child.capture.open:
            self.selector.unregister(child.capture.fd)
            child.capture.close()
        with open(child.request["output"], "wb") as f:
            f.write(child.capture.data)
        del self.children[child.pid]
        self.reply(
            {
                "id": child.request["id"],
                "returncode": child.returncode,
                "timed_out": child.timed_out,
            }
        )

    def ended(self, child: _Child) -> bool:
        """True when the child has exited and its output has ended, though not yet handled."""
        exited = child.returncode is not None or snippet_capture.exited(os.P_PIDFD, child.pidfd)
        return exited and not (child.capture.open and child.capture.read_written())

    def serve(self, states: list, threads: set[str]) -> bool:
        """Handle requests until stdin ends; True in a forked child."""
        while True:
            now = time.monotonic()
            waits = [
                (c.deadline + GRACE if c.timed_out else c.deadline) - now
                for c in self.children.values()
            ]
            for key, _ in self.selector.select(max(0.0, min(waits)) if waits else None):
                kind, child = key.data
                if kind == "exit":
                    self.selector.unregister(child.pidfd)
                    os.close(child.pidfd)
                    child.pidfd = None
                    _, status = os.waitpid(child.pid, 0)
                    child.returncode = os.waitstatus_to_exitcode(status)
                elif kind == "output":
                    if not child.capture.read():
                        self.selector.unregister(child.capture.fd)
                        child.capture.close()
                    elif child.capture.overflowed and not child.timed_out:
                        # Killed as at its deadline; judge() tells why by the output's length.
                        child.timed_out, child.deadline = True, time.monotonic()
                        _kill(child)
                else:
                    chunk = os.read(0, 65536)
                    if not chunk:  # the runner is done (or gone): end every child, then us
                        for running in self.children.values():
                            _kill(running)
                        return False
                    self.pending += chunk
                    while b"\n" in self.pending:
                        line, self.pending = self.pending.split(b"\n", 1)
                        if self.start(json.loads(line), states, threads):
                            return True
                if child is not None:
                    self.finish_if_done(child)
            now = time.monotonic()
            for child in list(self.children.values()):
                if not child.timed_out and child.deadline <= now and not self.ended(child):
                    child.timed_out = True
                    _kill(child)
                elif child.timed_out and child.deadline + GRACE <= now:
                    self.finish_if_done(child, force=True)


def serve() -> None:
    reply_fd, names = int(sys.argv[1]), sys.argv[2:]
    _preload(names)
    states = _random_states()
    gc.freeze()  # children then never touch (copy) the server's objects when they collect
    _Server(reply_fd).serve(states, _os_threads())
    # In a child, this module now ends and atexit runs the snippet; in the server, it exits.
