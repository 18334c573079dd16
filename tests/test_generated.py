"""Every generated file is committed as the generator writes it (tools/generate.py)."""

import pytest
from support import copy_repository

from tools import generate
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
        "docs/snippets.json",
    } <= names


@pytest.mark.machinery
def test_a_stale_file_is_named_and_rewritten(tmp_path, capsys):
    root = copy_repository(tmp_path / "repo")
    page = root / "docs" / "reference" / "compatibility.md"
    page.write_text(page.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")

    assert generate.main(["--check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "docs/reference/compatibility.md: out of date; run `python -m tools.generate`" in err
    assert "-edited by hand" in err

    assert generate.main(["--root", str(root)]) == 0
    assert "wrote docs/reference/compatibility.md" in capsys.readouterr().out
    assert generate.main(["--check", "--root", str(root)]) == 0


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
    for path in ("docs/snippets.json", "docs/notebook/tensor-vs-variable.ipynb"):
        assert f"cannot write {path}:\n{root / 'mkdocs.yml'}: " in made[path].error
        assert detail in made[path].error  # what is wrong, not only that something is
