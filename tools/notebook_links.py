"""MkDocs hook: "Download notebook" and "Open in Colab" under the title of a page and its notebook.

A page docs/<name>.md has a notebook edition when docs/notebook/<name>.ipynb exists (written by
`python -m tools.notebook`). The Colab address is built from `repo_url` and `edit_uri` in
mkdocs.yml, so the repository and branch are written in one place only.
"""

import posixpath
from urllib.parse import urlparse

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

NOTEBOOK_DIR = "notebook"


def colab_url(config, src_uri: str) -> str:
    repo = urlparse(config.repo_url or "")
    edit = (config.edit_uri or "").strip("/").split("/")
    if repo.netloc != "github.com" or len(edit) < 2 or edit[0] != "edit":
        raise PluginError(
            "mkdocs.yml: the Open in Colab link needs a github.com repo_url and an edit_uri "
            f"of the form edit/<branch>/<docs folder>/ (got {config.repo_url!r}, "
            f"{config.edit_uri!r})"
        )
    return "https://colab.research.google.com/github" + posixpath.join(
        repo.path.rstrip("/"), "blob", *edit[1:], src_uri
    )


def _notebook(page, files):
    src = page.file.src_uri
    if src.endswith(".ipynb"):
        return page.file
    if src.endswith(".md"):
        return files.get_file_from_path(f"{NOTEBOOK_DIR}/{posixpath.basename(src)[:-3]}.ipynb")
    return None


def on_page_content(html, page, config, files):
    notebook = _notebook(page, files)
    if notebook is None:
        return html
    # mkdocs-jupyter (include_source) publishes the .ipynb next to the notebook's page.
    folder = posixpath.dirname(notebook.dest_path.replace("\\", "/"))
    download = posixpath.join(folder, posixpath.basename(notebook.src_uri))
    links = (
        '<p class="notebook-links">'
        f'<a class="md-button" href="{get_relative_url(download, page.file.url)}" download>'
        "Download notebook</a> "
        f'<a class="md-button" href="{colab_url(config, notebook.src_uri)}">Open in Colab</a>'
        "</p>"
    )
    head, found, rest = html.partition("</h1>")
    return head + found + links + rest if found else links + html
