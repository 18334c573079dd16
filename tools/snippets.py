"""Run the snippets under snippets/ and compare what they print with their stored outputs.

    python -m tools.snippets check [NAME ...]     run and compare; exit 1 on any difference
    python -m tools.snippets refresh [NAME ...]   run and rewrite the stored outputs, their
                                                  hashes and the files generated from them
                                                  (tools/generate.py); all or nothing
    python -m tools.snippets report [NAME ...]    run each in a new process, print JSON

A snippet is `snippets/<name>.py`; its stored output is `snippets/<name>.out`: what the snippet
prints on stdout, followed, for a snippet meant to fail, by the exception as Python prints it.
Directives in comment lines of the snippet (outside the shown sections) are listed by
`python -m tools.snippets --help` (from tools/content.py, which reads them).

How snippets are run is in tools/runner/: each under the Keras backend it names, in that
backend's environment (tools/backends.py). `refresh`, `report` and `--fresh-processes` run every
snippet as a new `python snippets/<name>.py`. `report` is how another environment's interpreter
hands its results to this one (tools/matrix.py): it runs the snippets of one backend
(`--backend`, default tensorflow) with its own interpreter, and prints the versions and, per
snippet, the output and the problem, as one JSON object on stdout.

`refresh` writes nothing unless every snippet it runs ran as marked and every generated file can
be made from the new outputs: a problem leaves every file as it was. Ctrl-C (SIGINT) or SIGTERM
kills every snippet still running and exits with 128 + the signal's number (130, 143).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from tools import backends, content, project, runner


def select(names: list[str], root: Path) -> tuple[list[content.Snippet], list[str]]:
    """The snippets named (all by default), and problems: stored outputs without a snippet.

    Raises SystemExit naming an unknown snippet, or the folder when it holds no snippet (a
    mistyped --root must not pass as a check of nothing).
    """
    folder = project.snippets_dir(root)
    found = content.snippets(root)
    if not found:
        why = "it has no *.py file" if folder.is_dir() else "no such folder"
        sys.exit(f"no snippets in {folder}: {why}; is --root the project folder?")
    if not names:
        return found, content.orphans(root)
    wanted = {Path(n).stem for n in names}
    unknown = wanted - {s.name for s in found}
    if unknown:
        sys.exit(f"no such snippet: {', '.join(sorted(unknown))}")
    return [s for s in found if s.name in wanted], []


@dataclasses.dataclass(frozen=True)
class Report:
    """What `report` prints: the versions, and per snippet its output and problem."""

    versions: content.Versions
    outcomes: dict[str, dict]  # name -> {"output": str, "problem": str | None}
    backend: dict | None = None  # {"name": "jax", "version": "0.10.2"}: what ran them

    def dumps(self) -> str:
        return json.dumps(
            {
                "versions": dataclasses.asdict(self.versions),
                "backend": self.backend,
                "snippets": self.outcomes,
            }
        )

    @classmethod
    def loads(cls, text: str) -> Report:
        data = json.loads(text)
        return cls(content.Versions(**data["versions"]), data["snippets"], data.get("backend"))


def report(snippets: list[content.Snippet], backend: str = backends.DEFAULT) -> Report:
    """Run every snippet in a new process of this interpreter, cache off: the record of this
    environment, which runs `backend`."""
    results = runner.run_all(snippets, new_processes=True, cache=False, python=Path(sys.executable))
    installed = content.installed_distributions()
    library = backends.get(backend).distributions
    version = next((installed[k] for k in map(backends.key, library) if k in installed), None)
    return Report(
        content.Versions.installed(),
        {
            r.snippet.name: {"output": r.output, "problem": r.problem and r.problem.strip()}
            for r in results
        },
        {"name": backend, "version": version or "not installed"},
    )


def _backend_of(snippet: content.Snippet) -> str:
    try:
        return snippet.directives().backend
    except content.ContentError:
        return backends.DEFAULT  # reported with its problem by the run, like any other


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.snippets",
        description=__doc__.split("\n")[0],
        epilog=content.directives_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["check", "refresh", "report"])
    parser.add_argument("names", nargs="*", help="snippet names (default: all)")
    parser.add_argument(
        "--root", type=Path, default=project.ROOT, help="project folder (default: this one)"
    )
    parser.add_argument(
        "--fresh-processes",
        action="store_true",
        help="run each snippet in a new interpreter (the reference; refresh always does)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="run every snippet even if it passed unchanged"
    )
    parser.add_argument(
        "--backend",
        default=backends.DEFAULT,
        choices=list(backends.BACKENDS),
        help="report only: the backend whose snippets this interpreter runs (default: %(default)s)",
    )
    # Options may come anywhere: `check --fresh-processes NAME` as well as `check NAME --...`.
    args = parser.parse_intermixed_args(argv)
    try:
        return run(args)
    except runner.Interrupted as interrupted:
        print(f"{interrupted}: every snippet still running was killed", file=sys.stderr)
        return 128 + interrupted.signum


def run(args: argparse.Namespace) -> int:
    """Carry out the parsed command line; the exit status. Raises runner.Interrupted.

    A snippet whose backend's environment is missing (TensorFlow in this Python, or .venvs/jax)
    is reported as a failure naming what to install; the others still run.
    """
    root = args.root.resolve()
    snippets, problems = select(args.names, root)
    if args.command == "report":
        mine = [s for s in snippets if _backend_of(s) == args.backend]
        others = sorted({s.name for s in snippets} - {s.name for s in mine})
        if args.names and others:
            sys.exit(f"not snippets of backend {args.backend}: {', '.join(others)}")
        print(report(mine, args.backend).dumps())
        return 0
    refresh = args.command == "refresh"
    broken = set()  # section markers: each problem names its line and the fix
    for snippet in snippets:
        try:
            found = snippet.sections()[1]
        except content.ContentError:
            continue  # the run names a file it cannot read
        if found:
            problems += found
            broken.add(snippet.name)
    if refresh and problems:  # before minutes of runs whose outputs could not be stored
        for message in problems:
            print(f"FAIL {message}", file=sys.stderr)
        print("FAIL nothing was run or written", file=sys.stderr)
        return 1
    new_processes = refresh or args.fresh_processes
    cache = False if refresh or args.no_cache else None
    # A snippet with broken markers is not run: a pass would print "ok" beside its FAIL and be
    # cached, so the next check would say "ok" with the markers still broken.
    to_run = [snippet for snippet in snippets if snippet.name not in broken]
    results = runner.run_all(to_run, new_processes=new_processes, cache=cache)
    for result in results:
        if refresh and not result.problem:
            continue
        if result.failure:
            problems.append(result.failure)
        else:
            print(f"ok {result.snippet.label}" + (" (unchanged since it passed)" * result.cached))
    if refresh and not problems:
        problems = store(results, root)
    for message in problems:
        print(f"FAIL {message}", file=sys.stderr)
    if refresh and problems:
        print("FAIL nothing was written: every file is as it was", file=sys.stderr)
    return 1 if problems else 0


def store(results: list[runner.Result], root: Path) -> list[str]:
    """Write the outputs of these runs, their hashes (snippets/verified.sha256), the versions
    line, then the files generated from them (tools/generate.py); the problems, naming files.

    All or nothing: when anything cannot be written or generated, every file is put back as it
    was.
    """
    from tools import generate

    site = (root / "mkdocs.yml").exists()  # a snippets folder without a site has nothing generated
    folder = project.snippets_dir(root)
    paths = [r.snippet.out_path for r in results]
    paths += [folder / content.RECORD_FILE, folder / content.VERSIONS_FILE]
    # Each other backend's versions line, from its environment, when it is installed.
    others = [b for b in content.snippet_backends(root) if backends.get(b).missing() is None]
    paths += [folder / content.BackendVersions.file(b) for b in others]
    paths += list(generate.generators(root)) if site else []

    class Refused(Exception):
        pass

    written = []
    try:
        with generate.Unchanged(paths):
            for result in results:
                result.snippet.store_output(result.output)
                written.append(f"wrote {result.snippet.out_label}")
            content.record([r.snippet for r in results], root)
            content.Versions.installed().store(root)
            for backend in others:
                content.BackendVersions.installed(backend).store(root)
            files = generate.generated(root) if site else []
            errors = [file.error for file in files if file.error]
            if errors:
                raise Refused(errors)
            for file in files:
                if generate.stale(file.path, file.text, root):
                    generate.write(file)
                    written.append(f"wrote {file.path.relative_to(root).as_posix()}")
    except Refused as refused:
        return refused.args[0]
    except (content.ContentError, OSError) as error:
        return [str(error)]
    for line in written:
        print(line)
    return []


if __name__ == "__main__":
    sys.exit(main())
