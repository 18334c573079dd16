"""Runs snippets in forked children of one process that has imported TensorFlow once.

Started by tools/runner/server.py as `python -c "import fork_server; fork_server.serve()"` with
cwd = the project and this folder on PYTHONPATH, exactly like a snippet run in a new process.

Protocol, one JSON object per line: requests on stdin
    {"id": 1, "file": "snippets/x.py", "stdout": path, "stderr": path, "result": path,
     "timeout": 120}
and on stdout, once the child has ended,
    {"id": 1, "returncode": 0, "timed_out": false}
with returncode as subprocess reports it (negative: killed by that signal).

Why the child looks like `python snippets/x.py`: after fork it does not run the snippet from
inside this server's call stack. It registers the compiled snippet with atexit and lets this
module end, so the interpreter calls exec() from C with no Python frame below the snippet: stack
extraction (tracebacks, TensorFlow's "was defined here") sees only the snippet's frames.
"""

import atexit
import builtins
import gc
import importlib.machinery
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


def _os_threads() -> set[str]:
    return set(os.listdir("/proc/self/task"))


def _preload(names: list[str]) -> None:
    # Importing is safe to fork after; running a TensorFlow op is not (its thread pools do not
    # survive fork and the child hangs), so the server never runs one.
    for name in names:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - the snippet itself will meet the same error
            pass


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


def _exit_code(exc: SystemExit) -> int:
    """The exit status Python gives a script that raised SystemExit (printing as Python does)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _become_snippet(request: dict, close_fds: list[int], states: list) -> None:
    """In the forked child: set up the state of `python <file>`, then let the server end."""
    os.setsid()
    for fd in close_fds:
        os.close(fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    out = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for fd, target in ((devnull, 0), (out, 1), (err, 2)):
        os.dup2(fd, target)
        os.close(fd)
    _reseed(states)

    # As Python 3.11 sets them up for `python snippets/x.py` (the path made absolute).
    file = os.path.abspath(request["file"])
    os.environ["SNIPPET_RESULT"] = request["result"]
    sitecustomize.install(request["result"])
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

    outcome = {"code": 0}

    def end_of_main(exc: BaseException) -> None:
        # What Python does with an exception that ends the main module.
        if isinstance(exc, SystemExit):
            outcome["code"] = _exit_code(exc)
            return
        sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, exc.__traceback__
        sys.excepthook(type(exc), exc, exc.__traceback__)
        outcome["code"] = 1

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
        # down (that takes seconds per child and prints nothing), hence os._exit.
        main.__dict__.clear()
        gc.collect()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed or broken stream, as at exit
                pass
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


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # the child leads its own session, like start_new_session
    except ProcessLookupError:  # already ended, not yet reaped
        pass


def _reply(message: dict) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(1, data) :]


def serve() -> None:
    _preload(sys.argv[1:])
    states = _random_states()
    gc.freeze()  # children then never touch (copy) the server's objects when they collect
    threads = _os_threads()
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    children: dict[int, dict] = {}  # pidfd -> request, pid, deadline
    pending = b""
    while True:
        deadlines = [c["deadline"] for c in children.values() if not c["timed_out"]]
        wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        for key, _ in selector.select(wait):
            if key.fd != 0:
                child = children.pop(key.fd)
                selector.unregister(key.fd)
                os.close(key.fd)
                _, status = os.waitpid(child["pid"], 0)
                _reply(
                    {
                        "id": child["request"]["id"],
                        "returncode": os.waitstatus_to_exitcode(status),
                        "timed_out": child["timed_out"],
                    }
                )
                continue
            chunk = os.read(0, 65536)
            if not chunk:  # the runner is done (or gone): end every child, then ourselves
                for child in children.values():
                    _kill(child["pid"])
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                if _os_threads() - threads:
                    sys.exit("snippet server: a thread started after the imports; will not fork")
                pid = os.fork()
                if pid == 0:
                    close = [selector.fileno(), *children]
                    _become_snippet(request, close, states)
                    return  # this module ends; atexit runs the snippet
                pidfd = os.pidfd_open(pid)
                selector.register(pidfd, selectors.EVENT_READ)
                children[pidfd] = {
                    "request": request,
                    "pid": pid,
                    "deadline": time.monotonic() + request["timeout"],
                    "timed_out": False,
                }
        now = time.monotonic()
        for child in children.values():
            if not child["timed_out"] and child["deadline"] <= now:
                child["timed_out"] = True
                _kill(child["pid"])
