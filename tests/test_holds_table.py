"""The table "where each fix holds" (tools/holds_table.py): made from the stored outputs alone."""

import pytest
from support import copy_repository, recorded_as_run

from tools import content, generate, holds_table, pages
from tools.project import ROOT

REPLICAS = "running_total_two_replicas"
LINE = "holds? two replicas | B add_weight | NO | total 36.0, expected 114.0"
TORCH_MIXED = "running_total_mixed_precision_torch"
TORCH_LINE = "holds? float16 steps of 0.25 | B add_weight | NO | total 0.0, expected 2500.0"


def table_rows(table: str) -> list[list[str]]:
    """The rows of the first Markdown table of the generated text, each a list of its cells."""
    rows = []
    for line in table.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            rows.append([c.strip() for c in line.strip().strip("|").split(" | ")])
        elif rows and not line.startswith("|"):
            break
    return rows


def row(table: str, setting: str, backend: str) -> dict[str, str]:
    """The cells of the row of `setting` under `backend`, by the variant's letter."""
    header, *body = table_rows(table)
    for cells in body:
        if cells[0] == setting and backend in cells[1].split(", "):
            return dict(zip(header[2:], cells[2:], strict=True))
    raise AssertionError(f"no row {setting!r} under {backend!r} in:\n{table}")


def failing(table: str, letter: str, backend: str) -> list[str]:
    """The settings in which the variant's cell under `backend` is NO."""
    return [
        setting
        for setting in holds_table.SETTINGS
        if "NO" in row(table, setting, backend).get(letter, "")
    ]


@pytest.fixture
def project(tmp_path):
    return copy_repository(tmp_path / "repo")


def committed() -> str:
    return (ROOT / holds_table.PATH).read_text(encoding="utf-8")


def test_every_cell_is_a_linked_verdict_or_not_applicable():
    header, *body = table_rows(committed())
    assert header[:2] == ["Setting", "Backend"] and header[2:] == list("ABCDEFG")
    order = [holds_table.SETTINGS.index(cells[0]) for cells in body]
    assert order == sorted(order), "the rows follow SETTINGS"
    for cells in body:
        for cell in cells[2:]:
            assert cell == "n/a" or cell.startswith(("[yes](", "[**NO**](", "[n/a](")), cells
            assert ".md#" in cell or cell == "n/a", cell  # page.md#anchor: right on every page


def test_each_backend_gets_the_rows_of_the_settings_its_runs_try():
    table = committed()
    for setting in holds_table.SETTINGS:
        assert set(row(table, setting, "TensorFlow").values()) != {"n/a"}, setting
    # TensorFlow's own settings: no run of another backend tries them, so they are n/a there.
    for setting in ("tf.function", "two workers", "parameter servers"):
        for backend in ("JAX", "PyTorch"):
            assert set(row(table, setting, backend).values()) == {"n/a"}, (setting, backend)
    # G uses a tf.Variable's own assign_add: not applicable elsewhere.
    for backend in ("JAX", "PyTorch"):
        assert all(row(table, s, backend)["G"] == "n/a" for s in holds_table.SETTINGS)
    # Keras offers no data parallelism on PyTorch: a run says so, and the cells link to it.
    assert set(row(table, "two replicas", "PyTorch").values()) == {
        "[n/a](../keras-backends.md#two-devices)",
        "n/a",
    }


def test_the_pages_claims_about_the_fix_are_the_tables():
    """What the running-totals and backends pages say of F (the fix) and G."""
    table = committed()
    assert failing(table, "F", "TensorFlow") == [
        "two replicas, on-batch methods",
        "parameter servers",
    ]
    assert failing(table, "G", "TensorFlow") == [
        "two replicas",
        "two replicas, on-batch methods",
        "two workers",
    ]
    assert failing(table, "F", "JAX") == failing(table, "F", "PyTorch") == []
    for backend in ("TensorFlow", "JAX", "PyTorch"):
        no = {letter: failing(table, letter, backend) for letter in "ABCDEFG"}
        assert all(no[letter] for letter in "ABCDE"), (backend, "none but F holds everywhere")
    # Under PyTorch's mixed precision, the autocast variants lose every update.
    for setting in holds_table.SETTINGS:
        if "16" in setting:
            assert "NO" in row(table, setting, "PyTorch")["B"]
    assert "`total 0.0, expected 2500.0`" in table


@pytest.mark.machinery
def test_changing_one_stored_output_changes_the_table(project, capsys):
    out = project / "snippets" / f"{REPLICAS}.out"
    text = out.read_text(encoding="utf-8")
    assert LINE in text
    before = holds_table.generate(project)
    right = "holds? two replicas | B add_weight | yes | total 114.0, expected 114.0"
    out.write_text(text.replace(LINE, right), encoding="utf-8")
    recorded_as_run(project, REPLICAS)  # as refresh stores an output that changed

    after = holds_table.generate(project)

    assert row(before, "two replicas", "TensorFlow")["B"].startswith("[**NO**]")
    assert row(after, "two replicas", "TensorFlow")["B"].startswith("[yes]")
    assert "| two replicas | TensorFlow | B add_weight |" in before
    assert "| two replicas | TensorFlow | B add_weight |" not in after
    assert generate.main(["--check", "--root", str(project)]) == 1
    assert f"{holds_table.PATH}: out of date" in capsys.readouterr().err


@pytest.mark.machinery
def test_the_backend_is_the_snippets_directive_not_the_line(project):
    """The same verdict line counts under the backend its snippet names."""
    path = project / "snippets" / f"{TORCH_MIXED}.py"
    assert "# snippet: backend=torch" in path.read_text(encoding="utf-8")
    before = holds_table.generate(project)
    assert row(before, "float16 steps of 0.25", "PyTorch")["B"].startswith("[**NO**]")

    # The PyTorch file's line, with its letter changed, is refused under PyTorch as a second B...
    out = path.with_suffix(".out")
    text = out.read_text(encoding="utf-8")
    assert TORCH_LINE in text
    out.write_text(text.replace("\n", f"\n{TORCH_LINE}\n", 1), encoding="utf-8")
    with pytest.raises(holds_table.HoldsTableError) as error:
        holds_table.generate(project)
    assert "a second verdict for B in 'float16 steps of 0.25' under PyTorch" in str(error.value)

    # ... and the directive alone moves every verdict of the file to another backend.
    out.write_text(text, encoding="utf-8")
    code = path.read_text(encoding="utf-8")
    path.write_text(code.replace("backend=torch", "backend=jax"), encoding="utf-8")
    assert content.Snippet(path).directives().backend == "jax"
    with pytest.raises(holds_table.HoldsTableError) as error:
        holds_table.generate(project)
    assert "a second verdict for B in 'float16 steps of 0.25' under JAX" in str(error.value)


@pytest.mark.machinery
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("holds? two replicas | B add_weight | maybe | total 24.0", "'yes', 'NO' or 'n/a'"),
        ("holds? two replicas | B add_weight | NO", "expected 'holds? <setting> | <letter>"),
        ("holds? two replica | B add_weight | NO | total 24.0", "unknown setting 'two replica'"),
        ("holds? two replicas | add_weight | NO | total 24.0", "must start with its letter"),
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
    assert "no verdict under TensorFlow for ['B add_weight'] in 'two replicas'" in str(error.value)

    out.write_text(text + LINE + "\n", encoding="utf-8")
    with pytest.raises(holds_table.HoldsTableError) as error:
        holds_table.generate(project)
    second = "a second verdict for B in 'two replicas' under TensorFlow; the first is at "
    assert second in str(error.value)


def test_heading_ids_are_those_mkdocs_gives():
    text = '# A\n\n## `tf.function`, then *more*\n\n## B {#chosen}\n\n=== "Tab"\n\n    ## A\n'
    assert pages.heading_ids(text) == [
        (0, "a"),
        (2, "tffunction-then-more"),
        (4, "chosen"),
        (8, "a_1"),
    ]
