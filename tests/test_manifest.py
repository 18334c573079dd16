"""The published snippet manifest (snippets.json) is valid, complete and true to the files."""

import hashlib
import json

import jsonschema
import pytest
from support import copy_repository

from tools import content, generate, manifest, pages
from tools.project import ROOT

SCHEMA = json.loads((ROOT / "docs" / manifest.SCHEMA).read_text(encoding="utf-8"))
PUBLISHED = "snippets.json"  # docs/snippets.json, at the root of the site


@pytest.fixture(scope="module")
def published(site):
    return json.loads((site / PUBLISHED).read_text(encoding="utf-8"))


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_published_manifest_matches_the_schema(published):
    jsonschema.Draft202012Validator(SCHEMA).validate(published)


def test_schema_is_published_where_the_manifest_points(site, published):
    assert published["$schema"].endswith("/" + manifest.SCHEMA)
    assert json.loads((site / manifest.SCHEMA).read_text(encoding="utf-8")) == SCHEMA


def test_manifest_lists_every_snippet(published):
    assert [s["path"] for s in published["snippets"]] == [s.label for s in content.snippets()]


def test_entries_are_true_to_the_files(published):
    versions = content.Versions.stored()
    for entry in published["snippets"]:
        path = ROOT / entry["path"]
        lines = path.read_text(encoding="utf-8").splitlines()
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), entry["path"]
        assert entry["output"]["text"] == content.Snippet(path).stored_output()
        assert entry["url"] == f"{published['repository']}/blob/main/{entry['path']}"
        assert entry["raw_url"].endswith(f"/main/{entry['path']}")
        backend = content.Snippet(path).directives().backend
        if backend == "tensorflow":
            assert content.Versions(**entry["verified_with"]) == versions
        else:  # another backend's snippet: its own environment's versions
            verified = content.BackendVersions(**entry["verified_with"])
            assert verified == content.BackendVersions.stored(backend), entry["path"]
        for section in entry["sections"]:
            name = section["name"]
            assert f"[start:{name}]" in lines[section["start_line"] - 2], (entry["path"], name)
            assert f"[end:{name}]" in lines[section["end_line"]], (entry["path"], name)


def test_sections_are_the_ones_pages_include(published):
    # Every `--8<-- "file.py:section"` on our pages names a section the manifest lists.
    listed = {(s["name"], sec["name"]) for s in published["snippets"] for sec in s["sections"]}
    used = {
        (i.stem, i.section)
        for page in pages.all_pages()
        for i in content.includes(page)
        if i.suffix == "py" and i.section
    }
    assert used and used <= listed


@pytest.mark.machinery
def test_schema_rejects_a_broken_manifest(published):
    broken = json.loads(json.dumps(published))
    del broken["snippets"][0]["sha256"]
    broken["snippets"][1]["sections"] = []
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(broken))
    assert {e.message for e in errors} == {
        "'sha256' is a required property",
        "[] should be non-empty",
    }


@pytest.mark.machinery
def test_bad_snippets_stop_the_manifest_naming_each_file(tmp_path):
    root = copy_repository(tmp_path / "repo")
    (root / "snippets" / "unclosed.py").write_text(
        "# --8<-- [start:demo]\nprint(1)\n", encoding="utf-8"
    )
    (root / "snippets" / "unclosed.out").write_text("1\n", encoding="utf-8")
    (root / "snippets" / "no_output.py").write_text(
        "# --8<-- [start:demo]\nprint(1)\n# --8<-- [end:demo]\n", encoding="utf-8"
    )

    [made] = [g for g in generate.generated(root) if g.path.name == PUBLISHED]

    assert made.text is None
    assert "snippets/unclosed.py:1: section 'demo' never ends" in made.error
    assert "snippets/no_output.py: no stored output snippets/no_output.out" in made.error
