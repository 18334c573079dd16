"""MkDocs hook: the navigation lists pages in the order the home page lists them.

mkdocs.yml has no `nav:`, so MkDocs lists every page itself: the home page first, then the pages
of docs/ by file name, then each folder as a section. This hook keeps that layout and orders the
pages within each folder by their first link from the home page, docs/index.md, which lists every
page (the tests require it) and starts with the one to read first. A new page takes its place
in the navigation by being listed on the home page; there is no other list to keep. Pages the
home page does not link come after the others, by file name. A `nav:` written in mkdocs.yml is
left as it is.
"""

import posixpath
import sys
from pathlib import Path

from mkdocs.structure.files import file_sort_key
from mkdocs.utils import nest_paths

# MkDocs loads a hook by its path; the project's tools live at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools import pages  # noqa: E402

_written_nav = None  # the nav this hook made, told apart from one written in mkdocs.yml


def order(home_page: str) -> dict[str, int]:
    """{page path under docs/: position of its first link} from the home page's Markdown."""
    found: dict[str, int] = {}
    for href in pages.link_targets(home_page):
        path = href.partition("#")[0]
        if path and "://" not in path and not path.startswith("/"):
            found.setdefault(posixpath.normpath(path), len(found))
    return found


def on_files(files, config):
    global _written_nav
    if config.nav is not None and config.nav is not _written_nav:
        return files
    home = files.get_file_from_path("index.md")
    ranks = order(Path(home.abs_src_path).read_text(encoding="utf-8")) if home else {}

    def key(file):
        folders, not_index, name = file_sort_key(file)
        return folders, not_index, ranks.get(file.src_uri, len(ranks)), name

    listed = [f for f in files.documentation_pages() if f.inclusion.is_in_nav()]
    _written_nav = config.nav = nest_paths(f.src_uri for f in sorted(listed, key=key))
    return files
