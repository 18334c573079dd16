"""The Keras backends a snippet can run under: one table, and how their environments are made.

    python3 -m tools.backends install [NAME ...]   make each backend's environment (default: all
                                                   that have one of their own); scripts/test runs it
    python3 -m tools.backends list                 each backend, its environment and whether it is
                                                   installed
    python3 -m tools.backends lock NAME ...        pin backends/<name>.in into backends/<name>.txt,
                                                   every package the TensorFlow environment shares
                                                   at its version in uv.lock

A snippet names its backend with `# snippet: backend=jax` (tools/content.py reads it; the default
is tensorflow). Everything that runs a snippet (the runner, its cache, the notebook's test, the
benchmark, the matrix) asks this table which interpreter to use and what to set; nothing else
knows a backend by name.

- tensorflow runs in the interpreter that runs the tools: the project's `.venv`, made by
  `uv sync` from uv.lock, or an environment of the version matrix.
- jax and torch run in environments of their own, `.venvs/<name>`, made from a pinned
  requirements file, `backends/<name>.txt`, with no TensorFlow in them: a snippet that passes
  there needs none. They are made with the standard library's venv and pip, because pip is what
  finds PyTorch's CPU build where the machine keeps it (its configured find-links); on GitHub
  Actions the workflows name PyTorch's CPU index in PIP_EXTRA_INDEX_URL. pip compiles every
  module to bytecode as it installs, so no process compiles the backend again.

Only the standard library is imported: the snippet runner imports this module in every
environment, and scripts/test runs it with the system Python before any environment exists.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from tools import project

DEFAULT = "tensorflow"
ENVIRONMENTS = ".venvs"  # where the environments of their own are made, under the project
STAMP = "installed-from.txt"  # in an environment: the requirements it was made from
INSTALL_TIMEOUT = 1800  # seconds


class BackendError(Exception):
    """A backend that is unknown, or whose environment is missing; says what to install."""


@dataclasses.dataclass(frozen=True)
class Backend:
    name: str  # the value of KERAS_BACKEND, as a snippet names it
    label: str  # as pages name it
    distributions: tuple[str, ...]  # the installed distribution that is this backend, first found
    requirements: str | None  # pinned requirements of its own environment; None: the tools' own

    @property
    def environment(self) -> str | None:
        """Its environment's folder, relative to the project; None: the tools' own interpreter."""
        return f"{ENVIRONMENTS}/{self.name}" if self.requirements else None

    def python(self, root: Path = project.ROOT) -> Path:
        """The interpreter that runs its snippets (it may not exist: see missing())."""
        if self.environment is None:
            return Path(sys.executable)
        return root / self.environment / "bin" / "python"

    def env(self) -> dict[str, str]:
        """What a process of this backend gets in its environment, before Keras is imported."""
        return {"KERAS_BACKEND": self.name}

    def install_command(self) -> str:
        if self.environment is None:
            return "python3 -m uv sync --locked (or bash scripts/test)"
        return f"python3 -m tools.backends install {self.name} (or bash scripts/test)"

    def missing(self, root: Path = project.ROOT) -> str | None:
        """None when its environment is installed, else what is missing and how to install it."""
        python = self.python(root)
        if self.environment is not None and not python.exists():
            return (
                f"the {self.label} environment {self.environment}/ is not installed; "
                f"install it with: {self.install_command()}"
            )
        if self.environment is None:
            found = installed_versions(site_packages_of(None))
            if not any(key(name) in found for name in self.distributions):
                return (
                    f"{self.label} is not installed for {python}; run the project's "
                    f".venv/bin/python, installed with: {self.install_command()}"
                )
        return None


BACKENDS = {
    backend.name: backend
    for backend in [
        Backend("tensorflow", "TensorFlow", ("tensorflow-cpu", "tensorflow", "tf-nightly-cpu",
                                             "tf-nightly"), None),
        Backend("jax", "JAX", ("jax",), "backends/jax.txt"),
        Backend("torch", "PyTorch", ("torch",), "backends/torch.txt"),
    ]
}  # fmt: skip


def get(name: str) -> Backend:
    """The backend called `name`; raises BackendError listing the known ones."""
    try:
        return BACKENDS[name]
    except KeyError:
        raise BackendError(f"unknown backend {name!r}; known: {', '.join(BACKENDS)}") from None


# --- What an environment holds ---------------------------------------------------------------


def key(name: str) -> str:
    """A distribution's name as installed_versions() keys it."""
    return name.lower().replace("-", "_").replace(".", "_")


def site_packages_of(python: Path | None) -> list[Path]:
    """The folders an interpreter imports installed packages from; None: this interpreter.

    For a virtual environment, read from its folder (lib/python*/site-packages), not by starting
    it: a cached re-check asks for every backend's versions.
    """
    if python is None:
        return [Path(entry or ".") for entry in sys.path]
    return sorted(python.parent.parent.glob("lib/python*/site-packages"))


def installed_versions(folders: list[Path]) -> dict[str, str]:
    """The version of every distribution in the folders, by its name in lowercase with "-" and
    "." as "_"; where two folders have one, the first wins, as for imports.

    Read from the names of the metadata folders, which the binary distribution format writes as
    `<name>-<version>.dist-info` (packaging.python.org, "Binary distribution format"), not by
    parsing every METADATA file as importlib.metadata does: about 1 ms for 140 packages instead
    of 150 ms, which a cached re-check would pay on every run.
    """
    found: dict[str, str] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            name, _, version = path.name.removesuffix(".dist-info").partition("-")
            if path.suffix == ".dist-info" and version:
                found.setdefault(key(name), version)
    return found


def python_version(python: Path) -> str:
    """The version of a virtual environment's Python, from its pyvenv.cfg ('3.11.7')."""
    config = python.parent.parent / "pyvenv.cfg"
    for line in config.read_text(encoding="utf-8").splitlines() if config.exists() else []:
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info"):
            return value.strip()
    return "unknown"


# --- Installing ------------------------------------------------------------------------------


def _stamp(backend: Backend, root: Path) -> str:
    """What an environment made from the backend's requirements records about them."""
    data = (root / backend.requirements).read_bytes()
    return f"{backend.requirements} sha256={hashlib.sha256(data).hexdigest()} {sys.version}\n"


def install(backend: Backend, root: Path = project.ROOT, log=print) -> bool:
    """Make the backend's environment unless it was made from the same requirements already.

    Returns True when it installed something. On failure the folder is removed (a command that
    fails leaves nothing half made) and BackendError carries pip's message.
    """
    if backend.environment is None:
        raise BackendError(
            f"{backend.name} runs in the project's own environment: {backend.install_command()}"
        )
    folder = root / backend.environment
    stamp = folder / STAMP
    wanted = _stamp(backend, root)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        log(f"{backend.environment}: up to date with {backend.requirements}")
        return False
    log(f"{backend.environment}: installing {backend.requirements} ...")
    make_environment(folder, root / backend.requirements)
    stamp.write_text(wanted, encoding="utf-8")
    return True


def make_environment(folder: Path, requirements: Path) -> Path:
    """A new virtual environment at `folder` (anything there is replaced) with the pinned
    requirements installed by pip; its interpreter. The version matrix makes its backend
    environments with it too.

    Raises BackendError with pip's message, after removing the folder.
    """
    shutil.rmtree(folder, ignore_errors=True)
    label = folder.name
    steps = [
        [sys.executable, "-m", "venv", str(folder)],
        # --compile: every module gets its .pyc now (PYTHONDONTWRITEBYTECODE=1 on CI would
        # otherwise make every process compile the backend again).
        [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--compile",
         "--disable-pip-version-check", "--require-virtualenv", "-r", str(requirements)],
    ]  # fmt: skip
    for step in steps:
        try:
            done = subprocess.run(
                step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            done = subprocess.CompletedProcess(step, -1, "", f"took over {INSTALL_TIMEOUT} s")
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise BackendError(
                f"{label}: `{' '.join(step[1:4])} ...` failed "
                f"(exit status {done.returncode}):\n{(done.stderr or done.stdout).strip()[-3000:]}"
            )
    return folder / "bin" / "python"


def lock(backend: Backend, root: Path = project.ROOT) -> None:
    """Write backends/<name>.txt: backends/<name>.in resolved by uv, every package it shares
    with the TensorFlow environment constrained to uv.lock's version, so that the environments
    differ by their backend only. Raises BackendError with uv's message.

    uv reads pip's settings for where PyTorch's CPU build is (PIP_FIND_LINKS,
    PIP_EXTRA_INDEX_URL) from the environment only when they are set.
    """
    import os
    import tempfile

    from tools.matrix import _uv

    source = root / Path(backend.requirements).with_suffix(".in")
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "uv-lock.txt"
        sources = []
        for variable, option in (
            ("PIP_FIND_LINKS", "--find-links"),
            ("PIP_EXTRA_INDEX_URL", "--extra-index-url"),
        ):
            sources += [
                arg for url in os.environ.get(variable, "").split() for arg in (option, url)
            ]
        steps = [
            ["export", "--locked", "--quiet", "--no-hashes", "--no-header", "--no-annotate",
             "--format", "requirements-txt", "--all-groups", "-o", str(constraints)],
            ["pip", "compile", "--quiet", "--no-header", "--no-annotate", "--python-version",
             "3.11", "-c", str(constraints), *sources, str(source), "-o",
             str(root / backend.requirements)],
        ]  # fmt: skip
        for step in steps:
            done = subprocess.run(_uv(*step), cwd=root, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise BackendError(f"uv {step[0]} failed:\n{done.stderr.strip()[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m tools.backends", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["install", "list", "lock"])
    parser.add_argument("names", nargs="*", help="backend names (default: all)")
    args = parser.parse_args(argv)
    try:
        chosen = [get(name) for name in args.names] or list(BACKENDS.values())
    except BackendError as error:
        parser.error(str(error))
    if args.command == "list":
        for backend in chosen:
            where = backend.environment or "the tools' own interpreter"
            print(f"{backend.name}: {where}: {backend.missing() or 'installed'}")
        return 0
    failed = 0
    for backend in chosen:
        if backend.environment is None:
            continue
        try:
            if args.command == "lock":
                lock(backend)
                print(f"wrote {backend.requirements}")
            else:
                install(backend)
        except BackendError as error:
            print(f"FAIL {error}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
