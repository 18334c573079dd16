"""The model of the project's content: snippets, their sections and stored outputs, the includes a
page makes of them, and the versions the outputs were verified with.

Every other module and test asks this one; none parses these syntaxes itself.

- A snippet is `snippets/<name>.py`. Comment lines `# snippet: ...` hold its directives; named
  sections are marked `# --8<-- [start:name]` ... `# --8<-- [end:name]`; its stored output is
  `snippets/<name>.out`.
- An include is a line `--8<-- "name.py:section"` (or `--8<-- "name.out"`) in a page, outside a
  code block marked `verbatim` (which shows such lines as written). Section markers and includes
  are read with pymdownx.snippets' own parser, the one the site is built with, so what a test or
  the notebook finds is what the site shows.
- The versions line, `snippets/verified-with.txt`, is written by `tools.snippets refresh` and
  shown on every page.
- The record, `snippets/verified.sha256`: the SHA-256 of each snippet and of the output a run of
  it stored, written only when a real run stores an output (refresh, the scaffold), so that an
  output edited by hand, or a snippet changed since its output was stored, is told apart.

Only the standard library is imported at module level: the snippet runner imports this module in
environments that have TensorFlow but no MkDocs (tools/matrix.py). Sections and includes need
pymdown-extensions, which is imported when they are asked for.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import io
import keyword
import math
import os
import platform
import tokenize
from pathlib import Path

from tools import backends, project

DEFAULT_TIMEOUT = 120.0  # seconds before a run is killed
MAX_TIMEOUT = 24 * 3600.0  # seconds; finite, and within what the runner's waits (select) accept
VERSIONS_FILE = "verified-with.txt"
# The SHA-256 of each snippet and of the output a run of it stored, as `sha256sum` writes them
# (`sha256sum -c snippets/verified.sha256` checks them from the project folder). Only a real run
# writes it (`tools.snippets refresh`, the scaffold), so an output edited by hand is told apart.
RECORD_FILE = "verified.sha256"
DIRECTIVE_PREFIX = "snippet:"
# The directives: what the parser accepts and what `python -m tools.snippets --help` lists.
OPTIONS = {  # key: (an example value, what it means)
    "raises": ("TypeError", "the snippet must end with this exception"),
    "timeout": ("300", f"seconds before it is killed (default {DEFAULT_TIMEOUT:g}, at most a day)"),
    "backend": (
        "jax",
        f"the Keras backend it runs under, in that backend's environment\n(one of "
        f"{', '.join(backends.BACKENDS)}; default {backends.DEFAULT})",
    ),
}
FLAGS = {
    "fresh-process": "run it in a new interpreter, never in a forked one",
    "script-only": "it runs only as a file (it starts processes from its own file, say):\n"
    "the notebook edition shows it but cannot run it",
}


def directives_help() -> str:
    """The directives and their meaning, one per line, as the command line's help shows them."""
    lines = ["directives, in comment lines of a snippet, outside its shown sections:"]
    usages = [(f"{key}={example}", meaning) for key, (example, meaning) in OPTIONS.items()]
    for usage, meaning in usages + list(FLAGS.items()):
        first, *rest = meaning.split("\n")
        lines.append(f"  # snippet: {usage:<17} {first}")
        lines += [" " * 31 + line for line in rest]
    return "\n".join(lines)


class ContentError(Exception):
    """A snippet, stored output or include that cannot be used as it is; names file and line."""


@dataclasses.dataclass(frozen=True)
class Directives:
    raises: str | None = None  # the exception class the snippet must end with
    timeout: float = DEFAULT_TIMEOUT  # seconds
    fresh_process: bool = False  # e.g. it sets a variable TensorFlow reads at import
    # Runs only as a file (it starts processes from its own file, say): a notebook shows its
    # code and output but cannot run it as a cell.
    script_only: bool = False
    backend: str = backends.DEFAULT  # a name of tools/backends.py's table
    backend_line: int | None = None  # the line that names it, for messages


@dataclasses.dataclass(frozen=True)
class Section:
    name: str
    start_line: int  # first line of the content (1-based), after the start marker
    end_line: int  # last line of the content, before the end marker


@dataclasses.dataclass(frozen=True)
class Snippet:
    path: Path  # absolute: <root>/snippets/<name>.py

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def root(self) -> Path:
        return self.path.parent.parent

    @property
    def label(self) -> str:
        """The path relative to the project: 'snippets/<name>.py'."""
        return self.path.relative_to(self.root).as_posix()

    @property
    def out_path(self) -> Path:
        return self.path.with_suffix(".out")

    @property
    def out_label(self) -> str:
        return self.out_path.relative_to(self.root).as_posix()

    def text(self) -> str:
        """The snippet's code, its line ends made "\n" (as by read_text).

        Raises ContentError when it is not UTF-8: pages include it as UTF-8.
        """
        return _utf8(self.path.read_bytes(), self.label).replace("\r\n", "\n").replace("\r", "\n")

    def directives(self) -> Directives:
        """The `# snippet: key=value flag` comments; raises ContentError naming the line, or
        naming the file when its name is not one Python can import."""
        if not self.name.isidentifier() or keyword.iskeyword(self.name):
            raise ContentError(
                f"{self.label}: {self.name!r} is not a name Python can import; name a snippet "
                "with letters, digits and _ (not a keyword), as `python -m` and imports need"
            )
        options: dict[str, str] = {}
        given_at: dict[str, int] = {}  # option -> its line
        flags: set[str] = set()
        for number, text in _directive_comments(self.text(), self.label):
            for word in text.removeprefix(DIRECTIVE_PREFIX).split():
                key, sep, value = word.partition("=")
                if not sep and key in FLAGS:
                    flags.add(key)
                    continue
                if key in OPTIONS and not value:
                    raise ContentError(
                        f"{self.label}:{number}: {word!r}: {key} needs a value right after '=', "
                        f"no spaces, as in '# snippet: {key}={OPTIONS[key][0]}'"
                    )
                if key in given_at:
                    raise ContentError(
                        f"{self.label}:{number}: {key} is given twice (also on line "
                        f"{given_at[key]}); keep one"
                    )
                if not sep or key not in OPTIONS:
                    raise ContentError(
                        f"{self.label}:{number}: unknown snippet directive {word!r}; "
                        f"expected one of {sorted(OPTIONS)} as key=value, or {sorted(FLAGS)}"
                    )
                if key == "timeout" and not 0 < _number(value) <= MAX_TIMEOUT:  # NaN too
                    raise ContentError(
                        f"{self.label}:{number}: {word}: expected a number of seconds above 0 "
                        f"and at most {MAX_TIMEOUT:g} (a day)"
                    )
                if key == "backend" and value not in backends.BACKENDS:
                    raise ContentError(
                        f"{self.label}:{number}: {word}: unknown Keras backend {value!r}; "
                        f"expected one of {', '.join(backends.BACKENDS)} (tools/backends.py)"
                    )
                options[key], given_at[key] = value, number
        if options.get("raises", "").rpartition(".")[2] == "SystemExit":
            raise ContentError(
                f"{self.label}: raises=SystemExit: sys.exit() ends a script with an exit status, "
                "not with an exception Python prints; print what the reader should see instead"
            )
        return Directives(
            raises=options.get("raises"),
            timeout=float(options.get("timeout", DEFAULT_TIMEOUT)),
            fresh_process="fresh-process" in flags,
            script_only="script-only" in flags,
            backend=options.get("backend", backends.DEFAULT),
            backend_line=given_at.get("backend"),
        )

    def sections(self) -> tuple[list[Section], list[str]]:
        """Named sections in file order, and the problems with the markers, each naming the
        line and saying how to fix it. A file without sections has no problem here: it cannot be
        shown on a page, which the pages' checks report."""
        found: list[Section] = []
        problems: list[str] = []
        open_at: dict[str, int] = {}
        text = self.text()
        lines = text.splitlines()
        for number, line in enumerate(lines, 1):
            match = _snippet_syntax().match_section(line)
            if match is None or match.group("escape"):
                continue
            kind, name = match.group("type").lower(), match.group("name")
            if kind == "start":
                if name in open_at or any(s.name == name for s in found):
                    problems.append(
                        f"{self.label}:{number}: section {name!r} starts a second time; give "
                        "each section its own name"
                    )
                open_at[name] = number
            elif name not in open_at:
                problems.append(
                    f"{self.label}:{number}: section {name!r} ends but never started; add "
                    f"`# --8<-- [start:{name}]` above its first line, or remove this marker"
                )
            else:
                found.append(Section(name, open_at.pop(name) + 1, number - 1))
        problems += [
            f"{self.label}:{line}: section {name!r} never ends; add `# --8<-- [end:{name}]` "
            "under its last line"
            for name, line in open_at.items()
        ]
        problems += [
            f"{self.label}:{number}: a '# snippet:' directive inside section {section.name!r} "
            "would be shown on the page; move it outside the sections"
            for number, _ in _directive_comments(text, self.label)
            for section in found
            if section.start_line <= number <= section.end_line
        ]
        return sorted(found, key=lambda s: s.start_line), problems

    def imports(self) -> set[str]:
        """The names of the other snippets it imports (`from tensor_state_layer import ...`),
        at any depth of its code; none when it is not valid Python (its run says why)."""
        try:
            tree = ast.parse(self.text())
        except (SyntaxError, ValueError, ContentError):
            return set()
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.partition(".")[0])
        folder = self.path.parent
        return {n for n in names if n != self.name and (folder / f"{n}.py").is_file()}

    def section_text(self, name: str) -> str:
        """A section's code as the site shows it (dedented, nested markers removed).

        Raises ContentError when the snippet has no such section.
        """
        return "\n".join(text for _, text in self.section_lines(name))

    def section_lines(self, name: str) -> list[tuple[int, str]]:
        """(line of the file, 1-based; the line as shown) for each line of a shown section.

        What the site shows is what pymdownx.snippets extracts (dedented, nested markers
        removed), without the blank lines at either end. It keeps every other line in order, so
        each shown line is found in the file after the one before it. Raises ContentError when
        the snippet has no such section.
        """
        lines = self.text().split("\n")
        syntax = _snippet_syntax()
        try:
            shown = syntax.extract_section(name, lines)
            kept = _plain_section_syntax().extract_section(name, lines)  # the same, not dedented
        except Exception as error:  # pymdownx's SnippetMissingError
            raise ContentError(f"{self.label}: no section {name!r} ({error})") from None
        numbers, index = [], 0
        for line in kept:
            # Lines it skipped are section markers, which it never keeps as they are.
            while lines[index] != line and _unescaped(syntax, lines[index]) != line:
                index += 1
            index += 1
            numbers.append(index)
        pairs = list(zip(numbers, shown, strict=True))
        while pairs and not pairs[0][1]:
            pairs.pop(0)
        while pairs and not pairs[-1][1]:
            pairs.pop()
        return pairs

    def stored_output(self) -> str | None:
        """The stored output, bytes for bytes (no newline translation); None when missing.

        Raises ContentError when it is not UTF-8 or cannot be read (a folder, say).
        """
        try:
            data = self.out_path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise ContentError(f"{self.out_label}: cannot be read: {error.strerror}") from None
        return _utf8(data, self.out_label)

    def store_output(self, text: str) -> None:
        """Write the stored output; raises ContentError naming it when it cannot be written."""
        try:
            self.out_path.write_bytes(text.encode("utf-8"))
        except OSError as error:
            raise ContentError(f"{self.out_label}: cannot be written: {error.strerror}") from None


def split_output(text: str, raises: str | None) -> tuple[str, str]:
    """A stored output -> (what was printed, the exception as Python prints it).

    The exception starts at the last line that begins with its class name (`Name:` or `Name`
    alone, perhaps after a module path). The runner refuses a run whose output this does not
    split as it ran (tools/runner judge), so a stored output always splits right. Raises
    ContentError when no line begins with the name.
    """
    if not raises:
        return text, ""
    name = raises.rpartition(".")[2]
    start = None
    offset = 0
    for line in text.splitlines(keepends=True):
        head = line.rstrip("\r\n").partition(":")[0]
        if head.rpartition(".")[2] == name and head.replace(".", "").replace("_", "").isalnum():
            start = offset
        offset += len(line)
    if start is None:
        raise ContentError(f"the stored output does not end with {raises}")
    return text[:start], text[start:]


def visible(text: str) -> str:
    """`text` with its control characters (but newlines and tabs) shown as Unicode's control
    pictures: "\r" as "␍", "\b" as "␈", ESC as "␛". How a page and a diff show stored bytes."""
    return text.translate(_CONTROL_PICTURES)


_CONTROL_PICTURES = {c: 0x2400 + c for c in range(0x20) if chr(c) not in "\n\t"} | {0x7F: 0x2421}


def _number(text: str) -> float:
    """`text` as a float; NaN when it is not a number."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def _utf8(data: bytes, label: str) -> str:
    """`data` decoded; raises ContentError naming `label` and the line when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentError(
            f"{label}:{line}: not UTF-8 (byte {data[error.start]:#04x}); write it as UTF-8"
        ) from None


def _comments(text: str) -> list[tuple[int, str]]:
    """(line number, text) of every comment token of Python code; broken code has none."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return []  # the run reports the syntax error as Python does
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT]


def _directive_comments(text: str, label: str) -> list[tuple[int, str]]:
    """(line number, text after '#') of the directive comments of a snippet's code.

    Raises ContentError for a comment that looks like a directive but is not written as one
    ('# Snippet: ...', '# snippet : ...'): ignoring it would silently drop what it asks for.
    """
    found = []
    for number, comment in _comments(text):
        body = comment.lstrip("#").strip()
        head, colon, _ = body.partition(":")
        if body.startswith(DIRECTIVE_PREFIX):
            found.append((number, body))
        elif colon and head.strip().lower() in ("snippet", "snippets"):
            raise ContentError(
                f"{label}:{number}: {comment!r} looks like a directive; write it as "
                f"'# {DIRECTIVE_PREFIX} ...' (lowercase, the colon right after the word)"
            )
    return found


def snippets(root: Path = project.ROOT) -> list[Snippet]:
    """Every snippet of the project, by name."""
    return [Snippet(path) for path in sorted(project.snippets_dir(root).glob("*.py"))]


def sha256(data: bytes) -> str:
    """The SHA-256 of data, as 64 lowercase hexadecimal digits."""
    return hashlib.sha256(data).hexdigest()


def _record_path(root: Path) -> Path:
    return project.snippets_dir(root) / RECORD_FILE


def recorded(root: Path = project.ROOT) -> dict[str, str]:
    """snippets/verified.sha256: {'snippets/<name>.py' or '.out': SHA-256}; empty when missing.

    Raises ContentError naming a line that is not `<64 hex digits>  <path>`.
    """
    path = _record_path(root)
    if not path.exists():
        return {}
    label = f"snippets/{RECORD_FILE}"
    found = {}
    for number, line in enumerate(_utf8(path.read_bytes(), label).splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or digest.strip("0123456789abcdef") or not name:
            raise ContentError(
                f"{label}:{number}: expected '<sha256>  snippets/<name>.py' as sha256sum writes "
                f"it; this file is written by {project.command('tools.snippets refresh')}"
            )
        found[name] = digest
    return found


def record(snippets: list[Snippet], root: Path = project.ROOT) -> None:
    """Write into snippets/verified.sha256 the hashes of these snippets and of their stored
    outputs as they are on disk: call it right after storing outputs from real runs. Entries of
    files that no longer exist are dropped."""
    entries = {k: v for k, v in recorded(root).items() if (root / k).is_file()}
    for snippet in snippets:
        entries[snippet.label] = sha256(snippet.path.read_bytes())
        entries[snippet.out_label] = sha256(snippet.out_path.read_bytes())
    text = "".join(f"{digest}  {name}\n" for name, digest in sorted(entries.items()))
    _record_path(root).write_text(text, encoding="utf-8")


def unverified(root: Path = project.ROOT) -> list[str]:
    """Problems: snippets whose stored output is not what a run of that very code stored (an
    output edited by hand, code changed since its output was stored, or never stored by a run),
    each naming the file and the command that stores a real run."""
    try:
        hashes = recorded(root)
    except ContentError as error:
        return [str(error)]
    problems = []
    for snippet in snippets(root):
        refresh = project.command(f"tools.snippets refresh {snippet.name}")
        if not snippet.out_path.is_file():
            continue  # no output: the check and the pages name it
        code, output = snippet.path.read_bytes(), snippet.out_path.read_bytes()
        if snippet.label not in hashes or snippet.out_label not in hashes:
            problems.append(
                f"{snippet.out_label}: not stored by a run of {snippet.label} (no entry in "
                f"snippets/{RECORD_FILE}); store a real run with {refresh}"
            )
        elif hashes[snippet.out_label] != sha256(output):
            problems.append(
                f"{snippet.out_label}: not the output a run stored (edited by hand?); never edit "
                f"it: store a real run with {refresh}"
            )
        elif hashes[snippet.label] != sha256(code):
            problems.append(
                f"{snippet.label}: changed since its output was stored; run it and store its "
                f"output with {refresh}"
            )
    return problems


def orphans(root: Path = project.ROOT) -> list[str]:
    """Problems: stored outputs that have no snippet, and stored outputs in a folder under
    snippets/ (a snippet is a file at its top; its folders hold what snippets import or read)."""
    folder = project.snippets_dir(root)
    problems = []
    for out in sorted(folder.rglob("*.out")):
        label = out.relative_to(root).as_posix()
        if out.parent != folder:
            problems.append(
                f"{label}: stored output in a folder under snippets/, where nothing is checked; "
                "a snippet and its output go at the top of snippets/"
            )
        elif not out.with_suffix(".py").exists():
            problems.append(
                f"{label}: stored output without a snippet "
                f"(expected {out.with_suffix('.py').relative_to(root).as_posix()})"
            )
    return problems


# --- Includes in pages ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Include:
    """A line `--8<-- "file"` or `--8<-- "file:section"` of a page."""

    page: Path
    line: int  # 1-based
    file: str  # the name under snippets/, e.g. "weight_state_layer.py"
    section: str | None

    @property
    def stem(self) -> str:
        return self.file.rpartition(".")[0]

    @property
    def suffix(self) -> str:
        return self.file.rpartition(".")[2]


def includes(page: Path, text: str | None = None) -> list[Include]:
    """Every snippet include of a page, in order, as pymdownx.snippets reads them; lines of a
    verbatim code block (tools/pages.py) are shown, not included."""
    from tools import pages  # it reads pages with markdown-it, which the runner needs not

    syntax = _snippet_syntax()
    text = page.read_text(encoding="utf-8") if text is None else text
    shown = pages.verbatim_lines(text) if "verbatim" in text else set()
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if number in shown:
            continue
        include = parse_include(line, syntax)
        if include:
            found.append(Include(page, number, *include))
    return found


def parse_include(line: str, syntax=None) -> tuple[str, str | None] | None:
    """(file, section) of an include line, or None for any other line."""
    syntax = syntax or _snippet_syntax()
    match = syntax.RE_ALL_SNIPPETS.match(line)
    if not match or match.group("escape") or not match.group("inline_marker"):
        return None
    file, _lines, section = syntax.split_path(match.group("snippet")[1:-1].strip())
    return file, section[1:] if section else None


def escape_includes(text: str) -> str:
    """`text` with every line pymdownx.snippets would act on escaped (`;--8<--`), so that a
    page shows it as written (it removes the `;`)."""
    syntax = _snippet_syntax()
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if syntax.RE_ALL_SNIPPETS.match(line) or syntax.match_section(line):
            stripped = line.lstrip(" \t")
            lines[index] = line[: len(line) - len(stripped)] + ";" + stripped
    return "\n".join(lines)


def fenced(text: str, language: str = "", indent: str = "") -> str:
    """A Markdown code block of `text`, its fence longer than any run of backticks in it."""
    longest, run = 0, 0
    for character in text:
        run = run + 1 if character == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    body = [(indent + line).rstrip() for line in text.removesuffix("\n").split("\n")]
    return "\n".join([indent + fence + language, *body, indent + fence])


@functools.cache
def _snippet_syntax(dedent: bool = True):
    """pymdownx.snippets' parser, configured as mkdocs.yml configures it for the site."""
    import markdown

    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={
            "pymdownx.snippets": {"check_paths": True, "dedent_subsections": dedent}
        },
    )
    return md.preprocessors["snippet"]


def _plain_section_syntax():
    """The same parser, but sections are not dedented: their lines are the file's."""
    return _snippet_syntax(dedent=False)


def _unescaped(syntax, line: str) -> str | None:
    """An escaped section marker (`# ;--8<-- [start:x]`) as a section shows it; else None."""
    match = syntax.match_section(line)
    if not match or not match.group("escape"):
        return None
    return (
        match.group("pre")
        + match.group("escape").replace(";", "", 1)
        + match.group("inline_marker")
        + match.group("section")
        + match.group("post")
    )


# --- Versions --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Versions:
    """The versions an output was verified with, as every page shows them."""

    tensorflow: str
    keras: str
    numpy: str  # outputs print NumPy reprs, whose format changes between releases
    python: str  # major.minor

    FORMAT = "TensorFlow {tensorflow}, Keras {keras}, NumPy {numpy}, Python {python}"

    def line(self) -> str:
        return self.FORMAT.format(**dataclasses.asdict(self)) + "\n"

    @classmethod
    def parse(cls, text: str, where: str = VERSIONS_FILE) -> Versions:
        """The inverse of line(); raises ContentError naming `where`."""
        words = text.strip().replace(",", "").split()
        names = [f.name for f in dataclasses.fields(cls)]
        labels = [w.split()[0] for w in cls.FORMAT.split(", ")]
        if len(words) != 2 * len(names) or words[::2] != labels:
            raise ContentError(
                f"{where}: expected {cls.FORMAT.format(**{n: '…' for n in names})!r}, "
                f"found {text.strip()!r}; write it with `python -m tools.snippets refresh`"
            )
        return cls(**dict(zip(names, words[1::2], strict=True)))

    @classmethod
    def installed(cls) -> Versions:
        """Read from package metadata, not by importing TensorFlow.

        Nightlies and the plain `tensorflow` package install under other distribution names.
        """
        found = installed_distributions()

        def first(*names: str) -> str:
            keys = map(backends.key, names)
            return next((found[key] for key in keys if key in found), "not installed")

        return cls(
            tensorflow=first("tensorflow-cpu", "tensorflow", "tf-nightly-cpu", "tf-nightly"),
            # On the legacy path (tools/legacy_keras.py) `import keras` gives tf-keras.
            keras=first("tf-keras")
            if os.environ.get("TF_USE_LEGACY_KERAS", "").lower() in ("1", "true")
            else first("keras", "keras-nightly"),
            numpy=first("numpy"),
            python=".".join(platform.python_version_tuple()[:2]),
        )

    @classmethod
    def stored(cls, root: Path = project.ROOT) -> Versions:
        """What `snippets/verified-with.txt` says; raises ContentError when missing or malformed."""
        path = project.snippets_dir(root) / VERSIONS_FILE
        text = path.read_text(encoding="utf-8") if path.exists() else "<missing>"
        return cls.parse(text, f"snippets/{VERSIONS_FILE}")

    def store(self, root: Path = project.ROOT) -> None:
        (project.snippets_dir(root) / VERSIONS_FILE).write_text(self.line(), encoding="utf-8")


def installed_distributions() -> dict[str, str]:
    """The version of every distribution installed on sys.path, by its name in lowercase with
    "-" and "." as "_"; where two entries of sys.path have one, the first wins, as for imports
    (tools/backends.py reads them, for any environment)."""
    return backends.installed_versions(backends.site_packages_of(None))


@dataclasses.dataclass(frozen=True)
class BackendVersions:
    """The versions the outputs of another backend's snippets (JAX, PyTorch) were verified
    with, as pages show them: `snippets/verified-with-<backend>.txt`, one line such as
    'JAX 0.10.2, Keras 3.15.1, NumPy 2.4.6, Python 3.11', written by `tools.snippets refresh`
    from that backend's environment."""

    backend: str  # a name of tools/backends.py's table
    version: str  # of the backend's library
    keras: str
    numpy: str
    python: str  # major.minor

    def line(self) -> str:
        label = backends.get(self.backend).label
        return (
            f"{label} {self.version}, Keras {self.keras}, NumPy {self.numpy}, "
            f"Python {self.python}\n"
        )

    @staticmethod
    def file(backend: str) -> str:
        return f"verified-with-{backend}.txt"

    @classmethod
    def parse(cls, text: str, backend: str) -> BackendVersions:
        """The inverse of line(); raises ContentError naming the file."""
        where = f"snippets/{cls.file(backend)}"
        label = backends.get(backend).label
        parts = [part.rpartition(" ") for part in text.strip().split(", ")]
        names = [name for name, _, _ in parts]
        if names != [label, "Keras", "NumPy", "Python"] or not all(v for _, _, v in parts):
            raise ContentError(
                f"{where}: expected '{label} …, Keras …, NumPy …, Python …', found "
                f"{text.strip()!r}; write it with `python -m tools.snippets refresh`"
            )
        return cls(backend, *(version for _, _, version in parts))

    @classmethod
    def installed(cls, backend: str) -> BackendVersions:
        """Read from the backend environment's folder, without starting its Python."""
        chosen = backends.get(backend)
        python = chosen.python()
        found = backends.installed_versions(backends.site_packages_of(python))

        def first(*names: str) -> str:
            keys = map(backends.key, names)
            return next((found[key] for key in keys if key in found), "not installed")

        major_minor = ".".join(backends.python_version(python).split(".")[:2])
        return cls(
            backend, first(*chosen.distributions), first("keras"), first("numpy"), major_minor
        )

    @classmethod
    def stored(cls, backend: str, root: Path = project.ROOT) -> BackendVersions:
        """What the backend's file says; raises ContentError when missing or malformed."""
        path = project.snippets_dir(root) / cls.file(backend)
        text = path.read_text(encoding="utf-8") if path.exists() else "<missing>"
        return cls.parse(text, backend)

    def store(self, root: Path = project.ROOT) -> None:
        (project.snippets_dir(root) / self.file(self.backend)).write_text(
            self.line(), encoding="utf-8"
        )


def snippet_backends(root: Path = project.ROOT) -> list[str]:
    """The backends other than the default that the project's snippets run under, in the
    order of tools/backends.py (a snippet with a broken directive counts for none)."""
    used = set()
    for snippet in snippets(root):
        try:
            used.add(snippet.directives().backend)
        except ContentError:
            pass
    return [name for name in backends.BACKENDS if name in used and name != backends.DEFAULT]
