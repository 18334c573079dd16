"""The check cache: a snippet that passed is not run again while nothing it depends on changes.

What it depends on: how it is run (forked or in a new process), its bytes, its stored output,
every other file under snippets/, folders too (it may import or read them), its Keras backend and
that backend's environment (its Python and every installed package's version), uv.lock, the
TF_*, KERAS_* and PYTHON* variables, and the runner's own code. Entries live in
.cache/snippets/<mode>/; the cache is off when the CI variable is set.

It also keeps how long each snippet last took (.cache/snippets/durations.json), whatever the
cache's setting: the runner starts the longest first. That only orders the runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from pathlib import Path

from tools import backends
from tools.content import RECORD_FILE, Directives, Snippet, Versions

CACHE_DIR = Path(".cache") / "snippets"
RUNNER_DIR = Path(__file__).resolve().parent


def default() -> bool:
    """On, unless the CI variable says this is a CI run."""
    return os.environ.get("CI", "").strip().lower() in ("", "0", "false")


def runner_files() -> list[Path]:
    """The code that decides how snippets are run and judged, the table of backends included."""
    found = [*RUNNER_DIR.glob("*.py"), *(RUNNER_DIR / "child").glob("*.py")]
    return sorted([*found, Path(backends.__file__)])


def inputs_digest(root: Path, backend: str = backends.DEFAULT, python: Path | None = None) -> bytes:
    """Everything outside the snippet itself that can change what a snippet of `backend`
    prints when run by `python` (by default the backend's interpreter)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    # The runner's own code: a change in how snippets are run or normalised re-runs them all.
    for path in runner_files():
        add(f"runner:{path.name}", path.read_bytes())
    chosen = backends.get(backend)
    add("backend", chosen.name.encode())
    interpreter = python or chosen.python()
    if interpreter == Path(sys.executable):  # this interpreter: what it has imported from
        add("python", f"{sys.version} {sys.executable} {platform.platform()}".encode())
        add("versions", Versions.installed().line().encode())
        folders = backends.site_packages_of(None)
    else:  # another environment: read from its folder, without starting it
        version = backends.python_version(interpreter)
        add("python", f"{version} {interpreter} {platform.platform()}".encode())
        folders = backends.site_packages_of(interpreter)
    found = backends.installed_versions(folders)
    installed = sorted(f"{name}=={version}" for name, version in found.items())
    add("installed", "\n".join(installed).encode())
    lock = root / "uv.lock"
    add("uv.lock", lock.read_bytes() if lock.exists() else b"")
    settings = sorted(
        f"{k}={v}" for k, v in os.environ.items() if k.startswith(("TF_", "KERAS_", "PYTHON"))
    )
    add("environment", "\n".join(settings).encode())
    # Every file under snippets/, at any depth, but the stored outputs, their hashes and
    # bytecode: a snippet may import any sibling module or package, or read any data file there.
    folder = root / "snippets"
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if (
            path.is_file()
            and "__pycache__" not in relative.parts
            and not (path.suffix == ".out" and len(relative.parts) == 1)
            and relative.as_posix() != RECORD_FILE  # hashes of the outputs, which no run reads
        ):
            add(f"snippets/{relative.as_posix()}", path.read_bytes())
    return digest.digest()


def key(inputs: bytes, snippet: Snippet, mode: str) -> str:
    """The digest of all a run depends on; mode is how it runs ("forked" or "new-process"):
    each mode's pass is its own."""
    stored = snippet.out_path.read_bytes() if snippet.out_path.is_file() else None
    digest = hashlib.sha256(inputs)
    digest.update(f"{mode}\0{snippet.name}\0".encode())
    digest.update(b"no stored output" if stored is None else b"stored\0" + stored)
    return digest.hexdigest()


def _entry(snippet: Snippet, mode: str) -> Path:
    return snippet.root / CACHE_DIR / mode / snippet.name


def hit(snippet: Snippet, mode: str, key: str) -> bool:
    entry = _entry(snippet, mode)
    return snippet.out_path.exists() and entry.exists() and entry.read_text() == key


def store(snippet: Snippet, mode: str, key: str) -> None:
    entry = _entry(snippet, mode)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(key)


DURATIONS = "durations.json"


def duration_key(snippet: Snippet, directives: Directives) -> str:
    return f"{directives.backend}/{snippet.name}"


def durations(root: Path) -> dict[str, float]:
    """Seconds each snippet took when it last ran, by duration_key; {} when none is known."""
    path = root / CACHE_DIR / DURATIONS
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {k: v for k, v in found.items() if isinstance(v, int | float)}
        if isinstance(found, dict)
        else {}
    )


def store_durations(root: Path, measured: dict[str, float]) -> None:
    path = root / CACHE_DIR / DURATIONS
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(durations(root) | measured, sort_keys=True), encoding="utf-8")
    except OSError:
        pass  # an order, not a result: a folder that cannot be written costs only speed
