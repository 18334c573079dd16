"""The table "where each fix holds", made from the verdict lines of the stored outputs.

A snippet that tries the running-total variants in one setting prints one verdict line per
variant (snippets/running_total_variants.py prints them with `holds()` and `fails()`):

    holds? <column> | <variant> | <yes|NO> | <evidence>

This module reads those lines from every stored output and makes `snippets/where-each-fix-holds.md`:
a Markdown table with a row per variant and a column per setting, and under it the evidence of
each NO. A page shows it with `--8<-- "where-each-fix-holds.md"`. Each cell links to the heading
under which a page shows the stored output that holds the verdict: the first page that includes
`<name>.out`, the nearest heading above that include, its id computed by Python-Markdown's toc
extension as MkDocs computes it, so `mkdocs build --strict` checks every link.

It is a pure function of the stored outputs and the pages; tools/generate.py writes it.
"""

from __future__ import annotations

import dataclasses
import itertools
import posixpath
from pathlib import Path

from tools import content, pages, project

PATH = "snippets/where-each-fix-holds.md"
MARKER = "holds?"
VERDICTS = {"yes": True, "NO": False}
# The settings, in the order the table shows them. A verdict line naming another is refused,
# so that a typo cannot open a column of its own.
COLUMNS = (
    "eager",
    "tf.function",
    "predict/fit",
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
LINE_FORMAT = "holds? <column> | <variant> | <yes|NO> | <evidence>"


class HoldsTableError(Exception):
    """Every problem found, one a line, each naming its file (and line)."""


@dataclasses.dataclass(frozen=True)
class Verdict:
    """One verdict line of a stored output."""

    snippet: content.Snippet
    line: int  # 1-based, in the stored output
    column: str
    variant: str
    holds: bool
    evidence: str

    @property
    def where(self) -> str:
        return f"{self.snippet.out_label}:{self.line}"


def parse(snippet: content.Snippet) -> tuple[list[Verdict], list[str]]:
    """The verdict lines of one stored output, and a problem for each malformed one.

    A verdict line starts with `holds?`; it must have four fields separated by ` | ` (the
    evidence may contain more), a column of COLUMNS and a verdict `yes` or `NO`.
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
        column, variant, verdict, evidence = fields
        if column not in COLUMNS:
            problems.append(
                f"{where}: unknown column {column!r}; the columns are {list(COLUMNS)} "
                "(a new one is added to COLUMNS in tools/holds_table.py)"
            )
        elif verdict not in VERDICTS:
            problems.append(f"{where}: the verdict must be 'yes' or 'NO', not {verdict!r}")
        else:
            found.append(Verdict(snippet, number, column, variant, VERDICTS[verdict], evidence))
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


def _link(shown: Shown, table_page: Path) -> str:
    if shown.page == table_page:
        return f"#{shown.anchor}"
    relative = posixpath.relpath(shown.page.as_posix(), table_page.parent.as_posix())
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


def render(verdicts: list[Verdict], shown: dict[str, Shown], table_page: Path) -> str:
    """The table's Markdown; raises HoldsTableError listing every problem.

    Every variant needs exactly one verdict in every column, and the output holding each verdict
    must be shown on a page, under a heading.
    """
    problems = []
    cells: dict[tuple[str, str], Verdict] = {}
    variants: list[str] = []
    for verdict in verdicts:
        key = (verdict.variant, verdict.column)
        if key in cells:
            problems.append(
                f"{verdict.where}: a second verdict for {verdict.variant!r} in "
                f"{verdict.column!r}; the first is at {cells[key].where}"
            )
            continue
        cells[key] = verdict
        if verdict.variant not in variants:
            variants.append(verdict.variant)
        if verdict.snippet.name not in shown:
            problems.append(
                f"{verdict.where}: no page shows {verdict.snippet.out_label} under a heading, "
                "so the table cannot link to it"
            )
    for variant in variants:
        missing = [c for c in COLUMNS if (variant, c) not in cells]
        if missing:
            problems.append(f"snippets/*.out: no verdict for {variant!r} in {missing}")
    if not verdicts:
        problems.append(f"snippets/*.out: no verdict line ({LINE_FORMAT!r})")
    if problems:
        raise HoldsTableError("\n".join(dict.fromkeys(problems)))

    def link(verdict: Verdict, text: str) -> str:
        return f"[{text}]({_link(shown[verdict.snippet.name], table_page)})"

    out = [
        # A fragment of a page: it does not start with the page's title.
        "<!-- pyml disable first-line-heading -->",
        "<!-- Generated by `python -m tools.generate` (tools/holds_table.py) from the verdict",
        "     lines of snippets/*.out; do not edit. -->",
        "",
        "| Variant | " + " | ".join(COLUMNS) + " |",
        "| --- |" + " --- |" * len(COLUMNS),
    ]
    for variant in variants:
        row = [
            link(cells[variant, c], "yes" if cells[variant, c].holds else "**NO**") for c in COLUMNS
        ]
        out.append(f"| {_cell(variant)} | " + " | ".join(row) + " |")
    failures = [cells[v, c] for v in variants for c in COLUMNS if not cells[v, c].holds]
    if failures:
        out += ["", "Each **NO**, as the run printed it:", ""]
        out += ["| Variant | Setting | The run printed | Run |", "| --- | --- | --- | --- |"]
        out += [
            f"| {_cell(v.variant)} | {v.column} | {_cell(_code(v.evidence))} | "
            f"{link(v, v.snippet.name)} |"
            for v in failures
        ]
    return "\n".join(out) + "\n"


def table_page(root: Path = project.ROOT) -> Path:
    """The first page that includes the table; raises HoldsTableError when none does."""
    name = Path(PATH).name
    for page in pages.all_pages(root):
        if any(i.file == name for i in content.includes(page)):
            return page
    raise HoldsTableError(f'{PATH}: no page includes it (--8<-- "{name}")')


def generate(root: Path = project.ROOT, config=None) -> str:
    """The text of snippets/where-each-fix-holds.md; raises HoldsTableError listing problems."""
    verdicts, problems = [], []
    for snippet in content.snippets(root):
        found, trouble = parse(snippet)
        verdicts += found
        problems += trouble
    if problems:
        raise HoldsTableError("\n".join(problems))
    return render(verdicts, where_shown(root, config), table_page(root))
