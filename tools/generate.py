"""Write, or check, every file generated from the project's sources.

    python -m tools.generate            write them
    python -m tools.generate --check    exit 1 naming each generated file that is out of date

The generated files are committed, and the tests fail while one is out of date:

- `docs/notebook/<page>.ipynb`, the notebook edition of each page that shows snippet code
  (tools/notebook.py), from the page, its snippets and their stored outputs, and
  `docs/notebook/<page>-<backend>.ipynb` for each other Keras backend its snippets run under;
- `docs/reference/compatibility.md`, the compatibility page (tools/compatibility.py), from
  compat/results/;
- `snippets/where-each-fix-holds.md`, the table of where each running-total variant holds
  (tools/holds_table.py), from the verdict lines of the stored outputs and the pages that show
  them.

Why committed files rather than pages built by an MkDocs hook: a notebook must be a file of the
repository (Colab opens it from GitHub, readers download it); the matrix workflow proposes new
results as a pull request whose diff then shows the page they change; and a reviewer sees every
generated change beside the change of a snippet or output that caused it. The site build only
reads files, so it needs neither TensorFlow nor a run. (The snippet manifest, snippets.json, is
the one file the build makes: it names the commits its versions were verified at, which a
committed file cannot do for its own commit; tools/manifest.py.)
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from tools import backends, compatibility, content, holds_table, notebook, project


@dataclasses.dataclass(frozen=True)
class Generated:
    """A generated file's text, or why it cannot be made (naming the source file)."""

    path: Path
    text: str | None = None
    error: str | None = None
    # Not made because of a problem of the snippets (blocking()): an output no run stored, a
    # section marker that is wrong.
    blocked: bool = False


def generators(root: Path = project.ROOT) -> dict[Path, Callable[[], str]]:
    """Each generated file and how to make its text. mkdocs.yml is read when a file is made,
    so a broken one is an error of each file that needs it, not of the list."""
    config = functools.cache(lambda: project.site_config(root))
    table = functools.cache(lambda: holds_table.generate(root, config()))
    # A page that includes the table gets a notebook with the table being generated.
    included = {Path(holds_table.PATH).name: table}

    def notebook_of(page: Path, backend: str) -> Callable[[], str]:
        return lambda: notebook.dumps(notebook.build(page, root, config(), included, backend))

    files = {}
    for page in notebook.pages_with_notebooks(root):
        try:
            names = notebook.page_backends(page, root, config())
        except (notebook.NotebookError, content.ContentError, project.ProjectError):
            names = [backends.DEFAULT]  # its notebook reports the error when it is made
        for backend in names:
            files[notebook.notebook_path(page, root, backend)] = notebook_of(page, backend)
    files[root / compatibility.PAGE] = lambda: compatibility.generate(root)
    files[root / holds_table.PATH] = table
    return files


def generated(root: Path = project.ROOT) -> list[Generated]:
    """Every generated file, made; one that cannot be made does not stop the others.

    A file made from the stored outputs cannot be made while one of them is not what a run
    stored (content.unverified): an output edited by hand is not spread into the notebooks
    and the table. Nor while a snippet's section markers are wrong (a section that never ends
    would take the rest of the file).
    """
    unverified = blocking(root)
    found = []
    for path, make in generators(root).items():
        if unverified and path != root / compatibility.PAGE:  # that page reads compat/ only
            problems = "\n".join(unverified)
            error = f"cannot write {path.relative_to(root)}:\n{problems}"
            found.append(Generated(path, error=error, blocked=True))
            continue
        try:
            found.append(Generated(path, text=make()))
        except (
            content.ContentError,
            notebook.NotebookError,
            holds_table.HoldsTableError,
            project.ProjectError,
        ) as error:
            found.append(Generated(path, error=f"cannot write {path.relative_to(root)}:\n{error}"))
    return found


def blocking(root: Path = project.ROOT) -> list[str]:
    """What stops every file made from the snippets: outputs no run stored, section markers
    that are wrong; each names the file and line and what to do."""
    problems = content.unverified(root)
    for snippet in content.snippets(root):
        try:
            problems += snippet.sections()[1]
        except content.ContentError as error:
            problems.append(str(error))
    return problems


def stale(path: Path, text: str, root: Path = project.ROOT) -> str | None:
    """None when the committed file is `text`, else a message naming it (with a diff)."""
    from tools.runner import diff

    name = path.relative_to(root).as_posix()
    committed = path.read_bytes().decode("utf-8") if path.exists() else ""
    if committed == text:
        return None
    if path.suffix == ".ipynb":
        return notebook.stale(committed, text, name)
    return f"{name}: out of date; run {project.command('tools.generate')}\n" + diff(
        committed, text, f"{name} (committed)", f"{name} (generated)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    parser.add_argument("--root", type=Path, default=project.ROOT, help="project folder")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    files = generated(root)
    # What blocks every file made from the snippets is said once.
    for problem in blocking(root) if any(f.blocked for f in files) else []:
        print(f"FAIL {problem}", file=sys.stderr)
    failed = False
    for file in files:
        name = file.path.relative_to(root).as_posix()
        if file.blocked:
            message = f"cannot write {name} because of the problems above"
        else:
            message = file.error or stale(file.path, file.text, root)
        if message is None:
            print(f"ok {name}" if args.check else f"unchanged {name}")
        elif file.error or args.check:
            print(f"FAIL {message}", file=sys.stderr)
            failed = True
    if failed or args.check:
        if failed and not args.check:
            print("FAIL nothing was written: every file is as it was", file=sys.stderr)
        return 1 if failed else 0
    # Nothing was wrong: write what is out of date.
    for file in files:
        if stale(file.path, file.text, root) is not None:
            write(file)
            print(f"wrote {file.path.relative_to(root).as_posix()}")
    return 0


def write(file: Generated) -> None:
    file.path.parent.mkdir(parents=True, exist_ok=True)
    file.path.write_bytes(file.text.encode("utf-8"))


class Unchanged:
    """Files that are either all written or, when the block raises, all as they were.

    `with Unchanged(paths):` keeps the bytes of each path (or that it did not exist) and puts
    them back if the block raises; then the exception goes on.
    """

    def __init__(self, paths):
        # Bytes, or None for a path that did not exist; what is neither file nor absent (a
        # folder where a file belongs) is not ours to put back.
        self.kept = {
            Path(p): Path(p).read_bytes() if Path(p).is_file() else None
            for p in paths
            if Path(p).is_file() or not Path(p).exists()
        }

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None:
            return False
        for path, data in self.kept.items():
            if data is None:
                path.unlink(missing_ok=True)
            elif not path.is_file() or path.read_bytes() != data:
                path.write_bytes(data)
        return False


if __name__ == "__main__":
    sys.exit(main())
