"""Tell whether your copies of this site's snippets are the versions its tests verified.

    python3 verify_snippets.py COPY [COPY ...]
    python3 verify_snippets.py --manifest URL_OR_FILE COPY [COPY ...]

A COPY is a file you embed: a snippet (`weight_state_layer.py`) or its stored output
(`weight_state_layer.out`), as a path or as the http(s) URL your build downloads it from. For
each copy it prints one line that starts with one of:

    verified        the very bytes of a snippet or stored output that the tests verified, at the
                    commit named
    changed since   the bytes of an earlier verified version: ours has changed since, and the
                    line names the commit and address of the current one to update to
    never verified  bytes no verified version had: edited, or not from this site

The exit status is 0 when every copy is verified, 1 when one is not, and 2 when the manifest or
a copy cannot be read (the other copies are still checked). The manifest, by default the one
published with the site, gives the SHA-256 of every version of every snippet and stored output
with the commit it was verified at (its schema: schemas/snippets.schema.json beside it).

Needs only Python's standard library (its tests run it with site-packages left out, `-S`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.request
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

MANIFEST = "https://tf-explainer.github.io/tf-variable-explainer/snippets.json"
WIDTH = len("never verified") + 2


def read(where: str) -> bytes:
    """The bytes at a path or an http(s) URL; raises OSError (urllib's errors are OSErrors)."""
    if urlsplit(where).scheme in ("http", "https"):
        with urllib.request.urlopen(where, timeout=60) as response:
            return response.read()
    return Path(where).read_bytes()


def file_name(where: str) -> str:
    return PurePosixPath(urlsplit(where).path if "://" in where else where.replace("\\", "/")).name


def versions(manifest: dict) -> dict[str, list[tuple[dict, str, dict | None]]]:
    """{SHA-256: [(snippet entry, "py" or "out", earlier version or None for the current)]}."""
    found: dict[str, list] = {}
    for entry in manifest["snippets"]:
        found.setdefault(entry["sha256"], []).append((entry, "py", None))
        found.setdefault(entry["output"]["sha256"], []).append((entry, "out", None))
        for earlier in entry["history"]:
            found.setdefault(earlier["sha256"], []).append((entry, "py", earlier))
            if earlier["output_sha256"]:
                found.setdefault(earlier["output_sha256"], []).append((entry, "out", earlier))
    return found


def path_of(entry: dict, kind: str) -> str:
    """The path in the repository of a snippet ("py") or of its stored output ("out")."""
    return entry["path"] if kind == "py" else entry["output"]["path"]


def at_commit(manifest: dict, entry: dict, kind: str, commit: str) -> str:
    """The raw address of a file at a commit: its address on the branch, pinned."""
    path = path_of(entry, kind)
    url = entry["raw_url"] if kind == "py" else entry["output"]["raw_url"]
    return url.replace(f"/{manifest['branch']}/{path}", f"/{commit}/{path}")


def judge(data: bytes, name: str, manifest: dict, known: dict) -> tuple[str, str]:
    """(verdict, what to tell) for the bytes of one copy, whose file name is `name`."""
    digest = hashlib.sha256(data).hexdigest()
    # The same bytes may be two files (two outputs alike): the one of the copy's name first.
    candidates = sorted(
        known.get(digest, []), key=lambda c: PurePosixPath(path_of(c[0], c[1])).name != name
    )
    if not candidates:
        kind = "py" if name.endswith(".py") else "out"
        named = [e for e in manifest["snippets"] if PurePosixPath(path_of(e, kind)).name == name]
        what = f"any version of {path_of(named[0], kind)}" if named else "any file"
        return "never verified", f"SHA-256 {digest[:16]}... is not that of {what} we verified"
    entry, kind, earlier = candidates[0]
    path = path_of(entry, kind)
    current = entry["commit"]
    if earlier is None and current is None:
        return "never verified", f"{path} as it is now, but no commit holds it yet"
    if earlier is None:
        tested = ", ".join(f"{LABELS.get(k, k)} {v}" for k, v in entry["verified_with"].items())
        return "verified", f"{path} as verified at commit {current[:12]} with {tested}"
    message = f"{path} as verified at commit {earlier['commit'][:12]}; ours has changed since"
    if current:
        message += f"; update to the version verified at commit {current[:12]}: " + at_commit(
            manifest, entry, kind, current
        )
    return "changed since", message


LABELS = {"tensorflow": "TensorFlow", "keras": "Keras", "numpy": "NumPy", "python": "Python"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="verify_snippets.py", description=__doc__.split("\n")[0])
    parser.add_argument("copies", nargs="+", metavar="COPY", help="a path or an http(s) URL")
    parser.add_argument("--manifest", default=MANIFEST, help=f"a path or URL (default: {MANIFEST})")
    args = parser.parse_args(argv)
    try:
        manifest = json.loads(read(args.manifest).decode("utf-8"))
        known = versions(manifest)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"cannot read the manifest {args.manifest}: {error}", file=sys.stderr)
        return 2
    status = 0
    for copy in args.copies:
        try:
            data = read(copy)
        except OSError as error:
            print(f"cannot read {copy}: {error}", file=sys.stderr)
            status = 2
            continue
        verdict, message = judge(data, file_name(copy), manifest, known)
        print(f"{verdict:<{WIDTH}}{copy}: {message}")
        if verdict != "verified":
            status = max(status, 1)
    return status


if __name__ == "__main__":
    sys.exit(main())
