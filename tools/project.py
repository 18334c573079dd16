"""Facts about this project, each read from the one file that owns it.

- Paths: the project root and its folders.
- The site: `mkdocs.yml`, loaded by MkDocs itself (plugins, hooks and `!!python/name` tags
  included), and what follows from it: the repository, the branch pages are edited on, the
  address the site is published under.
- The pins: the TensorFlow requirement of the `snippets` group of `pyproject.toml`.

Only the standard library is imported at module level: the snippet runner imports this module in
environments that have TensorFlow but no MkDocs (tools/matrix.py).
"""

from __future__ import annotations

import dataclasses
import logging
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# The project's interpreter, as a contributor types it: it has TensorFlow, the system one has not.
PYTHON = ".venv/bin/python"


def command(tool: str) -> str:
    """A command to run, as a message names it: command("tools.generate") is
    "`.venv/bin/python -m tools.generate`", ready to copy from the project folder."""
    return f"`{PYTHON} -m {tool}`"


class ProjectError(Exception):
    """A project file says something the tools cannot use; the message names the file."""


def snippets_dir(root: Path = ROOT) -> Path:
    return root / "snippets"


def docs_dir(root: Path = ROOT) -> Path:
    return root / "docs"


def site_config(root: Path = ROOT):
    """`mkdocs.yml` as MkDocs loads it: a validated `MkDocsConfig` (plugins and hooks loaded).

    Raises ProjectError naming the file when MkDocs refuses it.
    """
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    # A value MkDocs rejects (`nav: 5`) is logged, then loading aborts with only a count.
    rejected: list[str] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = lambda record: rejected.append(record.getMessage())
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        return load_config(config_file=str(root / "mkdocs.yml"))
    except (ConfigurationError, Abort) as error:
        raise ProjectError(f"{root / 'mkdocs.yml'}: {'; '.join(rejected) or error}") from None
    finally:
        logger.removeHandler(handler)


@dataclasses.dataclass(frozen=True)
class Repository:
    """The GitHub repository the site publishes, from `repo_url` and `edit_uri` of mkdocs.yml."""

    owner: str
    name: str
    branch: str  # the branch pages are edited on, which the site is deployed from
    docs: str  # the docs folder inside the repository, e.g. "docs"

    @property
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"

    def blob_url(self, path: str) -> str:
        """The page of a file on GitHub."""
        return f"{self.url}/blob/{self.branch}/{path}"

    def raw_url(self, path: str) -> str:
        """The file's bytes, as raw.githubusercontent.com serves them."""
        return f"https://raw.githubusercontent.com/{self.owner}/{self.name}/{self.branch}/{path}"


def repository(config) -> Repository:
    """The repository of a loaded site config; raises ProjectError when it cannot be derived.

    `repo_url` must be https://github.com/OWNER/NAME and `edit_uri` edit/BRANCH/DOCS/.
    """
    parsed = urlsplit(config.repo_url or "")
    parts = parsed.path.strip("/").removesuffix(".git").split("/")
    edit = (config.edit_uri or "").strip("/").split("/")
    if parsed.netloc != "github.com" or len(parts) != 2 or len(edit) < 3 or edit[0] != "edit":
        raise ProjectError(
            "mkdocs.yml: repo_url must be https://github.com/OWNER/REPO and edit_uri "
            f"edit/<branch>/<docs folder>/ (found {config.repo_url!r}, {config.edit_uri!r})"
        )
    return Repository(owner=parts[0], name=parts[1], branch=edit[1], docs="/".join(edit[2:]))


def site_path(config) -> str:
    """The path the site is published under, from `site_url`: '/tf-variable-explainer/'."""
    path = urlsplit(config.site_url or "/").path.strip("/")
    return f"/{path}/" if path else "/"


def page_url(config, src_uri: str) -> str:
    """The published address of a page, e.g. 'tensor-vs-variable.md' -> site_url + path/."""
    if not config.site_url:
        raise ProjectError("mkdocs.yml: a link to a page needs site_url")
    target = src_uri.removesuffix(".md")
    path = "" if target == "index" else target.removesuffix("/index") + "/"
    return config.site_url.rstrip("/") + "/" + path


def snippets_requirements(root: Path = ROOT) -> list[str]:
    """The `snippets` dependency group of pyproject.toml: what every snippet runs with.

    ['tensorflow-cpu==2.21.0', 'tf-keras==2.21.0']; raises ProjectError when it is empty.
    """
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    group = [r for r in data.get("dependency-groups", {}).get("snippets", []) if isinstance(r, str)]
    if not group:
        raise ProjectError("pyproject.toml: the snippets dependency group is missing or empty")
    return group


# The distributions that install TensorFlow itself (tf-keras, in the same group, is not one).
TENSORFLOW_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tf-nightly", "tf-nightly-cpu")


def tensorflow_requirement(root: Path = ROOT) -> str:
    """The pinned TensorFlow of the `snippets` dependency group: 'tensorflow-cpu==2.21.0'.

    Raises ProjectError when pyproject.toml does not pin exactly one TensorFlow there.
    """
    group = snippets_requirements(root)
    pins = [r for r in group if r.split("==")[0].strip() in TENSORFLOW_DISTRIBUTIONS]
    if len(pins) != 1 or "==" not in pins[0]:
        raise ProjectError(
            f"pyproject.toml: the snippets group must pin one TensorFlow with ==, found {pins}"
        )
    return pins[0]
