"""MkDocs hook: publish `snippets.json`, a manifest of every snippet, with the site.

For each `snippets/<name>.py`: its path, its URLs (derived from `repo_url` in mkdocs.yml), its named
sections with their line numbers, its stored output, the versions that output was verified with
(`snippets/verified-with.txt`) and a SHA-256 of the file. The shape is fixed by the JSON Schema
`docs/schemas/snippets.schema.json`, which is published beside it.

The hook only reads files, so building the site still needs no TensorFlow.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlparse

MANIFEST = "snippets.json"
SCHEMA = "schemas/snippets.schema.json"
# The branch the site is deployed from (.github/workflows/ci.yml); raw URLs point at it.
BRANCH = "main"
MARKER = re.compile(r"^\s*#\s*--8<--\s*\[\s*(start|end)\s*:\s*([a-z][-_0-9a-z]*)\s*\]\s*$")
VERSIONS = re.compile(r"^TensorFlow (\S+), Keras (\S+), Python (\S+)$")


class ManifestError(Exception):
    """Every problem found, each naming its file."""


def sections(path: Path, label: str) -> tuple[list[dict], list[str]]:
    """Named sections with the first and last line of their content (1-based), and problems."""
    found: list[dict] = []
    problems: list[str] = []
    open_at: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = MARKER.match(line)
        if not match:
            continue
        kind, name = match.groups()
        if kind == "start":
            if name in open_at or any(s["name"] == name for s in found):
                problems.append(f"{label}:{number}: section {name!r} starts a second time")
            open_at[name] = number
        elif name not in open_at:
            problems.append(f"{label}:{number}: section {name!r} ends but never started")
        else:
            found.append(
                {"name": name, "start_line": open_at.pop(name) + 1, "end_line": number - 1}
            )
    problems += [f"{label}:{line}: section {name!r} never ends" for name, line in open_at.items()]
    if not found and not problems:
        problems.append(f"{label}: no named section (# --8<-- [start:name] ... [end:name])")
    return sorted(found, key=lambda s: s["start_line"]), problems


def verified_with(root: Path) -> dict:
    path = root / "snippets" / "verified-with.txt"
    text = path.read_text(encoding="utf-8").strip() if path.exists() else "<missing>"
    match = VERSIONS.match(text)
    if not match:
        raise ManifestError(
            f"snippets/verified-with.txt: expected 'TensorFlow X, Keras Y, Python Z', "
            f"found {text!r}; write it with `python -m tools.snippets refresh`"
        )
    return dict(zip(("tensorflow", "keras", "python"), match.groups(), strict=True))


def urls(repo_url: str) -> tuple[str, str]:
    """Bases for a file's page and its raw content on the repository host."""
    parsed = urlparse(repo_url or "")
    owner_repo = parsed.path.strip("/").removesuffix(".git")
    if parsed.netloc != "github.com" or owner_repo.count("/") != 1:
        raise ManifestError(
            f"mkdocs.yml: repo_url must be https://github.com/OWNER/REPO, found {repo_url!r}"
        )
    return (
        f"https://github.com/{owner_repo}/blob/{BRANCH}/",
        f"https://raw.githubusercontent.com/{owner_repo}/{BRANCH}/",
    )


def build(root: Path, repo_url: str, site_url: str | None = None) -> dict:
    """The manifest for the project at root; raises ManifestError listing every problem."""
    page_base, raw_base = urls(repo_url)
    versions = verified_with(root)
    problems: list[str] = []
    entries = []
    for path in sorted((root / "snippets").glob("*.py")):
        label = f"snippets/{path.name}"
        found, trouble = sections(path, label)
        problems += trouble
        out = path.with_suffix(".out")
        out_label = f"snippets/{out.name}"
        if not out.exists():
            problems.append(f"{label}: no stored output {out_label}")
            continue
        entries.append(
            {
                "name": path.stem,
                "path": label,
                "url": page_base + label,
                "raw_url": raw_base + label,
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "sections": found,
                "output": {
                    "path": out_label,
                    "raw_url": raw_base + out_label,
                    "text": out.read_text(encoding="utf-8"),
                },
                "verified_with": versions,
            }
        )
    if problems:
        raise ManifestError("\n".join(problems))
    manifest = {"repository": repo_url, "branch": BRANCH, "snippets": entries}
    if site_url:
        manifest = {"$schema": site_url.rstrip("/") + "/" + SCHEMA, **manifest}
    return manifest


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


# MkDocs hook: the manifest is a generated file of the site, so `mkdocs serve` has it too.
def on_files(files, config):
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    root = Path(config.config_file_path).parent
    try:
        manifest = build(root, config.repo_url, config.site_url)
    except ManifestError as error:
        raise PluginError(f"cannot write {MANIFEST}:\n{error}") from None
    files.append(File.generated(config, MANIFEST, content=dumps(manifest)))
    return files


def on_serve(server, config, builder):
    # `mkdocs serve` rebuilds when a snippet or stored output changes, not only a page.
    server.watch(str(Path(config.config_file_path).parent / "snippets"))
    return server
