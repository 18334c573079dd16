"""`docs/snippets.json`: the manifest of every snippet, for people who embed them.

For each `snippets/<name>.py`: its path, its URLs on the repository host, its named sections with
their line numbers, its stored output, the versions that output was verified with (for a snippet
of another Keras backend, that backend's and its version) and a SHA-256 of the file. Its shape is
fixed by the JSON Schema `docs/schemas/snippets.schema.json`.
Written by `python -m tools.generate` from files alone (no TensorFlow).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from tools import backends, content, project

PATH = "docs/snippets.json"
SCHEMA = "schemas/snippets.schema.json"  # under docs/, published beside the manifest


class ManifestError(Exception):
    """Every problem found, each naming its file."""


def build(root: Path, config) -> dict:
    """The manifest for the project at root; raises ManifestError listing every problem."""
    repo = project.repository(config)
    try:
        versions = dataclasses.asdict(content.Versions.stored(root))
    except content.ContentError as error:
        raise ManifestError(str(error)) from None
    problems: list[str] = []
    entries = []
    for snippet in content.snippets(root):
        sections, trouble = snippet.sections()
        problems += trouble
        output = snippet.stored_output()
        if output is None:
            problems.append(f"{snippet.label}: no stored output {snippet.out_label}")
            continue
        try:
            backend = snippet.directives().backend
            verified = (
                versions
                if backend == backends.DEFAULT
                else dataclasses.asdict(content.BackendVersions.stored(backend, root))
            )
        except content.ContentError as error:
            problems.append(str(error))
            continue
        entries.append(
            {
                "name": snippet.name,
                "path": snippet.label,
                "url": repo.blob_url(snippet.label),
                "raw_url": repo.raw_url(snippet.label),
                "sha256": hashlib.sha256(snippet.path.read_bytes()).hexdigest(),
                "sections": [dataclasses.asdict(s) for s in sections],
                "output": {
                    "path": snippet.out_label,
                    "raw_url": repo.raw_url(snippet.out_label),
                    "text": output,
                },
                "verified_with": verified,
            }
        )
    if problems:
        raise ManifestError("\n".join(problems))
    manifest = {"repository": config.repo_url, "branch": repo.branch, "snippets": entries}
    if config.site_url:
        manifest = {"$schema": config.site_url.rstrip("/") + "/" + SCHEMA, **manifest}
    return manifest


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
