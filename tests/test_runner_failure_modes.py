"""Inputs that people who run documentation examples report going wrong, fed through the runner.

Each snippet below runs forked from the server and in a new process, with PYTHONUNBUFFERED set
and unset (CI runs without it), and every way must give the same, right result.
"""

import shutil

import pytest
from support import write_snippet

from tools import content, runner, snippets

# Toy snippets in a folder of their own: independent of the pages and snippets.
pytestmark = pytest.mark.machinery

OPEN_FILES = """\
import gc
a = open("a.txt", "w")
gc.collect()
b = open("b.txt", "w")
a.write("a line\\n")
a.close()
b.close()
print("a.txt:", open("a.txt").read().strip(), "| b.txt:", open("b.txt").read().strip())
"""

BELOW_PYTHON = """\
import ctypes
import subprocess
libc = ctypes.CDLL(None)
print("from Python")
libc.printf(b"from C\\n")
subprocess.Popen(["sh", "-c", "sleep 1; echo from a subprocess that ends later"])
libc.printf(b"from C, no newline at the end")
"""

ORDER = """\
import os
print("first")
os.system("echo second")
print("third")
"""

TOY = {
    "open_files": OPEN_FILES,
    "below_python": BELOW_PYTHON,
    "order": ORDER,
    "uses_chatty": "import chatty\nprint('chatty says', chatty.WORD)\n",
    "quiet": "print('no banner here')\n",
    "interrupted": (
        "# snippet: raises=KeyboardInterrupt\nprint(1)\nraise KeyboardInterrupt('stop')\n"
    ),
    "carriage_return": "print('a\\rb')\nprint('tab\\there')\n",
    "bits_of_a_float": (
        "import struct\nprint(hex(struct.unpack('<I', struct.pack('<f', 0.1))[0]))\n"
    ),
    "where_am_i": "import os, pathlib\nprint(os.getcwd(), repr(pathlib.Path.cwd()))\n",
    "caught_then_raised": (
        "# snippet: raises=ValueError\n"
        "try:\n    raise ValueError('caught')\nexcept ValueError as error:\n"
        "    print(f'ValueError: {error}')\nraise ValueError('real')\n"
    ),
    "warns": "import warnings\nprint('before')\nwarnings.warn('careful')\nprint('after')\n",
}

EXPECTED = {
    "open_files": "a.txt: a line | b.txt: \n",
    "below_python": (
        "from Python\nfrom C\nfrom C, no newline at the endfrom a subprocess that ends later\n"
    ),
    "order": "first\nsecond\nthird\n",
    "uses_chatty": "chatty: imported\nchatty says hello\n",
    "quiet": "no banner here\n",
    "interrupted": "1\nKeyboardInterrupt: stop\n",
    "carriage_return": "a\rb\ntab\there\n",
    "bits_of_a_float": "0x3dcccccd\n",
    "where_am_i": ". PosixPath('.')\n",
    "caught_then_raised": "ValueError: caught\nValueError: real\n",
    "warns": (
        "before\nsnippets/warns.py:3: UserWarning: careful\n  warnings.warn('careful')\nafter\n"
    ),
}


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    project = tmp_path_factory.mktemp("failure_modes")
    for name, code in TOY.items():
        write_snippet(project, name, code, EXPECTED[name])
    # A library of the project's that prints a banner when it is imported, on PYTHONPATH.
    library = project / "lib"
    library.mkdir()
    (library / "chatty.py").write_text("print('chatty: imported')\nWORD = 'hello'\n")
    return project


@pytest.fixture(scope="module", params=["buffered", "unbuffered"])
def runs(request, toy):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", str(toy / "lib"))
        if request.param == "unbuffered":
            patch.setenv("PYTHONUNBUFFERED", "1")
        else:
            patch.delenv("PYTHONUNBUFFERED", raising=False)
        found = content.snippets(toy)
        yield {
            mode: {r.snippet.name: r for r in runner.run_all(found, new_processes=new, cache=False)}
            for mode, new in (("forked", False), ("new process", True))
        }


@pytest.mark.parametrize("name", TOY)
def test_every_way_of_running_gives_the_right_output(runs, name):
    for mode, results in runs.items():
        result = results[name]
        assert result.failure is None, (mode, result.failure)
        assert result.output == EXPECTED[name], mode


def test_a_line_like_the_exception_before_it_does_not_move_the_split():
    printed, exception = content.split_output(EXPECTED["caught_then_raised"], "ValueError")
    assert (printed, exception) == ("ValueError: caught\n", "ValueError: real\n")


def test_an_output_that_cannot_be_split_is_refused(toy):
    path = write_snippet(
        toy,
        "ambiguous",
        "# snippet: raises=ValueError\nraise ValueError('first\\nValueError: second')\n",
        "",
    )
    try:
        snippet = content.Snippet(path)
        for new in (False, True):
            [result] = runner.run_all([snippet], new_processes=new, cache=False)
            assert "its stored output could not be split" in result.problem, new
    finally:
        path.unlink()


def test_system_exit_cannot_be_declared(toy):
    path = write_snippet(toy, "exits", "# snippet: raises=SystemExit\nraise SystemExit(2)\n", "")
    try:
        with pytest.raises(content.ContentError, match="raises=SystemExit: sys.exit"):
            content.Snippet(path).directives()
    finally:
        path.unlink()


def test_a_carriage_return_is_stored_and_checked_byte_for_byte(toy, tmp_path, capsys):
    project = tmp_path / "p"
    write_snippet(project, "carriage_return", TOY["carriage_return"])
    assert snippets.main(["refresh", "carriage_return", "--root", str(project)]) == 0
    stored = project / "snippets" / "carriage_return.out"
    assert stored.read_bytes() == EXPECTED["carriage_return"].encode()
    assert snippets.main(["check", "--no-cache", "--root", str(project)]) == 0
    stored.write_bytes(b"a\nb\ntab\there\n")  # what a newline translation would have made
    assert snippets.main(["check", "--no-cache", "--root", str(project)]) == 1
    assert "-a\n-b\n+a␍b\n" in capsys.readouterr().err


def test_a_changed_value_is_never_normalised_away(toy, tmp_path):
    project = tmp_path / "p"
    write_snippet(project, "bits_of_a_float", TOY["bits_of_a_float"], "0x3dcccccc\n")
    [result] = runner.run_all(content.snippets(project), cache=False)
    assert "-0x3dcccccc\n+0x3dcccccd" in result.failure


def test_the_project_path_is_the_same_from_any_folder(toy, tmp_path):
    elsewhere = tmp_path / "another" / "checkout"
    shutil.copytree(toy / "snippets", elsewhere / "snippets")
    snippet = content.Snippet(elsewhere / "snippets" / "where_am_i.py")
    [result] = runner.run_all([snippet], cache=False)
    assert result.failure is None, result.failure


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--fresh-processes", "quiet"],
        ["check", "quiet", "--no-cache", "--fresh-processes"],
        ["check", "--no-cache", "quiet", "order"],
    ],
)
def test_options_go_anywhere_on_the_command_line(toy, argv, capsys):
    assert snippets.main([*argv, "--root", str(toy)]) == 0
    assert "ok snippets/quiet.py" in capsys.readouterr().out


TENSORFLOW = {
    # tf.print writes to stderr by default; a terminal shows both streams in the order written.
    "tf_print": (
        "import sys\nimport tensorflow as tf\nprint('before')\ntf.print('tf.print, stderr')\n"
        "tf.print('tf.print, stdout', output_stream=sys.stdout)\nprint('after')\n"
    ),
    # Keras' one-line-per-epoch progress (verbose=2): the timings are normalised, nothing else.
    "fit_progress": (
        "import keras, numpy as np\nkeras.utils.set_random_seed(1)\n"
        "model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\n"
        "model.compile('sgd', 'mse')\nx = np.ones((4, 2), 'float32')\n"
        "model.fit(x, x[:, :1], epochs=2, batch_size=2, verbose=2)\n"
    ),
}


@pytest.fixture(scope="module")
def tensorflow_runs(tmp_path_factory):
    project = tmp_path_factory.mktemp("tensorflow_failure_modes")
    for name, code in TENSORFLOW.items():
        write_snippet(project, name, code)
    found = content.snippets(project)
    return [
        {r.snippet.name: r for r in runner.run_all(found, new_processes=new, cache=False)}
        for new in (False, True, False)
    ]


def test_tf_print_is_shown_in_the_order_it_was_written(tensorflow_runs):
    for results in tensorflow_runs:
        result = results["tf_print"]
        assert result.problem is None, result.problem
        assert result.output == "before\ntf.print, stderr\ntf.print, stdout\nafter\n"


def test_keras_progress_lines_keep_their_values_and_lose_their_timings(tensorflow_runs):
    outputs = {results["fit_progress"].output for results in tensorflow_runs}
    assert len(outputs) == 1, outputs
    [output] = outputs
    lines = output.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2", output
    assert lines[1].startswith("2/2 - …s - …/step - loss: "), output
    assert "\r" not in output and "\b" not in output
