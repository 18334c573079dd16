"""`snippets.json`: the manifest of every snippet, for people who embed them.

For each `snippets/<name>.py`: its path, its URLs on the repository host, its named sections
with their line numbers, its stored output, the versions that output was verified with (for a
snippet of another Keras backend, that backend's and its version), the SHA-256 of the file and
of the output, the commit at which those very bytes were verified, and
the earlier versions of both files with the commit of each. Its shape is fixed by the JSON Schema
`docs/schemas/snippets.schema.json`; `docs/verify_snippets.py` reads it to tell an embedder
whether a copy is the verified one.

The commits come from the repository's history: a version's commit is the first commit, following
first parents back from HEAD (the merges into the branch the site is published from), whose
files hold those bytes; every such commit ran the whole test suite. A snippet whose bytes no
commit holds (changed and not yet committed) has no commit. The manifest cannot be a committed
file (it would have to name the commit that contains it), so the site build makes it
(overrides/hooks/snippet_manifest.py), from files and git alone (no TensorFlow). Without git, or
in a shallow clone, no version can be named: every commit is null and `history` is empty, and
the manifest says so (`"history": null` at the top).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

from tools import backends, content, project

NAME = "snippets.json"  # at the root of the site
SCHEMA = "schemas/snippets.schema.json"  # under docs/, published beside the manifest


class ManifestError(Exception):
    """Every problem found, each naming its file."""


@dataclasses.dataclass(frozen=True)
class Version:
    """One version of a snippet in the repository's history."""

    commit: str  # the first commit (first parents from HEAD) whose files hold these bytes
    sha256: str  # of snippets/<name>.py
    output_sha256: str | None  # of snippets/<name>.out; None when that commit had none


@dataclasses.dataclass(frozen=True)
class History:
    """What git says about the snippets: HEAD, and each snippet's versions, oldest first."""

    head: str
    versions: dict[str, list[Version]]  # by snippet name


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes | None:
    """git's output in root; None when git is missing or fails (not a repository, say)."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, input=data, capture_output=True, check=False, timeout=120
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def history(root: Path = project.ROOT) -> tuple[History | None, str]:
    """The versions of every snippet along the first-parent history of HEAD, and why there are
    none when the history cannot be read (no git, not a repository, a shallow clone)."""
    shallow = _git(root, "rev-parse", "--is-shallow-repository")
    if shallow is None:
        return None, f"{root} is not a git repository (or git is not installed)"
    if shallow.strip() == b"true":
        return None, "a shallow clone: fetch the whole history with `git fetch --unshallow`"
    head = _git(root, "rev-parse", "HEAD")
    log = _git(
        root,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--no-renames",
        "--reverse",
        "--raw",
        "--no-abbrev",
        "--relative",
        "--format=commit %H",
        "--",
        "snippets",
    )
    if head is None or log is None:
        return None, "git could not read the history of HEAD (a repository without commits?)"
    # Each change: ":<mode> <mode> <old blob> <new blob> <status>\t<path>".
    changes: list[tuple[str, dict[str, str | None]]] = []
    for line in log.decode("utf-8", "replace").splitlines():
        if line.startswith("commit "):
            changes.append((line.split()[1], {}))
        elif line.startswith(":") and changes:
            fields, _, path = line.partition("\t")
            parts = path.split("/")
            if len(parts) == 2 and parts[1].endswith((".py", ".out")):
                blob = fields.split()[3]
                changes[-1][1][parts[1]] = None if set(blob) == {"0"} else blob
    blobs = sorted({b for _, changed in changes for b in changed.values() if b})
    digests = _blob_sha256(root, blobs)
    current: dict[str, str | None] = {}  # file name -> its SHA-256 at the commit reached
    versions: dict[str, list[Version]] = {}
    for commit, changed in changes:
        for name, blob in changed.items():
            current[name] = digests[blob] if blob else None
        for stem in {name.rpartition(".")[0] for name in changed}:
            code = current.get(f"{stem}.py")
            if code is None:
                continue  # no snippet at this commit, perhaps a stored output alone
            version = Version(commit, code, current.get(f"{stem}.out"))
            known = versions.setdefault(stem, [])
            if not known or (known[-1].sha256, known[-1].output_sha256) != (
                version.sha256,
                version.output_sha256,
            ):
                known.append(version)
    return History(head.decode().strip(), versions), ""


def _blob_sha256(root: Path, blobs: list[str]) -> dict[str, str]:
    """{git blob id: SHA-256 of its bytes}, read with one `git cat-file --batch`."""
    if not blobs:
        return {}
    out = _git(root, "cat-file", "--batch", data="".join(f"{b}\n" for b in blobs).encode())
    if out is None:
        raise ManifestError("git cat-file could not read the snippets' history")
    found, offset = {}, 0
    for blob in blobs:
        header_end = out.index(b"\n", offset)
        size = int(out[offset:header_end].split()[2])
        start = header_end + 1
        found[blob] = content.sha256(out[start : start + size])
        offset = start + size + 1
    return found


def build(root: Path, config) -> dict:
    """The manifest for the project at root; raises ManifestError listing every problem."""
    repo = project.repository(config)
    try:
        versions = dataclasses.asdict(content.Versions.stored(root))
    except content.ContentError as error:
        raise ManifestError(str(error)) from None
    known, _ = history(root)
    problems: list[str] = []
    entries = []
    clean = known is not None
    for snippet in content.snippets(root):
        try:
            sections, trouble = snippet.sections()
            output = snippet.stored_output()
        except content.ContentError as error:
            problems.append(str(error))
            continue
        problems += trouble
        if not sections and not trouble:
            problems.append(
                f"{snippet.label}: no named section; mark the lines a page shows with "
                "`# --8<-- [start:demo]` and `# --8<-- [end:demo]`"
            )
        if output is None:
            problems.append(f"{snippet.label}: no stored output {snippet.out_label}")
            continue
        code_sha = content.sha256(snippet.path.read_bytes())
        output_sha = content.sha256(snippet.out_path.read_bytes())
        past = known.versions.get(snippet.name, []) if known else []
        same = [v for v in past if (v.sha256, v.output_sha256) == (code_sha, output_sha)]
        if not past or past[-1] not in same:
            clean = False  # these bytes are not HEAD's
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
                "sha256": code_sha,
                "sections": [dataclasses.asdict(s) for s in sections],
                "output": {
                    "path": snippet.out_label,
                    "raw_url": repo.raw_url(snippet.out_label),
                    "text": output,
                    "sha256": output_sha,
                },
                "verified_with": verified,
                "commit": same[-1].commit if same else None,
                "history": [
                    dataclasses.asdict(v)
                    for v in reversed(past)
                    if (v.sha256, v.output_sha256) != (code_sha, output_sha)
                ],
            }
        )
    if problems:
        raise ManifestError("\n".join(problems))
    manifest = {
        "repository": config.repo_url,
        "branch": repo.branch,
        # The commit this manifest describes, when every snippet is as that commit has it.
        "commit": known.head if known and clean else None,
        "history": "complete" if known else None,
        "snippets": entries,
    }
    if config.site_url:
        manifest = {"$schema": config.site_url.rstrip("/") + "/" + SCHEMA, **manifest}
    return manifest


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
