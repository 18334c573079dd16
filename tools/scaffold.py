"""Start a new explainer page: `python -m tools.scaffold <slug> "<Title>"`.

Writes docs/<slug>.md from tools/templates/page.md.tmpl (the sections of the Tensor-vs-Variable
page, each with a "To write" box) and its first snippet, snippets/<slug_with_underscores>.py, from
tools/templates/snippet.py.tmpl, then runs that snippet to store its output and writes the
generated files (the page's notebook edition among them). Nothing is registered anywhere: the
site lists every page under docs/ and the tests find every page and snippet.
"""

from __future__ import annotations

import argparse
import importlib.util
import keyword
import re
import string
import sys
from pathlib import Path

from tools import content, generate, project, runner

TEMPLATES = Path(__file__).resolve().parent / "templates"
SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class ScaffoldError(Exception):
    pass


def plan(root: Path, slug: str, title: str) -> dict[Path, str]:
    """The files to write and their text; raises ScaffoldError naming what is wrong."""
    if not SLUG.match(slug):
        raise ScaffoldError(
            f"slug {slug!r}: use lowercase letters, digits and single hyphens, starting with a "
            "letter (it becomes the page's address, e.g. 'gradient-tape')"
        )
    if slug == "index":
        raise ScaffoldError("slug 'index' is the home page")
    title = " ".join(title.split())
    if not title or len(title) > 80:
        raise ScaffoldError(f"the title must have 1 to 80 characters, not {len(title)}")
    name = slug.replace("-", "_")
    if keyword.iskeyword(name):
        raise ScaffoldError(
            f"slug {slug!r}: {name!r} is a Python keyword, which cannot be imported"
        )
    if importlib.util.find_spec(name) is not None:
        raise ScaffoldError(
            f"slug {slug!r}: snippets/{name}.py would be imported instead of the module {name!r} "
            "by every snippet (the snippets' folder comes first on their path); choose another slug"
        )
    values = {"title": title, "snippet": name}
    files = {
        root / "docs" / f"{slug}.md": "page.md.tmpl",
        root / "snippets" / f"{name}.py": "snippet.py.tmpl",
    }
    taken = [p for p in [*files, root / "snippets" / f"{name}.out"] if p.exists()]
    if taken:
        raise ScaffoldError(
            "already exists, choose another slug: "
            + ", ".join(str(p.relative_to(root)) for p in taken)
        )
    return {
        path: string.Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)
        for path, template in files.items()
    }


def preview_address(root: Path) -> str:
    """Where `mkdocs serve` shows the home page: it keeps the path of site_url."""
    return "http://127.0.0.1:8000" + project.site_path(project.site_config(root))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.scaffold", description=__doc__.split("\n")[0]
    )
    parser.add_argument("slug", help="the page's file name and address, e.g. gradient-tape")
    parser.add_argument("title", help='the page title, e.g. "Why GradientTape returns None"')
    parser.add_argument(
        "--root", type=Path, default=project.ROOT, help="project folder (default: this one)"
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        files = plan(root, args.slug, args.title)
        address = preview_address(root)  # reads mkdocs.yml: a broken one stops us before writing
    except (ScaffoldError, project.ProjectError) as error:
        print(f"scaffold: {error}", file=sys.stderr)
        return 2
    snippet = content.Snippet(next(p for p in files if p.suffix == ".py"))
    record = project.snippets_dir(root) / content.RECORD_FILE
    try:
        # All or nothing: when the snippet does not run or a generated file cannot be made,
        # every file is as it was.
        with generate.Unchanged([*files, snippet.out_path, record, *generate.generators(root)]):
            for path, text in files.items():
                path.write_text(text, encoding="utf-8")
            # The stored output comes from a real run, like every other one.
            [result] = runner.run_all([snippet], new_processes=True, cache=False)
            if result.problem:
                raise ScaffoldError(f"{snippet.label} did not run:\n{result.failure}")
            snippet.store_output(result.output)
            content.record([snippet], root)
            # A page that shows snippets has a notebook edition, generated from it.
            if generate.main(["--root", str(root)]) != 0:
                raise ScaffoldError("the generated files could not be written; see above")
    except ScaffoldError as error:
        print(f"scaffold: {error}\nscaffold: nothing was written", file=sys.stderr)
        return 1
    for path in [*files, snippet.out_path]:
        print(f"wrote {path.relative_to(root)}")
    page = f"docs/{args.slug}.md"
    heading = " ".join(args.title.split())
    print(
        f"\nNext:\n"
        f"  1. Preview the page with `bash scripts/serve`; it rebuilds as you edit:\n"
        f"     {address}{args.slug}/\n"
        f"  2. Replace every 'To write' box in {page} with your text (each box says\n"
        f"     what its section needs).\n"
        f"  3. Make {snippet.label} your first example, its 'To write' docstring\n"
        f"     included, and store its output from a run:\n"
        f"     {project.PYTHON} -m tools.snippets refresh {snippet.name}\n"
        f"  4. List the page and its notebook edition on the home page, docs/index.md,\n"
        f"     under 'The pages':\n"
        f"     - [{heading}]({args.slug}.md): <one line>\n"
        f"     - [{heading} (notebook)](notebook/{args.slug}.ipynb)\n"
        f"  5. Write the page's generated files (its notebook edition) again after each edit\n"
        f"     of the page, then check the page as CI will:\n"
        f"     {project.PYTHON} -m tools.generate\n"
        f"     bash scripts/test-page {page}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
