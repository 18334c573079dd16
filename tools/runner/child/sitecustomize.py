"""Loaded by the snippet runner's child process (via PYTHONPATH), never by a reader.

It records an uncaught exception as JSON in the file named by SNIPPET_RESULT, so the runner
gets the exception's class and message exactly as Python formats them, while the snippet
itself still runs as a plain `python snippets/<name>.py`. The traceback goes to that file, not
to stderr: the runner reports it when the exception was not the one the snippet declares.
"""

import json
import os
import sys
import traceback

_result = None


def _record(exc_type, exc, tb):
    with open(_result, "w", encoding="utf-8") as f:
        json.dump(
            {
                "name": exc_type.__name__,
                "exception": "".join(traceback.format_exception_only(exc_type, exc)),
                "traceback": "".join(traceback.format_exception(exc_type, exc, tb)),
            },
            f,
        )


def install(result_file: str) -> None:
    """Record the uncaught exception that ends this process in result_file."""
    global _result
    _result = result_file
    sys.excepthook = _record


if os.environ.get("SNIPPET_RESULT"):
    install(os.environ["SNIPPET_RESULT"])
