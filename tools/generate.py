"""Write, or check, every file generated from the project's sources.

    python -m tools.generate            write them
    python -m tools.generate --check    exit 1 naming each generated file that is out of date

The generated files are committed, and the tests fail while one is out of date:

- `docs/notebook/<page>.ipynb`, the notebook edition of each page that shows snippet code
  (tools/notebook.py), from the page, its snippets and their stored outputs, and
  `docs/notebook/<page>-<backend>.ipynb` for each other Keras backend its snippets run under;
- `docs/reference/compatibility.md`, the compatibility page (tools/compatibility.py), from
  compat/results/;
- `docs/snippets.json`, the manifest of every snippet (tools/manifest.py);
- `snippets/where-each-fix-holds.md`, the table of where each running-total variant holds
  (tools/holds_table.py), from the verdict lines of the stored outputs and the pages that show
  them.

Why committed files rather than pages built by an MkDocs hook: a notebook must be a file of the
repository (Colab opens it from GitHub, readers download it); the matrix workflow proposes new
results as a pull request whose diff then shows the page they change; and a reviewer sees every
generated change beside the change of a snippet or output that caused it. The site build only
reads files, so it needs neither TensorFlow nor a run.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from tools import backends, compatibility, content, holds_table, manifest, notebook, project


@dataclasses.dataclass(frozen=True)
class Generated:
    """A generated file's text, or why it cannot be made (naming the source file)."""

    path: Path
    text: str | None = None
    error: str | None = None


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
    files[root / manifest.PATH] = lambda: manifest.dumps(manifest.build(root, config()))
    files[root / holds_table.PATH] = table
    return files


def generated(root: Path = project.ROOT) -> list[Generated]:
    """Every generated file, made; one that cannot be made does not stop the others."""
    found = []
    for path, make in generators(root).items():
        try:
            found.append(Generated(path, text=make()))
        except (
            content.ContentError,
            notebook.NotebookError,
            manifest.ManifestError,
            holds_table.HoldsTableError,
            project.ProjectError,
        ) as error:
            found.append(Generated(path, error=f"cannot write {path.relative_to(root)}:\n{error}"))
    return found


def stale(path: Path, text: str, root: Path = project.ROOT) -> str | None:
    """None when the committed file is `text`, else a message naming it (with a diff)."""
    from tools.runner import diff

    name = path.relative_to(root).as_posix()
    committed = path.read_bytes().decode("utf-8") if path.exists() else ""
    if committed == text:
        return None
    if path.suffix == ".ipynb":
        return notebook.stale(committed, text, name)
    return f"{name}: out of date; run `python -m tools.generate`\n" + diff(
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
    failed = False
    for file in generated(root):
        name = file.path.relative_to(root).as_posix()
        message = file.error or stale(file.path, file.text, root)
        if message is None:
            print(f"ok {name}" if args.check else f"unchanged {name}")
        elif file.error or args.check:
            print(f"FAIL {message}", file=sys.stderr)
            failed = True
        else:
            file.path.parent.mkdir(parents=True, exist_ok=True)
            file.path.write_bytes(file.text.encode("utf-8"))
            print(f"wrote {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
