"""The notebook edition: generated from the page, valid, current, and true in a real kernel."""

import dataclasses
import difflib
import json
import re
import time
from pathlib import Path

import jupyter_client.kernelspec
import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
from nbclient.util import run_sync
from support import copy_repository, html_text, links, write_snippet

from tools import backends, content, generate, notebook, project, runner
from tools.project import ROOT
from tools.runner import normalise

PAGES = notebook.pages_with_notebooks()
# Every notebook: (page, the backend whose cells it runs).


def list_notebooks(pages: list[Path]) -> tuple[list[tuple[Path, str]], dict[Path, str]]:
    """Every notebook of `pages` as (page, the backend whose cells it runs), and for each page
    whose notebooks cannot be listed (a snippet naming an unknown backend, an unreadable
    mkdocs.yml), why. Such a page fails test_every_page_lists_its_notebooks; the other pages'
    notebooks are still collected and run."""
    found, unlisted = [], {}
    for page in pages:
        try:
            found += [(page, backend) for backend in notebook.page_backends(page)]
        except (notebook.NotebookError, project.ProjectError) as error:
            unlisted[page] = str(error)
    return found, unlisted


NOTEBOOKS, UNLISTED = list_notebooks(PAGES)
PAGE = ROOT / "docs" / "tensor-vs-variable.md"
NOTEBOOK = notebook.notebook_path(PAGE)
# Asks the kernel for the exception exactly as the snippet runner records it.
LAST_EXCEPTION = (
    "import sys as _s, traceback as _t\n"
    "print(''.join(_t.format_exception_only(_s.last_type, _s.last_value)), end='')\n"
    "del _s, _t"
)
ONE_STREAM = "import sys as _s\n_s.stderr = _s.stdout\ndel _s"
# Asks the kernel for the file name under which it compiles a cell (ipykernel names it by a hash
# of the code), the name its frames and warnings give.
CELL_FILE = "print(get_ipython().compile.get_code_name({0!r}, {0!r}, 0), end='')"


@dataclasses.dataclass
class Run:
    text: str = ""  # stdout, then the exception as Python prints it
    raised: bool = False
    problem: str | None = None
    cell_file: str = ""  # the name the kernel gave the cell's code


def timeout_for(cell) -> float:
    source = cell.metadata.get("snippet")
    if not source:
        return content.DEFAULT_TIMEOUT
    return content.Snippet(ROOT / "snippets" / source.partition(":")[0]).directives().timeout


def kernel_manager(backend: str, folder: Path) -> AsyncKernelManager:
    """A kernel of the backend's environment (tools/backends.py): the project's python3 kernel
    for TensorFlow, else an ipykernel started with that environment's interpreter, through a
    kernel spec written in `folder`."""
    if backend == backends.DEFAULT:
        return AsyncKernelManager(kernel_name="python3")
    chosen = backends.get(backend)
    spec = folder / "kernels" / f"keras-{backend}"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [str(chosen.python()), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": chosen.label, "language": "python"})
    )
    specs = jupyter_client.kernelspec.KernelSpecManager(kernel_dirs=[str(spec.parent)])
    return AsyncKernelManager(kernel_name=spec.name, kernel_spec_manager=specs)


def execute(nb, workdir: Path, timeout=timeout_for, backend=backends.DEFAULT) -> dict[int, Run]:
    """Run every code cell in one fresh kernel of the backend's environment; a cell past its
    timeout stops the run."""
    nb = nbformat.from_dict(nb)
    client = NotebookClient(
        nb,
        km=kernel_manager(backend, workdir.parent / f"{workdir.name}-spec"),
        timeout_func=timeout,
        allow_errors=True,
        shutdown_kernel="immediate",  # a hanging kernel is killed, not waited for
        resources={"metadata": {"path": str(workdir)}},
    )
    client.owns_km = True  # shut its kernel down at the end, as for a kernel it made itself
    runs = {}
    with client.setup_kernel():
        # A terminal shows stdout and stderr as one stream, in the order written; a kernel sends
        # them apart. One stream for Python's writes (warnings among them) keeps that order.
        reply = run_sync(client.kc.execute_interactive)(ONE_STREAM, timeout=30)
        assert reply["content"]["status"] == "ok", reply
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            run = runs[index] = Run()
            named = Run()
            reply = run_sync(client.kc.execute_interactive)(
                CELL_FILE.format(cell.source),
                output_hook=lambda msg, r=named: _collect(msg, r),
                timeout=30,
            )
            assert reply["content"]["status"] == "ok", reply
            run.cell_file = named.text
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                run.problem = f"timed out after {timeout(cell):g} s and was killed"
                break
            run.text = "".join(o.text for o in cell.outputs if o.output_type == "stream")
            run.raised = any(o.output_type == "error" for o in cell.outputs)
            if run.raised:
                reply = run_sync(client.kc.execute_interactive)(
                    LAST_EXCEPTION, output_hook=lambda msg, r=run: _collect(msg, r), timeout=30
                )
                assert reply["content"]["status"] == "ok", reply
    return runs


def _collect(msg, run):
    if msg["header"]["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
        if run.text and not run.text.endswith("\n"):
            run.text += "\n"
        run.text += msg["content"]["text"]


def check_cell(nb, index: int, run: Run, name="tiny.ipynb", cells=None) -> str | None:
    """None when the kernel's output for a cell is its stored output, else a message.

    cells: each cell's file name in the kernel -> where its lines come from
    (notebook.line_origins), so that frames and warnings read as a script run prints them.
    """
    cell = nb.cells[index]
    label = f"{name} {notebook.cell_label(nb, index)}"
    if run.problem:
        return f"{label} {run.problem}"
    tagged = notebook.RAISES_TAG in cell.metadata.get("tags", [])
    if run.raised != tagged:
        state = "raised" if run.raised else "did not raise"
        return f"{label} {state}, but is {'' if tagged else 'not '}tagged {notebook.RAISES_TAG}"
    stored = notebook.output_text(cell)
    actual = normalise(notebook.in_snippet_terms(run.text, cells or {}))
    if actual == stored:
        return None
    diff = "\n".join(
        difflib.unified_diff(
            stored.splitlines(), actual.splitlines(), "stored", "kernel", lineterm=""
        )
    )
    return f"{label}: output differs from the stored output\n{diff}"


@pytest.fixture(
    scope="module",
    params=NOTEBOOKS,
    ids=[notebook.notebook_path(p, backend=b).name for p, b in NOTEBOOKS],
)
def page_backend(request):
    return request.param


@pytest.fixture(scope="module")
def page(page_backend):
    return page_backend[0]


@pytest.fixture(scope="module")
def backend(page_backend):
    return page_backend[1]


@pytest.fixture(scope="module")
def committed(page, backend):
    """The committed notebook, once it is what the generator makes from the page: the checks
    below compare it with the snippets, and a stale one would fail them for no reason of theirs."""
    path = notebook.notebook_path(page, backend=backend)
    [made] = [g for g in generate.generated() if g.path == path]
    assert made.error is None, made.error
    stale = generate.stale(path, made.text)
    assert stale is None, stale
    return nbformat.read(path, as_version=4)


@pytest.fixture(scope="module")
def executed(committed, backend, tmp_path_factory):
    # An empty folder as the working directory: the snippet files are not importable there.
    start = time.monotonic()
    runs = execute(committed, tmp_path_factory.mktemp("kernel"), backend=backend)
    print(f"\nnotebook executed in a kernel in {time.monotonic() - start:.1f} s")
    return runs


def test_kernel_is_installed():
    specs = jupyter_client.kernelspec.KernelSpecManager().find_kernel_specs()
    assert "python3" in specs, f"no python3 Jupyter kernel (ipykernel) installed: {specs}"


def test_every_page_lists_its_notebooks():
    problems = [
        f"{error}\n  fix that line, then run: bash scripts/test-page {page.relative_to(ROOT)}"
        for page, error in UNLISTED.items()
    ]
    assert not problems, "\n".join(problems)


def test_every_page_with_snippets_has_a_notebook_and_no_other():
    assert PAGE in PAGES
    expected = {notebook.notebook_path(p, backend=b) for p, b in NOTEBOOKS}
    assert {notebook.notebook_path(p) for p in PAGES if p not in UNLISTED} <= expected
    found = {
        path
        for path in (ROOT / "docs" / notebook.NOTEBOOK_DIR).glob("*.ipynb")
        # The notebooks of a page that cannot be listed: test_every_page_lists_its_notebooks.
        if not any(path.stem == p.stem or path.stem.startswith(f"{p.stem}-") for p in UNLISTED)
    }
    assert found == expected, (
        "run: .venv/bin/python -m tools.generate (and delete notebooks of no page)"
    )


def test_notebook_is_valid_and_quiet(committed):
    nbformat.validate(committed)
    assert committed.metadata.kernelspec.name == "python3"
    assert committed.metadata.kernelspec.language == "python"
    for index, cell in enumerate(committed.cells):
        label = notebook.cell_label(committed, index)
        assert set(cell.metadata) <= {"snippet", "tags"}, label
        if cell.cell_type == "code":
            assert cell.execution_count is None, label
            assert all("execution_count" not in o for o in cell.outputs), label


def test_every_code_cell_is_a_snippet_section_and_shows_its_stored_output(page, backend, committed):
    shown = set()
    code_cells = [c for c in committed.cells if c.cell_type == "code"]
    if backend != backends.DEFAULT:  # first, the cell that sets the backend, and no other
        setting = code_cells.pop(0)
        assert setting.source == notebook.backend_cell(backend) and not setting.outputs
    for cell in code_cells:
        if cell.cell_type == "code":
            name, _, parts = cell.metadata["snippet"].partition(":")
            snippet = content.Snippet(ROOT / "snippets" / name)
            code = [
                line
                for part in parts.split(",")
                for line in snippet.section_text(part).splitlines()
                if line.strip()
            ]
            cell_lines = [line for line in cell.source.splitlines() if line.strip()]
            for line, shown_line in zip(code, cell_lines, strict=True):
                # Only an import of a sibling snippet file is changed, into a comment.
                assert shown_line in (line, f"# {line}  (defined in a cell above)"), name
            if cell.outputs:
                assert notebook.output_text(cell) == snippet.stored_output(), name
                shown.add(snippet.name)
    outputs = {i.stem for i in content.includes(page) if i.suffix == "out"}
    directives = {n: content.Snippet(ROOT / "snippets" / f"{n}.py").directives() for n in outputs}
    script_only = {name for name in outputs if directives[name].script_only}
    elsewhere = {name for name in outputs if directives[name].backend != backend} - script_only
    assert shown == outputs - script_only - elsewhere
    prose = "\n".join(c.source for c in committed.cells if c.cell_type == "markdown")
    for name in script_only:  # shown in Markdown, with the output it stored
        stored = content.Snippet(ROOT / "snippets" / f"{name}.py").stored_output()
        assert f"`python snippets/{name}.py`" in prose and stored.strip() in prose, name
    for name in elsewhere:  # shown with the output it stored, naming the notebook that runs it
        runs_it = notebook.notebook_path(page, backend=directives[name].backend).name
        stored = content.Snippet(ROOT / "snippets" / f"{name}.py").stored_output()
        assert f"`{runs_it}`" in prose and stored.strip() in prose, name


def test_notebook_cells_match_stored_outputs_in_a_kernel(page, backend, committed, executed):
    code = [i for i, c in enumerate(committed.cells) if c.cell_type == "code"]
    assert sorted(executed) == code
    name = notebook.notebook_path(page, backend=backend).name
    origins = notebook.line_origins(page)
    cells = {executed[i].cell_file: origins.get(committed.cells[i].id, []) for i in code}
    problems = [check_cell(committed, i, executed[i], name, cells) for i in code]
    problems = [p for p in problems if p]
    assert not problems, (
        "\n\n".join(problems) + "\n\n" + KERNEL_HINT.format(page=page.relative_to(ROOT))
    )


# What to do when a cell differs in the kernel but its snippet passes as a script.
KERNEL_HINT = (
    "The notebook runs {page}'s code blocks one after another in one kernel, with the stored "
    "outputs of the scripts: a snippet whose check passes but whose cell differs depends on "
    "being a script (its own process, __file__, sys.argv, what an earlier cell left behind). "
    "Make it independent of that, or mark it `# snippet: script-only` if it must run as a file."
)


# Bad input: each check must be able to fail, and name the cell.


@pytest.mark.machinery
def test_a_changed_snippet_makes_the_notebook_stale_naming_the_cell(tmp_path):
    root = copy_repository(tmp_path / "repo")
    snippet = root / "snippets" / "tensor_state_eager.py"
    snippet.write_text(
        snippet.read_text(encoding="utf-8").replace("after two calls:", "after 2 calls:"),
        encoding="utf-8",
    )
    message = notebook.stale(
        NOTEBOOK.read_text(encoding="utf-8"),
        notebook.dumps(notebook.build(root / "docs" / PAGE.name, root)),
        NOTEBOOK.name,
    )
    assert message and "(code: tensor_state_eager.py:demo) is stale" in message, message
    assert re.search(r'^\+ +"print\(\\"after 2 calls:', message, re.M), message


@pytest.mark.machinery
def test_an_import_without_an_earlier_definition_is_refused(tmp_path):
    root = copy_repository(tmp_path / "repo")
    page = root / "docs" / PAGE.name
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace('--8<-- "tensor_state_layer.py:layer"', "", 1), encoding="utf-8")
    with pytest.raises(notebook.NotebookError) as error:
        notebook.build(page, root)
    assert re.match(
        r"docs/tensor-vs-variable\.md:\d+: tensor_state_eager\.py:demo imports TensorStateTotal "
        r"from tensor_state_layer\.py, but no earlier code block",
        str(error.value),
    ), error.value


@pytest.mark.machinery
def test_an_included_file_that_is_not_utf8_is_named(tmp_path):
    root = copy_repository(tmp_path / "repo")
    out = root / "snippets" / "tensor_state_eager.out"
    out.write_bytes(out.read_bytes() + b"\xff\n")
    with pytest.raises(notebook.NotebookError) as error:
        notebook.build(root / "docs" / PAGE.name, root)
    assert "snippets/tensor_state_eager.out is not UTF-8 (byte " in str(error.value)


@pytest.mark.machinery
def test_a_script_only_snippet_is_shown_with_its_output_not_run(tmp_path):
    root = copy_repository(tmp_path / "repo")
    write_snippet(
        root,
        "starts_workers",
        '# snippet: script-only\n# --8<-- [start:demo]\nprint("```")\n# --8<-- [end:demo]\n',
        "```\n",
    )
    page = root / "docs" / "workers.md"
    page.write_text(
        '# Workers\n\n```{.python notest}\n--8<-- "starts_workers.py:demo"\n```\n\n'
        '```text\n--8<-- "starts_workers.out"\n```\n',
        encoding="utf-8",
    )
    nb = notebook.build(page, root)
    assert [c.cell_type for c in nb.cells] == ["markdown", "markdown"]
    shown = nb.cells[1].source
    assert "`python snippets/starts_workers.py`" in shown
    assert '````python\nprint("```")\n````' in shown
    assert "It printed:\n\n````text\n```\n````" in shown


@pytest.mark.machinery
def test_the_exception_is_split_off_where_it_starts_not_at_a_line_like_it(tmp_path):
    root = copy_repository(tmp_path / "repo")
    code = (
        "# snippet: raises=ValueError\n# --8<-- [start:demo]\n"
        "try:\n    raise ValueError('caught')\nexcept ValueError as error:\n"
        "    print(f'ValueError: {error}')\nraise ValueError('real')\n# --8<-- [end:demo]\n"
    )
    write_snippet(root, "caught_then_raised", code, "ValueError: caught\nValueError: real\n")
    page = root / "docs" / "caught.md"
    page.write_text(
        '# Caught\n\n```{.python notest}\n--8<-- "caught_then_raised.py:demo"\n```\n\n'
        '```text\n--8<-- "caught_then_raised.out"\n```\n',
        encoding="utf-8",
    )
    [cell] = [c for c in notebook.build(page, root).cells if c.cell_type == "code"]
    stream, error = cell.outputs
    assert stream.text == "ValueError: caught\n"
    assert (error.ename, error.evalue, error.traceback) == (
        "ValueError",
        "real",
        ["ValueError: real"],
    )


@pytest.mark.machinery
def test_wrong_outputs_and_exceptions_in_a_kernel_are_reported_naming_the_cell(tmp_path):
    nb = tiny_notebook(
        ('print("a value")\n', "another value\n", False),
        ('raise ValueError("boom")\n', "ValueError: boom\n", True),
        ('{}["key"]\n', "ValueError: boom\n", True),
        ("1 / 0\n", "", False),
        ('print("fine")\n', "fine\n", False),
    )
    runs = execute(nb, tmp_path, timeout=lambda cell: 60)
    messages = [check_cell(nb, i, runs[i]) for i in range(len(nb.cells))]
    assert "cell 0 (code: tiny.py:demo): output differs" in messages[0]
    assert "-another value\n+a value" in messages[0]
    assert messages[1] is None  # the recorded exception, raised as recorded
    assert "-ValueError: boom\n+KeyError: 'key'" in messages[2]
    assert "cell 3 (code: tiny.py:demo) raised, but is not tagged raises-exception" in messages[3]
    assert messages[4] is None


@pytest.mark.machinery
def test_a_hanging_cell_is_killed_and_reported(tmp_path):
    nb = tiny_notebook(("import time\ntime.sleep(600)\n", "", False))
    start = time.monotonic()
    runs = execute(nb, tmp_path, timeout=lambda cell: 3)
    assert time.monotonic() - start < 60
    message = check_cell(nb, 0, runs[0])
    assert message and "cell 0 (code: tiny.py:demo) timed out after 3 s and was killed" in message


# Raises inside tf.function, so TensorFlow's message lists the frames where the failing op was
# defined, and warns: both name lines of the file, which a kernel names by its own cells.
RAISES_IN_A_GRAPH = """\
\"\"\"A total that refuses a negative input inside tf.function: its error lists frames.\"\"\"

# snippet: raises=InvalidArgumentError
# --8<-- [start:layer]
import warnings

import tensorflow as tf


class PositiveTotal(tf.Module):
    @tf.function
    def __call__(self, x):
        tf.debugging.assert_positive(x, message="inputs must be positive")
        return tf.reduce_sum(x)


# --8<-- [end:layer]

if __name__ == "__main__":
    # --8<-- [start:check]
    total = PositiveTotal()
    warnings.warn("about to check")
    print(total(tf.constant([1.0])).numpy())
    total(tf.constant([-1.0]))
    # --8<-- [end:check]
"""


@pytest.mark.machinery
def test_frames_and_warnings_in_a_kernel_read_as_a_script_prints_them(tmp_path):
    root = copy_repository(tmp_path / "repo")
    snippet = content.Snippet(write_snippet(root, "frames_in_graphs", RAISES_IN_A_GRAPH))
    [result] = runner.run_all([snippet], new_processes=True, cache=False)
    assert result.problem is None, result.problem
    # The stored output names lines of the file: the first call (the trace), the op in the layer.
    for frame in ("line 23, in <module>", "line 13, in __call__"):
        assert f'File "snippets/frames_in_graphs.py", {frame}' in result.output, result.output
    assert "snippets/frames_in_graphs.py:22: UserWarning: about to check" in result.output
    snippet.store_output(result.output)
    page = root / "docs" / "frames.md"
    page.write_text(
        "# Frames\n\n"
        '```{.python notest}\n--8<-- "frames_in_graphs.py:layer"\n```\n\n'
        '```{.python notest}\n--8<-- "frames_in_graphs.py:check"\n```\n\n'
        '```text\n--8<-- "frames_in_graphs.out"\n```\n',
        encoding="utf-8",
    )
    nb = notebook.build(page, root)
    runs = execute(nb, tmp_path, timeout=lambda cell: 120)
    origins = notebook.line_origins(page, root)
    cells = {runs[i].cell_file: origins[nb.cells[i].id] for i in runs}

    assert [check_cell(nb, i, runs[i], cells=cells) for i in sorted(runs)] == [None, None]
    # As the kernel prints them, the frames are its own: its cells, and its machinery above them.
    message = check_cell(nb, max(runs), runs[max(runs)])
    assert message and "ipykernel" in message, message


def tiny_notebook(*cells):
    """Cells of (source, stored output, raises); the stored output as a stream, for the check."""
    nb_cells = []
    for index, (source, stored, raises) in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source, id=f"tiny-{index}")
        cell.metadata["snippet"] = "tiny.py:demo"
        if raises:
            cell.metadata["tags"] = [notebook.RAISES_TAG]
        if stored:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
        nb_cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=nb_cells)
    nb.metadata = {"kernelspec": notebook.KERNELSPEC}
    return nb


# The published site: the notebook page, its download and its Colab link.


@pytest.mark.parametrize(
    "page", ["tensor-vs-variable/index.html", "notebook/tensor-vs-variable/index.html"]
)
def test_site_pages_offer_download_and_colab(site, page):
    built = site / page
    found = links(built.read_text(encoding="utf-8"))
    download = found.get("Download notebook")
    assert download, f"{page}: no 'Download notebook' link"
    target = (built.parent / download).resolve()
    assert target.read_bytes() == NOTEBOOK.read_bytes(), f"{page}: {download} is not the notebook"
    repo = project.repository(project.site_config())
    assert found.get("Open in Colab") == (
        f"https://colab.research.google.com/github/{repo.owner}/{repo.name}/blob/{repo.branch}/"
        f"{NOTEBOOK.relative_to(ROOT).as_posix()}"
    )


def test_site_renders_the_notebook_with_code_and_outputs(site):
    built = (site / "notebook" / "tensor-vs-variable" / "index.html").read_text(encoding="utf-8")
    plain = html_text(built)
    for needle in [
        "class TensorStateTotal(keras.layers.Layer):",
        "after two calls: tf.Tensor([12.], shape=(1,), dtype=float32)",
        "'tensorflow.python.framework.ops.EagerTensor' object has no attribute 'assign'",
    ]:
        assert needle in plain
