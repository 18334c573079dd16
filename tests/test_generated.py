"""Every generated file is committed as the generator writes it (tools/generate.py)."""

import pytest
from support import copy_repository, write_snippet

from tools import generate, snippets
from tools.project import ROOT

GENERATED = generate.generated()


@pytest.mark.parametrize(
    "made", GENERATED, ids=[g.path.relative_to(ROOT).as_posix() for g in GENERATED]
)
def test_generated_file_is_current(made):
    assert made.error is None, made.error
    message = generate.stale(made.path, made.text)
    assert message is None, message


def test_the_generated_files(tmp_path):
    names = {g.path.relative_to(ROOT).as_posix() for g in GENERATED}
    assert {
        "docs/notebook/tensor-vs-variable.ipynb",
        "docs/reference/compatibility.md",
        "snippets/where-each-fix-holds.md",
    } <= names


@pytest.mark.machinery
def test_a_stale_file_is_named_and_rewritten(tmp_path, capsys):
    root = copy_repository(tmp_path / "repo")
    page = root / "docs" / "reference" / "compatibility.md"
    page.write_text(page.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")

    assert generate.main(["--check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert (
        "docs/reference/compatibility.md: out of date; run `.venv/bin/python -m tools.generate`"
        in err
    )
    assert "-edited by hand" in err

    assert generate.main(["--root", str(root)]) == 0
    assert "wrote docs/reference/compatibility.md" in capsys.readouterr().out
    assert generate.main(["--check", "--root", str(root)]) == 0


def files_of(root):
    """{path: bytes} of every file a command could write."""
    return {
        p: p.read_bytes()
        for folder in ("snippets", "docs")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


@pytest.mark.machinery
def test_an_output_edited_by_hand_is_not_spread_and_refresh_is_named(tmp_path, capsys):
    root = copy_repository(tmp_path / "repo")
    out = root / "snippets" / "weight_state_layer.out"
    out.write_text("7.0\n", encoding="utf-8")
    before = files_of(root)

    assert generate.main(["--root", str(root)]) == 1

    err = capsys.readouterr().err
    assert (
        "FAIL snippets/weight_state_layer.out: not the output a run stored (edited by hand?); "
        "never edit it: store a real run with "
        "`.venv/bin/python -m tools.snippets refresh weight_state_layer`"
    ) in err
    assert "FAIL nothing was written: every file is as it was" in err
    assert files_of(root) == before
    # The check says the same, and the tests (tests/test_snippets.py) too.
    assert generate.main(["--check", "--root", str(root)]) == 1
    assert "not the output a run stored" in capsys.readouterr().err


@pytest.mark.machinery
def test_refresh_writes_nothing_when_anything_is_wrong(tmp_path, capsys):
    root = copy_repository(tmp_path / "repo")
    section = "# --8<-- [start:demo]\n{}\n# --8<-- [end:demo]\n"
    write_snippet(root, "zz_changed", section.format("print('new')"), "old\n")
    write_snippet(root, "zz_fails", section.format("raise ValueError('no')"))
    before = files_of(root)

    # A snippet that fails: the other's new output, the hashes and the generated files stay.
    assert snippets.main(["refresh", "zz_changed", "zz_fails", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "snippets/zz_fails.py raised an exception it is not marked to raise" in err
    assert "FAIL nothing was written: every file is as it was" in err
    assert files_of(root) == before

    # Every run right, but a generated file cannot be made from the pages: the same.
    (root / "snippets" / "zz_fails.py").unlink()
    page = root / "docs" / "tensor-vs-variable.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            '--8<-- "weight_state_layer.py:layer"', '--8<-- "weight_state_layer.py:nope"', 1
        ),
        encoding="utf-8",
    )
    before = files_of(root)
    assert snippets.main(["refresh", "zz_changed", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "cannot write docs/notebook/tensor-vs-variable.ipynb" in err and "'nope'" in err
    assert files_of(root) == before
    assert (root / "snippets" / "zz_changed.out").read_text(encoding="utf-8") == "old\n"


# Not YAML; YAML whose value MkDocs rejects (loading logs it, then aborts with a count). Each
# with what the error must say about it.
BROKEN_MKDOCS_YML = {
    "not YAML": ("nav: [\n", "line 3"),
    "rejected value": ("nav: 5\n", "Config value 'nav': Expected nav to be a list"),
}


@pytest.mark.machinery
@pytest.mark.parametrize("broken", BROKEN_MKDOCS_YML.values(), ids=list(BROKEN_MKDOCS_YML))
def test_a_broken_mkdocs_yml_is_an_error_of_each_file_that_needs_it(tmp_path, broken):
    broken, detail = broken
    root = copy_repository(tmp_path / "repo")
    (root / "mkdocs.yml").write_text("site_name: x\n" + broken, encoding="utf-8")

    made = {g.path.relative_to(root).as_posix(): g for g in generate.generated(root)}

    assert made["docs/reference/compatibility.md"].error is None  # needs no mkdocs.yml
    for path in ("snippets/where-each-fix-holds.md", "docs/notebook/tensor-vs-variable.ipynb"):
        assert f"cannot write {path}:\n{root / 'mkdocs.yml'}: " in made[path].error
        assert detail in made[path].error  # what is wrong, not only that something is
