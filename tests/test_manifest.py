"""The published snippet manifest (snippets.json) is valid, complete and true to the files."""

import hashlib
import json

import jsonschema
import pytest
from conftest import ROOT, build_site, copy_repository

from tools import manifest, snippets

SCHEMA = json.loads((ROOT / "docs" / manifest.SCHEMA).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def published(site):
    return json.loads((site / manifest.MANIFEST).read_text(encoding="utf-8"))


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_published_manifest_matches_the_schema(published):
    jsonschema.Draft202012Validator(SCHEMA).validate(published)


def test_schema_is_published_where_the_manifest_points(site, published):
    assert published["$schema"].endswith("/" + manifest.SCHEMA)
    assert json.loads((site / manifest.SCHEMA).read_text(encoding="utf-8")) == SCHEMA


def test_manifest_lists_every_snippet(published):
    paths, _ = snippets.discover()
    assert [s["path"] for s in published["snippets"]] == [str(p.relative_to(ROOT)) for p in paths]


def test_entries_are_true_to_the_files(published):
    versions = (ROOT / "snippets" / snippets.VERSIONS_FILE).read_text(encoding="utf-8").strip()
    for entry in published["snippets"]:
        path = ROOT / entry["path"]
        lines = path.read_text(encoding="utf-8").splitlines()
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), entry["path"]
        assert entry["output"]["text"] == path.with_suffix(".out").read_text(encoding="utf-8")
        assert entry["url"] == f"{published['repository']}/blob/main/{entry['path']}"
        assert entry["raw_url"].endswith(f"/main/{entry['path']}")
        shown = "TensorFlow {tensorflow}, Keras {keras}, Python {python}"
        assert shown.format(**entry["verified_with"]) == versions
        for section in entry["sections"]:
            name = section["name"]
            assert f"[start:{name}]" in lines[section["start_line"] - 2], (entry["path"], name)
            assert f"[end:{name}]" in lines[section["end_line"]], (entry["path"], name)


def test_sections_are_the_ones_pages_include(published):
    # Every `--8<-- "file.py:section"` on our pages names a section the manifest lists.
    import re

    listed = {(s["name"], sec["name"]) for s in published["snippets"] for sec in s["sections"]}
    pages = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    used = set(re.findall(r'^\s*--8<-- "([\w-]+)\.py:([\w-]+)"', pages, re.M))
    assert used and used <= listed


def test_schema_rejects_a_broken_manifest(published):
    broken = json.loads(json.dumps(published))
    del broken["snippets"][0]["sha256"]
    broken["snippets"][1]["sections"] = []
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(broken))
    assert {e.message for e in errors} == {
        "'sha256' is a required property",
        "[] should be non-empty",
    }


def test_bad_snippets_fail_the_build_naming_each_file(tmp_path):
    tmp_path = copy_repository(tmp_path / "repo")
    (tmp_path / "snippets" / "unclosed.py").write_text(
        "# --8<-- [start:demo]\nprint(1)\n", encoding="utf-8"
    )
    (tmp_path / "snippets" / "unclosed.out").write_text("1\n", encoding="utf-8")
    (tmp_path / "snippets" / "no_output.py").write_text(
        "# --8<-- [start:demo]\nprint(1)\n# --8<-- [end:demo]\n", encoding="utf-8"
    )

    built = build_site(tmp_path, tmp_path / "site")

    assert built.returncode != 0
    assert "snippets/unclosed.py:1: section 'demo' never ends" in built.stderr
    assert "snippets/no_output.py: no stored output snippets/no_output.out" in built.stderr
