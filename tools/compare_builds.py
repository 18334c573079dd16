"""Which pages two builds of the site show differently: `python -m tools.compare_builds A B`.

Used by the scheduled Zensical job (.github/workflows/zensical.yml): A is the deployed build
(ProperDocs), B Zensical's. A page is compared by what a reader reads: the text of its
`<article>` (the page body, without navigation and theme), whitespace collapsed. Prints a
Markdown report; exits 0 whatever differs (the job reports, it does not fail CI) and 2 when a
folder is not a build.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bs4 import BeautifulSoup


def article_texts(site: Path) -> dict[str, str]:
    """{page path: its article's text} for every .html file of a build."""
    found = {}
    for file in sorted(site.rglob("*.html")):
        article = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser").find("article")
        text = article.get_text(" ") if article else ""
        found[file.relative_to(site).as_posix()] = " ".join(text.split())
    return found


def report(first: Path, second: Path) -> str:
    ours, theirs = article_texts(first), article_texts(second)
    lines = [f"Pages: {len(ours)} in {first.name}, {len(theirs)} in {second.name}.", ""]
    sections = [
        (f"Only in {first.name}", sorted(ours.keys() - theirs.keys())),
        (f"Only in {second.name}", sorted(theirs.keys() - ours.keys())),
        ("Text differs", sorted(p for p in ours.keys() & theirs.keys() if ours[p] != theirs[p])),
        ("Same text", sorted(p for p in ours.keys() & theirs.keys() if ours[p] == theirs[p])),
    ]
    for title, paths in sections:
        lines.append(f"- **{title}** ({len(paths)}): " + (", ".join(paths) or "none"))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not all((Path(a) / "index.html").is_file() for a in argv):
        usage = "usage: python -m tools.compare_builds BUILD_A BUILD_B"
        print(f"{usage} (two built sites; got {argv})", file=sys.stderr)
        return 2
    print(report(Path(argv[0]), Path(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
