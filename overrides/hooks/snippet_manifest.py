"""MkDocs hook: snippets.json, the manifest of every snippet, made as the site is built.

tools/manifest.py makes it from the snippets, their stored outputs and the repository's history
(the commit at which each version was verified); it cannot be a committed file, which would have
to name the commit that contains it. A snippet the manifest cannot describe (a section that never
ends, no stored output) fails the build, naming the file. Without the whole git history (an
archive, a shallow clone) the manifest names no commit, and the build says why.
"""

import logging
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

# MkDocs loads a hook by its path; the project's tools live at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools import manifest, project  # noqa: E402

log = logging.getLogger("mkdocs.hooks.snippet_manifest")


def on_files(files, config):
    root = Path(config.config_file_path).resolve().parent
    try:
        made = manifest.build(root, config)
    except (manifest.ManifestError, project.ProjectError) as error:
        raise PluginError(f"{manifest.NAME}, the snippet manifest:\n{error}") from None
    if made["history"] is None:
        _, why = manifest.history(root)
        log.info(f"{manifest.NAME} names no commit: {why}")
    files.append(File.generated(config, manifest.NAME, content=manifest.dumps(made)))
    return files
