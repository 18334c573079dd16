"""MkDocs hook: "Download notebook" and "Open in Colab" under the title of a page and its notebook.

A page docs/<name>.md has a notebook edition when docs/notebook/<name>.ipynb exists (written by
`python -m tools.generate`). The Colab address comes from the repository and branch that
tools/project.py derives from `repo_url` and `edit_uri` in mkdocs.yml.
"""

import posixpath

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from tools import notebook, project


def colab_url(config, src_uri: str) -> str:
    try:
        repo = project.repository(config)
    except project.ProjectError as error:
        raise PluginError(f"the Open in Colab link: {error}") from None
    return (
        "https://colab.research.google.com/github/"
        + f"{repo.owner}/{repo.name}/blob/{repo.branch}/{repo.docs}/{src_uri}"
    )


def _notebook(page, files):
    src = page.file.src_uri
    if src.endswith(".ipynb"):
        return page.file
    if src.endswith(".md"):
        name = posixpath.basename(src)[:-3]
        return files.get_file_from_path(f"{notebook.NOTEBOOK_DIR}/{name}.ipynb")
    return None


def on_page_content(html, page, config, files):
    found = _notebook(page, files)
    if found is None:
        return html
    # mkdocs-jupyter (include_source) publishes the .ipynb next to the notebook's page.
    folder = posixpath.dirname(found.dest_path.replace("\\", "/"))
    download = posixpath.join(folder, posixpath.basename(found.src_uri))
    links = (
        '<p class="notebook-links">'
        f'<a class="md-button" href="{get_relative_url(download, page.file.url)}" download>'
        "Download notebook</a> "
        f'<a class="md-button" href="{colab_url(config, found.src_uri)}">Open in Colab</a>'
        "</p>"
    )
    head, match, rest = html.partition("</h1>")
    return head + match + links + rest if match else links + html
