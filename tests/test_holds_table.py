"""The table "where each fix holds" (tools/holds_table.py): made from the stored outputs alone."""

import pytest
from support import copy_repository, recorded_as_run

from tools import generate, holds_table, pages
from tools.project import ROOT

REPLICAS = "running_total_two_replicas"
LINE = "holds? two replicas | add_weight | NO | total 36.0, expected 114.0"


def row(table: str, variant: str) -> list[str]:
    """The cells of a variant's row in the first table of the generated Markdown."""
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if cells[0] == variant:
            return cells[1:]
    raise AssertionError(f"no row {variant!r} in:\n{table}")


@pytest.fixture
def project(tmp_path):
    return copy_repository(tmp_path / "repo")


def test_every_variant_has_a_linked_verdict_in_every_column():
    table = (ROOT / holds_table.PATH).read_text(encoding="utf-8")
    for variant in ["tf.Variable", "add_weight", "metric-style, float32 layer"]:
        cells = row(table, variant)
        assert len(cells) == len(holds_table.COLUMNS)
        assert all(c.startswith(("[yes](#", "[**NO**](#")) for c in cells), cells


def failing_columns(table: str, variant: str) -> list[str]:
    cells = row(table, variant)
    return [c for c, cell in zip(holds_table.COLUMNS, cells, strict=True) if "NO" in cell]


def test_the_pages_claims_about_the_fix_are_the_tables():
    """What the running-totals page says of F (the fix) and G (for parameter servers)."""
    table = (ROOT / holds_table.PATH).read_text(encoding="utf-8")
    assert failing_columns(table, "metric-style, float32 layer") == [
        "two replicas, on-batch methods",
        "parameter servers",
    ]
    assert failing_columns(table, "float32 layer + tf.Variable.assign_add") == [
        "two replicas",
        "two replicas, on-batch methods",
        "two workers",
    ]
    first_table = table.split("\n\n")[1].splitlines()
    variants = [line.strip("|").split(" | ")[0].strip() for line in first_table[2:]]
    assert len(variants) == 7, variants
    assert all(failing_columns(table, v) for v in variants), "the page: none holds everywhere"


@pytest.mark.machinery
def test_changing_one_stored_output_changes_the_table(project, capsys):
    out = project / "snippets" / f"{REPLICAS}.out"
    text = out.read_text(encoding="utf-8")
    assert LINE in text
    before = holds_table.generate(project)
    out.write_text(
        text.replace(LINE, "holds? two replicas | add_weight | yes | total 114.0, expected 114.0"),
        encoding="utf-8",
    )
    recorded_as_run(project, REPLICAS)  # as refresh stores an output that changed

    after = holds_table.generate(project)

    column = holds_table.COLUMNS.index("two replicas")
    assert row(before, "add_weight")[column].startswith("[**NO**]")
    assert row(after, "add_weight")[column].startswith("[yes]")
    assert (
        "| add_weight | two replicas |" in before and "| add_weight | two replicas |" not in after
    )
    assert generate.main(["--check", "--root", str(project)]) == 1
    assert f"{holds_table.PATH}: out of date" in capsys.readouterr().err


@pytest.mark.machinery
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("holds? two replicas | add_weight | maybe | total 24.0", "must be 'yes' or 'NO'"),
        ("holds? two replicas | add_weight | NO", "expected 'holds? <column> | <variant>"),
        ("holds? two replica | add_weight | NO | total 24.0", "unknown column 'two replica'"),
    ],
)
def test_a_malformed_verdict_line_is_reported_naming_the_file(project, capsys, line, message):
    out = project / "snippets" / f"{REPLICAS}.out"
    text = out.read_text(encoding="utf-8")
    number = text.splitlines().index(LINE) + 1
    out.write_text(text.replace(LINE, line), encoding="utf-8")
    recorded_as_run(project, REPLICAS)

    with pytest.raises(holds_table.HoldsTableError) as error:
        holds_table.generate(project)
    assert f"snippets/{REPLICAS}.out:{number}: " in str(error.value)
    assert message in str(error.value)

    # The other generated files are still checked: those that do not show the table are current.
    assert generate.main(["--check", "--root", str(project)]) == 1
    captured = capsys.readouterr()
    assert f"cannot write {holds_table.PATH}:\nsnippets/{REPLICAS}.out:{number}: " in captured.err
    assert "ok docs/reference/compatibility.md" in captured.out
    assert "ok docs/notebook/tensor-vs-variable.ipynb" in captured.out


@pytest.mark.machinery
def test_a_missing_or_repeated_verdict_is_reported(project):
    out = project / "snippets" / f"{REPLICAS}.out"
    text = out.read_text(encoding="utf-8")
    out.write_text(text.replace(LINE + "\n", ""), encoding="utf-8")
    with pytest.raises(holds_table.HoldsTableError) as error:
        holds_table.generate(project)
    assert "no verdict for 'add_weight' in ['two replicas']" in str(error.value)

    out.write_text(text + LINE + "\n", encoding="utf-8")
    with pytest.raises(holds_table.HoldsTableError) as error:
        holds_table.generate(project)
    assert "a second verdict for 'add_weight' in 'two replicas'; the first is at " in str(
        error.value
    )


def test_heading_ids_are_those_mkdocs_gives():
    text = '# A\n\n## `tf.function`, then *more*\n\n## B {#chosen}\n\n=== "Tab"\n\n    ## A\n'
    assert pages.heading_ids(text) == [
        (0, "a"),
        (2, "tffunction-then-more"),
        (4, "chosen"),
        (8, "a_1"),
    ]
