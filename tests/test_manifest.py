"""The published snippet manifest (snippets.json) is valid, complete and true to the files and
to the repository's history: each version's commit holds those very bytes."""

import hashlib
import json
import subprocess
import sys

import jsonschema
import pytest
from support import build_site, copy_repository

from tools import content, manifest, pages, project
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
        out = ROOT / entry["output"]["path"]
        assert entry["output"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
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


def git(root, *args):
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_every_version_is_named_by_a_commit_that_holds_its_bytes(published):
    # The build reads the repository's whole history (CI checks it out with fetch-depth: 0).
    assert published["history"] == "complete", (
        "snippets.json names no commit: "
        + manifest.history(ROOT)[1]
        + " (the tests need a clone with its whole history)"
    )
    for entry in published["snippets"]:
        output = entry["output"]["path"]
        versions = [(entry["commit"], entry["sha256"], entry["output"]["sha256"])]
        versions += [(v["commit"], v["sha256"], v["output_sha256"]) for v in entry["history"]]
        for commit, code, out in versions:
            if commit is None:
                continue  # only the current version may have none: no commit holds it yet
            held = git(ROOT, "show", f"{commit}:{entry['path']}")
            assert hashlib.sha256(held).hexdigest() == code, (entry["path"], commit)
            if out is not None:
                held = git(ROOT, "show", f"{commit}:{output}")
                assert hashlib.sha256(held).hexdigest() == out, (output, commit)
    # A checkout as CI has it, where every snippet is committed, names a commit for each.
    if not git(ROOT, "status", "--porcelain", "--", "snippets"):
        assert published["commit"] == git(ROOT, "rev-parse", "HEAD").decode().strip()
        assert all(entry["commit"] for entry in published["snippets"])


def test_ci_builds_the_site_with_the_whole_history():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text("utf-8"))
    checked_out = {
        name: step
        for name, job in workflow["jobs"].items()
        for step in job.get("steps", [])
        if "actions/checkout" in step.get("uses", "")
    }
    assert {"test", "build"} <= set(checked_out), checked_out  # the tests and the deployed build
    for name, checkout in checked_out.items():  # every job that checks out builds or tests
        assert checkout["with"].get("fetch-depth") == 0, name


@pytest.mark.machinery
def test_bad_snippets_stop_the_build_naming_each_file(tmp_path):
    root = copy_repository(tmp_path / "repo")
    (root / "snippets" / "unclosed.py").write_text(
        "# --8<-- [start:demo]\nprint(1)\n", encoding="utf-8"
    )
    (root / "snippets" / "unclosed.out").write_text("1\n", encoding="utf-8")
    (root / "snippets" / "no_output.py").write_text(
        "# --8<-- [start:demo]\nprint(1)\n# --8<-- [end:demo]\n", encoding="utf-8"
    )

    with pytest.raises(manifest.ManifestError) as error:
        manifest.build(root, project.site_config(root))

    assert "snippets/unclosed.py:1: section 'demo' never ends" in str(error.value)
    assert "snippets/no_output.py: no stored output snippets/no_output.out" in str(error.value)
    built = build_site(root, tmp_path / "site")
    assert built.returncode != 0
    assert "snippets/unclosed.py:1: section 'demo' never ends; add `# --8<-- [end:demo]`" in (
        built.stderr
    )


def commit(root, message):
    git(root, "add", "-A")
    git(root, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD").decode().strip()


def check(root, made, *copies):
    """verify_snippets.py, as an embedder runs it, on a manifest file and copies; with no
    site-packages (-S), so that it is proved to need only the standard library."""
    path = root / "manifest.json"
    path.write_text(manifest.dumps(made), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-I", "-S", str(ROOT / "docs" / "verify_snippets.py"), "--manifest", path]
        + [str(c) for c in copies],
        capture_output=True,
        text=True,
    )


@pytest.mark.machinery
def test_versions_commits_and_the_check_in_a_repository_of_their_own(tmp_path):
    root = copy_repository(tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    first = commit(root, "first")
    out = root / "snippets" / "weight_state_layer.out"
    old_output = out.read_bytes()
    # A change merged from a branch: its version is the merge's, the commit main has.
    git(root, "checkout", "-q", "-b", "change")
    out.write_bytes(b"7.0\n")
    commit(root, "change the output")
    git(root, "checkout", "-q", "main")
    git(root, "-c", "user.name=T", "-c", "user.email=t@e.x", "merge", "-q", "--no-ff", "change")
    merge = git(root, "rev-parse", "HEAD").decode().strip()
    config = project.site_config(root)

    made = manifest.build(root, config)

    [layer] = [e for e in made["snippets"] if e["name"] == "weight_state_layer"]
    assert made["commit"] == merge and made["history"] == "complete"
    assert layer["commit"] == merge
    assert layer["history"] == [
        {
            "commit": first,
            "sha256": layer["sha256"],
            "output_sha256": hashlib.sha256(old_output).hexdigest(),
        }
    ]
    assert all(e["commit"] == first for e in made["snippets"] if e["name"] != layer["name"])
    old = tmp_path / "old" / "weight_state_layer.out"
    old.parent.mkdir()
    old.write_bytes(old_output)
    tampered = tmp_path / "tampered.out"
    tampered.write_bytes(b"6.5\n")

    done = check(root, made, out, old, tampered)

    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"verified        {out}: snippets/weight_state_layer.out as ")
    assert f"verified at commit {merge[:12]} with TensorFlow " in lines[0]
    assert lines[1].startswith(f"changed since   {old}: snippets/weight_state_layer.out as ")
    assert f"at commit {first[:12]}; ours has changed since; update to" in lines[1]
    assert lines[1].endswith(f"/{merge}/snippets/weight_state_layer.out")
    assert lines[2].startswith(f"never verified  {tampered}: SHA-256 ")
    assert done.returncode == 1, done.stderr
    assert check(root, made, out).returncode == 0

    # Changed and not committed: no commit holds it, so nothing names it verified.
    out.write_bytes(b"8.0\n")
    made = manifest.build(root, config)
    [layer] = [e for e in made["snippets"] if e["name"] == "weight_state_layer"]
    assert made["commit"] is None and layer["commit"] is None
    assert [v["commit"] for v in layer["history"]] == [merge, first]
    assert check(root, made, out).stdout.startswith(
        f"never verified  {out}: snippets/weight_state_layer.out as it is now, but no commit"
    )

    # A shallow clone cannot tell an earlier version from one never verified: it says so.
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{root}", str(clone))
    made = manifest.build(clone, project.site_config(clone))
    assert made["history"] is None and made["commit"] is None
    assert "a shallow clone: fetch the whole history" in manifest.history(clone)[1]
