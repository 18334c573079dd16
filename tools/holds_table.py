"""The table "where each fix holds", made from the verdict lines of the stored outputs.

A snippet that tries the ways of keeping a running total (the variants) in one setting prints
one verdict line per variant (snippets/backend_neutral_settings.py prints them with `holds()`,
`fails()` and `not_offered()`):

    holds? <setting> | <letter> <variant> | <yes|NO|n/a> | <evidence>

The letter names the variant across backends (A is each backend's own bare variable: a
tf.Variable, a jax.Ref, a PyTorch buffer); the backend is the snippet's own, from its
`# snippet: backend=...` directive (tools/content.py), never typed in the line. `n/a` is a
setting that a run shows the backend does not offer.

This module reads those lines from every stored output and makes `snippets/where-each-fix-holds.md`:
a Markdown table with a column per variant and a row per setting and backend, narrow enough for
a phone, and under it the evidence of each NO. A page shows it with
`--8<-- "where-each-fix-holds.md"`: docs/reference/where-each-fix-holds.md, a page without a
notebook edition, so that the pages of the runs stay light. Each verdict's cell links to the
heading under which a page shows the stored output that holds it: the first page that includes
`<name>.out`, the nearest heading above that include, its id computed by Python-Markdown's toc
extension as MkDocs computes it, so `mkdocs build --strict` checks every link. A setting or a
variant that no run of a backend tries at all (tf.function and the strategies of tf.distribute
under JAX, G anywhere but TensorFlow) is not applicable there, and its cell says `n/a` without
a link.

It is a pure function of the stored outputs and the pages; tools/generate.py writes it.
"""

from __future__ import annotations

import dataclasses
import itertools
import posixpath
import re
from pathlib import Path

from tools import backends, content, pages, project

PATH = "snippets/where-each-fix-holds.md"
MARKER = "holds?"
VERDICTS = {"yes": True, "NO": False, "n/a": None}
# The settings, in the order the table shows them. A verdict line naming another is refused,
# so that a typo cannot open a row of its own.
SETTINGS = (
    "eager",
    "tf.function",
    "predict/fit/evaluate",
    "saved and loaded",
    "two replicas",
    "two replicas, on-batch methods",
    "two workers",
    "parameter servers",
    "float16 steps of 0.25",
    "float16 large batches",
    "bfloat16 steps of 0.25",
    "bfloat16 large batches",
    "integer input",
)
LINE_FORMAT = "holds? <setting> | <letter> <variant> | <yes|NO|n/a> | <evidence>"
VARIANT = re.compile(r"(?P<letter>[A-Z]) (?P<name>\S.*)")


class HoldsTableError(Exception):
    """Every problem found, one a line, each naming its file (and line)."""


@dataclasses.dataclass(frozen=True)
class Verdict:
    """One verdict line of a stored output."""

    snippet: content.Snippet
    line: int  # 1-based, in the stored output
    setting: str
    variant: str  # as the line names it: "<letter> <name>"
    holds: bool | None  # None: the backend does not offer the setting (n/a)
    evidence: str

    @property
    def where(self) -> str:
        return f"{self.snippet.out_label}:{self.line}"

    @property
    def backend(self) -> str:
        """The Keras backend of the snippet that printed it, from its directive."""
        return self.snippet.directives().backend

    @property
    def letter(self) -> str:
        return self.variant[0]

    @property
    def name(self) -> str:
        return self.variant[2:]


def parse(snippet: content.Snippet) -> tuple[list[Verdict], list[str]]:
    """The verdict lines of one stored output, and a problem for each malformed one.

    A verdict line starts with `holds?`; it must have four fields separated by ` | ` (the
    evidence may contain more), a setting of SETTINGS, a variant that starts with its capital
    letter and a space, and a verdict `yes`, `NO` or `n/a`.
    """
    found, problems = [], []
    for number, line in enumerate((snippet.stored_output() or "").splitlines(), 1):
        if not line.startswith(MARKER):
            continue
        fields = [field.strip() for field in line[len(MARKER) :].split("|", 3)]
        where = f"{snippet.out_label}:{number}"
        if len(fields) != 4 or not all(fields):
            problems.append(f"{where}: expected {LINE_FORMAT!r}, found {line!r}")
            continue
        setting, variant, verdict, evidence = fields
        if setting not in SETTINGS:
            problems.append(
                f"{where}: unknown setting {setting!r}; the settings are {list(SETTINGS)} "
                "(a new one is added to SETTINGS in tools/holds_table.py)"
            )
        elif not VARIANT.fullmatch(variant):
            problems.append(
                f"{where}: the variant {variant!r} must start with its letter and a space, "
                "as 'B add_weight' does: the letter names it on every backend"
            )
        elif verdict not in VERDICTS:
            problems.append(f"{where}: the verdict must be 'yes', 'NO' or 'n/a', not {verdict!r}")
        else:
            found.append(Verdict(snippet, number, setting, variant, VERDICTS[verdict], evidence))
    return found, problems


@dataclasses.dataclass(frozen=True)
class Shown:
    """Where a page shows a stored output: the page and the id of the heading above it."""

    page: Path
    anchor: str


def where_shown(root: Path = project.ROOT, config=None) -> dict[str, Shown]:
    """For each stored output a page includes: the first such page, and the heading above it."""
    shown: dict[str, Shown] = {}
    for page in pages.all_pages(root):
        text = page.read_text(encoding="utf-8")
        ids = pages.heading_ids(text, config)
        for include in content.includes(page, text):
            if include.suffix != "out" or include.stem in shown:
                continue
            above = [anchor for line, anchor in ids if line < include.line - 1]
            if above:
                shown[include.stem] = Shown(page, above[-1])
    return shown


def _link(shown: Shown, folder: Path) -> str:
    """A link from any page in `folder` (every page that shows the table is in one) to where the
    output is shown: the page's file name, even for the page itself, so that the same table
    links right on each page that includes it."""
    relative = posixpath.relpath(shown.page.as_posix(), folder.as_posix())
    return f"{relative}#{shown.anchor}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code(text: str) -> str:
    """`text` as a code span, its backtick fence longer than any run of backticks in it."""
    longest = max(
        (len(list(run)) for char, run in itertools.groupby(text) if char == "`"), default=0
    )
    fence = "`" * (longest + 1)
    padding = " " if text[:1] == "`" or text[-1:] == "`" else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _label(backend: str) -> str:
    return backends.get(backend).label


def render(verdicts: list[Verdict], shown: dict[str, Shown], folder: Path) -> str:
    """The table's Markdown; raises HoldsTableError listing every problem.

    On each backend, every variant that backend's runs try needs exactly one verdict in every
    setting they try, and the output holding each verdict must be shown on a page, under a
    heading. A setting no run of a backend tries, or a variant no run of it tries, is not
    applicable there.
    """
    problems = []
    cells: dict[tuple[str, str, str], Verdict] = {}  # (setting, backend, letter)
    names: dict[str, dict[str, str]] = {}  # letter -> backend -> the variant's name there
    for verdict in verdicts:
        key = (verdict.setting, verdict.backend, verdict.letter)
        if key in cells:
            problems.append(
                f"{verdict.where}: a second verdict for {verdict.letter} in "
                f"{verdict.setting!r} under {_label(verdict.backend)}; the first is at "
                f"{cells[key].where}"
            )
            continue
        cells[key] = verdict
        named = names.setdefault(verdict.letter, {}).setdefault(verdict.backend, verdict.name)
        if named != verdict.name:
            problems.append(
                f"{verdict.where}: {verdict.letter} is {named!r} under "
                f"{_label(verdict.backend)} elsewhere, here {verdict.name!r}"
            )
        if verdict.snippet.name not in shown:
            problems.append(
                f"{verdict.where}: no page shows {verdict.snippet.out_label} under a heading, "
                "so the table cannot link to it"
            )
    order = list(backends.BACKENDS)
    tried = {  # backend -> the settings and the letters its runs try
        backend: (
            {s for s, b, _ in cells if b == backend},
            {letter for _, b, letter in cells if b == backend},
        )
        for backend in order
    }
    for backend, (settings, letters) in tried.items():
        for setting in [s for s in SETTINGS if s in settings]:
            missing = [
                f"{letter} {names[letter][backend]}"
                for letter in sorted(letters)
                if (setting, backend, letter) not in cells
            ]
            if missing:
                problems.append(
                    f"snippets/*.out: no verdict under {_label(backend)} for {missing} in "
                    f"{setting!r}, which other variants are tried in"
                )
    untried = [s for s in SETTINGS if not any(s in settings for settings, _ in tried.values())]
    if untried and verdicts:
        problems.append(f"snippets/*.out: no verdict in {untried} (tools/holds_table.py)")
    if not verdicts:
        problems.append(f"snippets/*.out: no verdict line ({LINE_FORMAT!r})")
    if problems:
        raise HoldsTableError("\n".join(dict.fromkeys(problems)))

    def link(verdict: Verdict, text: str) -> str:
        return f"[{text}]({_link(shown[verdict.snippet.name], folder)})"

    def cell(setting: str, backend: str, letter: str) -> str:
        verdict = cells.get((setting, backend, letter))
        if verdict is None:
            return "n/a"
        text = {True: "yes", False: "**NO**", None: "n/a"}[verdict.holds]
        return link(verdict, text)

    letters = sorted(names)
    out = [
        # A fragment of a page: it does not start with the page's title.
        "<!-- pyml disable first-line-heading -->",
        "<!-- Generated by `python -m tools.generate` (tools/holds_table.py) from the verdict",
        "     lines of snippets/*.out; do not edit. -->",
        "",
        "The variants:",
        "",
    ]
    for letter in letters:
        by_backend = names[letter]
        if len(set(by_backend.values())) == 1 and len(by_backend) == len(order):
            out.append(f"- **{letter}**: {_code(next(iter(by_backend.values())))}")
        else:
            each = ", ".join(
                f"{_code(by_backend[b])} ({_label(b)})" for b in order if b in by_backend
            )
            only = "" if len(by_backend) > 1 else " only"
            out.append(f"- **{letter}**: {each}{only}")
    out += [
        "",
        "| Setting | Backend | " + " | ".join(letters) + " |",
        "| --- | --- |" + " --- |" * len(letters),
    ]
    for setting in SETTINGS:
        without = [b for b in order if setting not in tried[b][0]]
        for backend in [b for b in order if b not in without]:
            row = [cell(setting, backend, letter) for letter in letters]
            out.append(f"| {_cell(setting)} | {_label(backend)} | " + " | ".join(row) + " |")
        if without:
            row = ["n/a"] * len(letters)
            labels = ", ".join(_label(b) for b in without)
            out.append(f"| {_cell(setting)} | {labels} | " + " | ".join(row) + " |")
    failures = [
        cells[setting, backend, letter]
        for setting in SETTINGS
        for backend in order
        for letter in letters
        if (setting, backend, letter) in cells and cells[setting, backend, letter].holds is False
    ]
    if failures:
        # Collapsed: a long table costs a phone's browser a layout each time the theme restyles
        # the page as it starts; a closed block is not laid out until it is opened.
        out += ["", f'??? note "Each NO, as the run printed it ({len(failures)} cells)"', ""]
        rows = [
            "| Setting | Backend | Variant | The run printed | Run |",
            "| --- | --- | --- | --- | --- |",
        ]
        rows += [
            f"| {_cell(v.setting)} | {_label(v.backend)} | {_cell(v.variant)} | "
            f"{_cell(_code(v.evidence))} | {link(v, v.snippet.name)} |"
            for v in failures
        ]
        out += ["    " + row for row in rows]
    return "\n".join(out) + "\n"


def table_folder(root: Path = project.ROOT) -> Path:
    """The folder of the pages that include the table; raises HoldsTableError when no page
    includes it, or when pages in two folders do (its links are relative to one folder)."""
    name = Path(PATH).name
    showing = [p for p in pages.all_pages(root) if any(i.file == name for i in content.includes(p))]
    if not showing:
        raise HoldsTableError(f'{PATH}: no page includes it (--8<-- "{name}")')
    folders = sorted({page.parent for page in showing})
    if len(folders) > 1:
        listed = ", ".join(page.relative_to(root).as_posix() for page in showing)
        raise HoldsTableError(
            f"{PATH}: included by pages in more than one folder ({listed}); its links are "
            "relative to the page that shows it, so keep those pages in one folder"
        )
    return folders[0]


def generate(root: Path = project.ROOT, config=None) -> str:
    """The text of snippets/where-each-fix-holds.md; raises HoldsTableError listing problems."""
    verdicts, problems = [], []
    for snippet in content.snippets(root):
        found, trouble = parse(snippet)
        verdicts += found
        problems += trouble
    if problems:
        raise HoldsTableError("\n".join(problems))
    return render(verdicts, where_shown(root, config), table_folder(root))
