"""Where a snippet's process writes: a terminal, for stdout and stderr alike.

A snippet's stdout and stderr are one pseudo-terminal, as when a reader runs
`python snippets/<name>.py` in a terminal: Python and C stdio then flush at each line, so output
from print(), from C code (printf through ctypes, tf.print), from warnings and from subprocesses
arrives in the order a terminal shows it, whether or not PYTHONUNBUFFERED is set. The terminal
passes bytes through unchanged (no "\n" to "\r\n") and is 80 columns by 24 lines.

The terminal is read until every process holding it has closed it: a subprocess the snippet
started that ends after the snippet's last line is still heard. Used by the fork server
(children) and by the runner (new processes), so both capture the same way.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import pty
import re
import struct
import tempfile
import termios

COLUMNS, LINES = 80, 24
# Seconds to wait, after killing a timed-out run's process group, for its output to end: a
# process that left the group may hold it open for ever.
GRACE = 5.0
# Bytes of output a run may write. A run that writes more is killed, and only this much, plus
# one byte to show it went over, is kept: an example that floods the terminal (a loop that
# prints forever) would otherwise fill the runner's memory before its timeout. The largest
# stored output is under 2 kB.
OUTPUT_LIMIT = 1_000_000


class Capture:
    """The terminal of one run, and the bytes read from it so far."""

    def __init__(self):
        self.fd, self.child_end = pty.openpty()  # the end we read, the end the run writes
        attributes = termios.tcgetattr(self.child_end)
        attributes[1] &= ~termios.OPOST  # bytes out as written: no "\n" -> "\r\n"
        termios.tcsetattr(self.child_end, termios.TCSANOW, attributes)
        size = struct.pack("HHHH", LINES, COLUMNS, 0, 0)
        fcntl.ioctl(self.child_end, termios.TIOCSWINSZ, size)
        self.data = bytearray()
        self.open = True

    @property
    def overflowed(self) -> bool:
        """True once the run has written more than OUTPUT_LIMIT bytes (it is then to be killed)."""
        return len(self.data) > OUTPUT_LIMIT

    def close_child_end(self) -> None:
        """In the parent, once the run has its copy: only the run may hold it open."""
        os.close(self.child_end)

    def read(self) -> bool:
        """Read what is ready; False when the terminal has ended (then close it)."""
        try:
            chunk = os.read(self.fd, 65536)
        except OSError as error:
            if error.errno != errno.EIO:  # EIO: the last process holding the terminal closed it
                raise
            chunk = b""
        self.data += chunk[: OUTPUT_LIMIT + 1 - len(self.data)]  # what is over is read, not kept
        return bool(chunk)

    def read_written(self) -> bool:
        """Read what has been written so far, without waiting for more; False when the terminal
        has ended (close it then)."""
        os.set_blocking(self.fd, False)
        try:
            while self.read():
                pass
            return False
        except BlockingIOError:  # nothing more written yet
            return True
        finally:
            os.set_blocking(self.fd, True)

    def close(self) -> None:
        if self.open:
            self.open = False
            os.close(self.fd)


def exited(idtype: int, id: int) -> bool:
    """True when the process (os.P_PID, pid or os.P_PIDFD, pidfd) has exited; it is left to be
    waited for."""
    return os.waitid(idtype, id, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


# TensorFlow's native (C++) log records, which it writes to fd 2 on its own. They depend on the
# machine, on the release and on whether TensorFlow was imported in this process, so they are
# never output. A record is a line in absl's format ("I0000 00:00:1795977222.541489   10939
# port.cc:153] ...", where the seconds count from 1970 when the record was written before absl
# was set up) or in the format of releases before 2.20 ("2026-11-29 20:26:10.389730: I
# tensorflow/core/util/port.cc:153] ..."), or absl's notice about records logged before it was
# set up. A few records run over several lines; their other lines are these: the second line of
# the CPU-feature record, the graph node a status message names ("\t [[{{node X}}]]"), and the
# source-location trace that tf-nightly adds to a failed CUDA call (its header, its file:line
# lines and the blank line that ends it). The runner also sets TF_CPP_MIN_LOG_LEVEL=2, so that
# TensorFlow writes no informational or warning records once absl is set up (tools/runner).
_NATIVE_LOG = re.compile(
    r"[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^ :]+:\d+\] .*"
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] [^ :]+:\d+\] .*"
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|To enable the following instructions: .*, in other operations, rebuild TensorFlow with the "
    r"appropriate compiler flags\."
    r"|\t \[\[\{\{node [^{}]+\}\}\]\]"
)
_TRACE_HEADER = "=== Source Location Trace: ==="
_TRACE_LINE = re.compile(r"[\w./+-]+\.(?:cc|h|cpp):\d+")


def without_native_logs(text: str) -> str:
    """`text` without the lines of TensorFlow's native log records."""
    kept, in_trace = [], False
    for line in text.splitlines(keepends=True):
        bare = line.rstrip()
        if in_trace and (_TRACE_LINE.fullmatch(bare) or not bare):
            in_trace = bool(bare)  # the blank line ends the trace, and is part of it
            continue
        in_trace = bare == _TRACE_HEADER
        if not in_trace and not _NATIVE_LOG.fullmatch(bare):
            kept.append(line)
    return "".join(kept)


def flush_all() -> None:
    """Flush Python's stdout and stderr and every C stdio stream of this process."""
    import ctypes
    import sys

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or broken stream, as at exit
            stream.flush()
    ctypes.CDLL(None).fflush(None)


@contextlib.contextmanager
def captured_fds():
    """Send fd 1 and fd 2 to a temporary file for the block; yields a list that then holds
    what was written, as text."""
    written: list[str] = []
    with tempfile.TemporaryFile() as sink:
        saved = [os.dup(1), os.dup(2)]
        flush_all()
        for fd in (1, 2):
            os.dup2(sink.fileno(), fd)
        try:
            yield written
        finally:
            flush_all()
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)
            sink.seek(0)
            written.append(sink.read().decode("utf-8", "replace"))
