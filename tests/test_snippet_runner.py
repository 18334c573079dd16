"""The runner, fed deliberately broken snippets in a temporary project folder.

These snippets need no TensorFlow, so the machinery is tested quickly and on its own.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import site_packages, write_snippet

from tools import backends, content, runner, snippets
from tools.project import ROOT

# Toy snippets in a folder of their own: independent of the pages and snippets.
pytestmark = pytest.mark.machinery


@pytest.fixture
def project(tmp_path):
    (tmp_path / "snippets").mkdir()
    return tmp_path


def check(path):
    snippet = content.Snippet(path)
    return runner.compare(runner.run_in_new_process(snippet, snippet.directives()))


def test_matching_output_passes(project):
    path = write_snippet(project, "greet", "print('hello')\n", "hello\n")
    assert check(path) is None


def test_changed_output_fails_with_a_diff_naming_the_snippet_and_versions(project):
    path = write_snippet(project, "greet", "print('hi')\nprint('hello')\n", "hi\nhellO\n")
    message = check(path)
    assert "snippets/greet.py: output differs" in message
    assert "first at snippets/greet.out:2." in message
    assert "store it with `.venv/bin/python -m tools.snippets refresh greet`" in message
    assert "-hellO\n+hello" in message
    assert "TensorFlow" in message and "Keras" in message


def test_a_section_marker_problem_is_named_by_check_and_refresh_runs_nothing(project, capsys):
    code = "# --8<-- [start:demo]\nprint(1)\n# --8<-- [end:demo]\n# --8<-- [start:more]\nprint(2)\n"
    write_snippet(project, "unclosed", code, "stale\n")
    out = project / "snippets" / "unclosed.out"

    assert snippets.main(["check", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert (
        "FAIL snippets/unclosed.py:4: section 'more' never ends; add `# --8<-- [end:more]` under "
        "its last line"
    ) in err

    # With the output it prints stored, a check still fails, says no "ok", and caches no pass.
    out.write_text("1\n2\n")
    for _ in range(2):
        assert snippets.main(["check", "--root", str(project)]) == 1
        printed = capsys.readouterr()
        assert "ok snippets/unclosed.py" not in printed.out
        assert "snippets/unclosed.py:4: section 'more' never ends" in printed.err
    out.write_text("stale\n")

    assert snippets.main(["refresh", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "snippets/unclosed.py:4: section 'more' never ends" in err
    assert "FAIL nothing was run or written" in err
    assert out.read_text() == "stale\n"
    assert not (project / "snippets" / content.RECORD_FILE).exists()


def test_hanging_snippet_is_killed_after_its_timeout(project):
    path = write_snippet(
        project, "hangs", "# snippet: timeout=1\nimport time\ntime.sleep(60)\n", ""
    )
    message = check(path)
    assert message.startswith("snippets/hangs.py timed out after 1 s and was killed")


MODES = pytest.mark.parametrize("new_processes", [False, True], ids=["forked", "new-process"])


@MODES
def test_a_run_that_floods_its_output_is_killed_at_the_limit(project, new_processes):
    code = "# snippet: timeout=60\nwhile True:\n    print('x' * 1000)\n"
    write_snippet(project, "flood", code, "")
    write_snippet(project, "good", "print(1)\n", "1\n")
    started = time.monotonic()
    flood, good = runner.run_all(
        content.snippets(project), new_processes=new_processes, cache=False
    )
    assert time.monotonic() - started < 20  # not the 60 s of its timeout
    assert flood.problem == "wrote more than 1,000,000 bytes of output and was killed"
    assert len(flood.output) == 1_000_000 and set(flood.output) <= {"x", "\n"}
    assert good.passed


@MODES
@pytest.mark.timeout(60)
def test_a_tiny_timeout_still_kills_the_snippet_and_says_so(project, new_processes):
    # The deadline can pass before a forked child has made its own process group.
    timeouts = ["1e-06"] * 4 + ["0.05"]
    for number, timeout in enumerate(timeouts):
        write_snippet(
            project, f"loop_{number}", f"# snippet: timeout={timeout}\nwhile True: pass\n"
        )
    started = time.monotonic()
    results = runner.run_all(content.snippets(project), new_processes=new_processes, cache=False)
    assert time.monotonic() - started < 20
    for timeout, result in zip(timeouts, results, strict=True):
        assert result.problem == f"timed out after {float(timeout):g} s and was killed"


@MODES
def test_a_snippet_that_ended_before_its_deadline_is_not_timed_out(project, new_processes):
    # The snippet holds up the process that runs it (the server, or this one) past its deadline:
    # its end is still to be read then.
    code = """\
        # snippet: timeout=1
        import os, signal, subprocess
        subprocess.Popen(
            ["sh", "-c", f"sleep 3; kill -CONT {os.getppid()}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        os.kill(os.getppid(), signal.SIGSTOP)
        print("ran to its end")
    """
    write_snippet(project, "held_up", code, "ran to its end\n")
    [result] = runner.run_all(content.snippets(project), new_processes=new_processes, cache=False)
    assert (result.problem, result.failure) == (None, None)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("mode", [[], ["--fresh-processes"]], ids=["forked", "new-process"])
def test_an_interrupt_stops_the_check_and_every_snippet_process(project, mode, signum):
    code = """\
        # snippet: timeout=100
        import os
        with open("pid.txt", "w") as f:
            f.write(str(os.getpid()))
        while True:
            pass
    """
    write_snippet(project, "loops", code, "")
    command = [
        sys.executable,
        "-m",
        "tools.snippets",
        "check",
        "--no-cache",
        "--root",
        str(project),
    ]
    check = subprocess.Popen(
        command + mode,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # As in a terminal, SIGINT is not ignored, even when pytest runs as a background job
        # (a shell starts those with SIGINT ignored, which a new Python then keeps).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    pid_file = project / "pid.txt"
    while not pid_file.exists() or not pid_file.read_text():
        assert check.poll() is None, check.stderr.read()
        time.sleep(0.05)
    snippet = int(pid_file.read_text())
    os.killpg(check.pid, signum)  # as a terminal's Ctrl-C does, to the whole process group
    try:
        try:
            _, errors = check.communicate(timeout=10)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(check.pid, signal.SIGKILL)
        assert (check.returncode, errors) == (
            128 + signum,
            f"interrupted by {signum.name}: every snippet still running was killed\n",
        )
        deadline = time.monotonic() + 5
        while Path(f"/proc/{snippet}").exists() and "Z" not in stat(snippet):
            assert time.monotonic() < deadline, f"the snippet's process {snippet} still runs"
            time.sleep(0.05)
    finally:
        # A failed run must not leave the endless loop behind (it runs in a group of its own).
        with contextlib.suppress(ProcessLookupError):
            os.kill(snippet, signal.SIGKILL)


def stat(pid):
    """The state letter of a process, as /proc shows it (Z: ended, not yet waited for)."""
    with contextlib.suppress(FileNotFoundError):
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    return "gone"


def test_interpreter_crash_is_reported_with_its_signal(project):
    path = write_snippet(project, "segfault", "import ctypes\nctypes.string_at(0)\n", "")
    message = check(path)
    assert "snippets/segfault.py crashed: killed by SIGSEGV (exit status -11)" in message


def test_hard_exit_is_reported_with_its_status(project):
    path = write_snippet(project, "exits", "import os\nos._exit(3)\n", "")
    assert "snippets/exits.py exited with status 3" in check(path)


def test_unexpected_exception_shows_its_traceback(project):
    path = write_snippet(project, "oops", "def f():\n    return 1 / 0\nf()\n", "")
    message = check(path)
    assert "snippets/oops.py raised an exception it is not marked to raise" in message
    assert 'File "snippets/oops.py", line 2, in f' in message
    assert "ZeroDivisionError: division by zero" in message


def test_expected_exception_passes_when_recorded(project):
    code = "# snippet: raises=KeyError\nprint('before')\n{}['missing']\n"
    path = write_snippet(project, "lookup", code, "before\nKeyError: 'missing'\n")
    assert check(path) is None


def test_expected_exception_with_another_message_fails(project):
    code = "# snippet: raises=KeyError\n{}['other']\n"
    path = write_snippet(project, "lookup", code, "KeyError: 'missing'\n")
    message = check(path)
    assert "-KeyError: 'missing'\n+KeyError: 'other'" in message


def test_wrong_exception_class_fails(project):
    path = write_snippet(project, "wrong", "# snippet: raises=KeyError\n[][1]\n", "")
    message = check(path)
    assert "snippets/wrong.py was expected to raise KeyError but raised" in message
    assert "IndexError: list index out of range" in message


def test_expected_exception_that_does_not_happen_fails(project):
    path = write_snippet(project, "fine", "# snippet: raises=KeyError\nprint(1)\n", "1\n")
    assert "expected to raise KeyError but finished without an exception" in check(path)


def test_snippet_without_stored_output_is_named(project):
    path = write_snippet(project, "new", "print(1)\n")
    assert "snippets/new.py: no stored output snippets/new.out" in check(path)


def test_stored_output_without_snippet_is_named(project):
    (project / "snippets" / "gone.out").write_text("1\n")
    assert content.orphans(project) == [
        "snippets/gone.out: stored output without a snippet (expected snippets/gone.py)"
    ]


def test_a_stored_output_in_a_folder_under_snippets_is_named(project):
    write_snippet(project, "sub/inner", "print(1)\n", "1\n")
    assert content.orphans(project) == [
        "snippets/sub/inner.out: stored output in a folder under snippets/, where nothing is "
        "checked; a snippet and its output go at the top of snippets/"
    ]


def test_unknown_directive_is_named(project):
    path = write_snippet(project, "typo", "# snippet: raise=KeyError\n", "")
    with pytest.raises(content.ContentError, match=r"typo\.py:1: unknown snippet directive"):
        content.Snippet(path).directives()


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        (
            "# snippet: timeout 300",
            "'timeout': timeout needs a value right after '=', no spaces, as in "
            "'# snippet: timeout=300'",
        ),
        (
            "# snippet: raises=",
            "'raises=': raises needs a value right after '=', no spaces, as in "
            "'# snippet: raises=TypeError'",
        ),
        (
            "# snippet: raises = KeyError",
            "'raises': raises needs a value right after '=', no spaces, as in "
            "'# snippet: raises=TypeError'",
        ),
        ("# Snippet: raises=KeyError", "'# Snippet: raises=KeyError' looks like a directive"),
        ("# snippets: raises=KeyError", "'# snippets: raises=KeyError' looks like a directive"),
        ("# snippet : fresh-process", "'# snippet : fresh-process' looks like a directive"),
    ],
)
def test_a_directive_written_wrong_is_refused_saying_how_to_write_it(project, comment, message):
    path = write_snippet(project, "typo", f"print(1)\n{comment}\n", "1\n")
    with pytest.raises(content.ContentError) as refused:
        content.Snippet(path).directives()
    assert str(refused.value).startswith("snippets/typo.py:2: ")
    assert message in str(refused.value)


def test_a_directive_given_twice_is_refused_naming_both_lines(project):
    code = "# snippet: raises=KeyError\nprint(1)\n# snippet: raises=ValueError\n"
    path = write_snippet(project, "twice", code, "1\n")
    with pytest.raises(content.ContentError) as refused:
        content.Snippet(path).directives()
    assert str(refused.value) == (
        "snippets/twice.py:3: raises is given twice (also on line 1); keep one"
    )


def test_a_directive_inside_a_shown_section_is_a_problem_of_the_sections(project):
    code = """\
        # --8<-- [start:demo]
        # snippet: timeout=5
        print(1)
        # --8<-- [end:demo]
        """
    path = write_snippet(project, "shown", code, "1\n")
    snippet = content.Snippet(path)
    assert snippet.directives().timeout == 5  # still a directive for the runner
    _, problems = snippet.sections()
    assert problems == [
        "snippets/shown.py:2: a '# snippet:' directive inside section 'demo' would be shown on "
        "the page; move it outside the sections"
    ]


def test_help_lists_every_directive_the_parser_reads(capsys):
    with pytest.raises(SystemExit):
        snippets.main(["--help"])
    shown = capsys.readouterr().out
    for key, (example, _) in content.OPTIONS.items():
        assert f"# snippet: {key}={example} " in shown
    for flag in content.FLAGS:
        assert f"# snippet: {flag} " in shown


@MODES
def test_a_timeout_must_be_a_finite_number_of_seconds_above_zero(project, new_processes):
    bad = ["inf", "1e400", "nan", "0", "-1", "86401", "soon"]
    for number, value in enumerate(bad):
        write_snippet(project, f"bad_{number}", f"# snippet: timeout={value}\nprint(1)\n", "1\n")
    write_snippet(project, "good", "# snippet: timeout=0.5e1\nprint(1)\n", "1\n")
    results = runner.run_all(content.snippets(project), new_processes=new_processes, cache=False)
    *failed, good = results
    for number, (value, result) in enumerate(zip(bad, failed, strict=True)):
        assert result.failure == (
            f"snippets/bad_{number}.py:1: timeout={value}: expected a number of seconds above 0 "
            "and at most 86400 (a day)"
        )
    assert good.failure is None and good.snippet.directives().timeout == 5


def test_a_directive_in_a_string_is_not_a_directive(project):
    path = write_snippet(project, "quoted", 'print("# snippet: raise=KeyError")\n', "")
    assert content.Snippet(path).directives() == content.Directives()


def test_normalising_drops_what_differs_between_runs_and_keeps_every_value(project, tmp_path):
    linked = tmp_path / "linked"
    linked.symlink_to(project)
    text = (
        "\x1b[1mbold\x1b[0m <object at 0x7f3a2b4c5d60> <__main__.A object at 0x7F3A2B4C5D60> "
        "<function f.<locals>.g at 0x7f2450f9f6a0> "
        "FuncGraph(name=forward, id=140159670414912) "
        f'File "{project}/snippets/a.py" cwd {project} {linked}/b.txt {linked} file://{project}/x '
        f"{project}2/other "
        'File "/opt/venv/lib/python3.11/site-packages/keras/x.py"\n'
        "2/2 - 0s - 82ms/step - loss: 0.4212\n"
        # Values, and control characters: never changed.
        "0x3dcccccd 0x10 id=140159670414912 hex(id(x)) 0x7f3a2b4c5d60 2/2 - 0s \x1b[?25l a\rb\b\n"
    )
    # The project as given (through a link) and as the operating system resolves it.
    assert runner.normalise(text, linked) == (
        "bold <object at 0x…> <__main__.A object at 0x…> <function f.<locals>.g at 0x…> "
        "FuncGraph(name=forward, id=<id>) "
        'File "snippets/a.py" cwd . b.txt . file:x '
        f"{project}2/other "
        'File "<site-packages>/keras/x.py"\n'
        "2/2 - …s - …/step - loss: 0.4212\n"
        "0x3dcccccd 0x10 id=140159670414912 hex(id(x)) 0x7f3a2b4c5d60 2/2 - 0s \x1b[?25l a\rb\b\n"
    )


def test_paths_into_site_packages_are_normalised_from_where_they_start():
    text = (
        'File "/opt/venv/lib/python3.11/site-packages/keras/x.py", line 1\n'
        "(C:\\Python311\\Lib\\site-packages\\numpy\\core.py) <frozen /usr/lib/dist-packages/a.py>\n"
        "'/a/site-packages/b/dist-packages/c.py' x=/usr/site-packages/y "
        "site-packages/no /site-packages\n"
    )
    assert runner.normalise(text) == (
        'File "<site-packages>/keras/x.py", line 1\n'
        "(<site-packages>/numpy\\core.py) <frozen <site-packages>/a.py>\n"
        "'<site-packages>/c.py' <site-packages>/y site-packages/no /site-packages\n"
    )


@pytest.mark.parametrize(
    "line",
    [
        "x" * 1_000_000,
        "a/" * 500_000,
        "x" * 1_000_000 + "/site-packages",
        "FuncGraph(name=" * 60_000,
    ],
    ids=["letters", "slashes", "path-at-the-end", "graphs"],
)
def test_normalising_a_long_line_takes_linear_time(line):
    started = time.perf_counter()
    runner.normalise(line + "\n")
    assert time.perf_counter() - started < 0.5


@MODES
def test_a_stored_output_that_is_not_utf8_is_named_and_refresh_rewrites_it(project, new_processes):
    out = write_snippet(project, "a_bad", "print('hi')\n", "hi\n").with_suffix(".out")
    out.write_bytes(b"hi\n\xff\xfe")
    write_snippet(project, "b_good", "print(1)\n", "1\n")
    bad, good = runner.run_all(content.snippets(project), new_processes=new_processes, cache=False)
    assert bad.failure.startswith("snippets/a_bad.out:2: not UTF-8 (byte 0xff)")
    assert good.failure is None
    assert snippets.main(["refresh", "a_bad", "--root", str(project)]) == 0
    assert out.read_bytes() == b"hi\n"


def test_a_snippet_name_python_cannot_import_is_refused(project):
    for name in ("zz.dot", "zz space", "9lives", "class"):
        write_snippet(project, name, "print(1)\n", "1\n")
    write_snippet(project, "good", "print(1)\n", "1\n")
    results = {r.snippet.name: r for r in runner.run_all(content.snippets(project), cache=False)}
    assert results.pop("good").passed
    for name, result in results.items():
        assert result.problem == (
            f"snippets/{name}.py: {name!r} is not a name Python can import; name a snippet with "
            "letters, digits and _ (not a keyword), as `python -m` and imports need"
        )


def test_a_stored_output_that_is_a_folder_is_named_by_check_and_refresh(project, capsys):
    write_snippet(project, "a_folder", "print('hi')\n")
    (project / "snippets" / "a_folder.out").mkdir()
    write_snippet(project, "b_good", "print(1)\n", "1\n")
    for command in ("check", "refresh"):
        assert snippets.main([command, "--no-cache", "--root", str(project)]) == 1
        err = capsys.readouterr().err
        assert "snippets/a_folder.out: cannot be " in err and "Is a directory" in err, err
    assert (project / "snippets" / "b_good.out").read_text() == "1\n"


LATIN_1 = {
    "undeclared": b"# caf\xe9\nprint(1)\n",
    "declared": b"# -*- coding: latin-1 -*-\n# snippet: raises=KeyError\n# caf\xe9\nprint(1)\n",
}


@MODES
@pytest.mark.parametrize("code", LATIN_1.values(), ids=list(LATIN_1))
def test_a_snippet_that_is_not_utf8_is_named_and_the_others_still_work(
    project, code, new_processes
):
    latin = project / "snippets" / "a_latin.py"
    latin.write_bytes(code)
    section = "# --8<-- [start:all]\nprint(1)\n# --8<-- [end:all]\n"
    good = write_snippet(project, "b_good", section, "2\n")
    snippet = content.Snippet(latin)
    for read in (snippet.directives, snippet.sections, lambda: snippet.section_text("all")):
        with pytest.raises(content.ContentError, match=r"^snippets/a_latin\.py:\d: not UTF-8"):
            read()
    bad, _ = runner.run_all(content.snippets(project), new_processes=new_processes, cache=False)
    assert bad.failure.startswith("snippets/a_latin.py:") and "not UTF-8 (byte 0xe9)" in bad.failure
    assert snippets.main(["refresh", "b_good", "--root", str(project)]) == 0
    assert good.with_suffix(".out").read_text() == "1\n"


def test_one_failure_does_not_stop_the_others(project):
    write_snippet(project, "a_crash", "import os\nos._exit(1)\n", "")
    write_snippet(project, "b_typo", "# snippet: nonsense\n", "")
    write_snippet(project, "c_good", "print('still checked')\n", "still checked\n")
    results = {r.snippet.name: r for r in runner.run_all(content.snippets(project))}
    assert results["c_good"].failure is None
    assert "unknown snippet directive" in results["b_typo"].failure
    assert "exited with status 1" in results["a_crash"].failure


def test_refresh_restores_an_edited_output_and_check_then_passes(project, capsys):
    for name in ("variable_updates_in_place.py", "variable_updates_in_place.out"):
        shutil.copy(ROOT / "snippets" / name, project / "snippets" / name)
    out = project / "snippets" / "variable_updates_in_place.out"
    original = out.read_text()
    out.write_text(original.replace("6.5", "6.6"))

    assert snippets.main(["check", "--root", str(project)]) == 1
    assert "-assign_add(2.5): 6.6\n+assign_add(2.5): 6.5" in capsys.readouterr().err

    assert snippets.main(["refresh", "--root", str(project)]) == 0
    assert out.read_text() == original
    assert snippets.main(["check", "--root", str(project)]) == 0


NATIVE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1795977222.541489   10939 port.cc:153] oneDNN custom operations are on.\n"
    "I0000 00:00:1795977222.591530   10939 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations.\n"
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow "
    "with the appropriate compiler flags.\n"
    "printed by the snippet\n"
    "2026-11-29 20:26:10.389730: I tensorflow/core/util/port.cc:153] oneDNN custom operations.\n"
    "2026-11-29 20:26:11.877192: W tensorflow/core/framework/local_rendezvous.cc:404] Local "
    "rendezvous is aborting with status: OUT_OF_RANGE: End of sequence\n"
    "\t [[{{node MultiDeviceIteratorGetNextFromShard}}]]\n"
    "E0000 00:00:1795980462.058780   29439 cuda_executor.cc:1309] failed call to cuInit\n"
    "=== Source Location Trace: === \n"
    "external/xla/xla/stream_executor/cuda/cuda_status.cc:50\n"
    "\n"
    "printed too, with [[{{node x}}]] and === Source Location Trace: === in it\n"
    "\n"
)


def test_tensorflows_native_log_records_are_dropped_and_nothing_else():
    from tools.runner.child.snippet_capture import without_native_logs

    assert without_native_logs(NATIVE) == (
        "printed by the snippet\n"
        "printed too, with [[{{node x}}]] and === Source Location Trace: === in it\n"
        "\n"
    )


@pytest.mark.parametrize("command", ["check", "refresh", "report"])
def test_a_root_without_snippets_is_named_not_passed(tmp_path, command):
    (tmp_path / "empty" / "snippets").mkdir(parents=True)
    roots = {"missing": "no such folder", "empty": "it has no *.py file"}
    for name, why in roots.items():
        root = (tmp_path / name).resolve()
        with pytest.raises(SystemExit) as stopped:
            snippets.main([command, "--root", str(root)])
        assert str(stopped.value) == (
            f"no snippets in {root / 'snippets'}: {why}; is --root the project folder?"
        )


def test_a_python_without_tensorflow_is_told_which_python_to_use(monkeypatch, tmp_path, capsys):
    write_snippet(tmp_path / "project", "needs_tf", "print(1)\n", "1\n")
    numpy_only = [Path(site_packages(tmp_path / "lib", "numpy-2.4.6"))]
    monkeypatch.setattr(backends, "site_packages_of", lambda python: numpy_only)
    assert snippets.main(["check", "--root", str(tmp_path / "project")]) == 1
    assert capsys.readouterr().err == (
        f"FAIL snippets/needs_tf.py: backend=tensorflow: TensorFlow is not installed for "
        f"{sys.executable}; run the project's .venv/bin/python, installed with: "
        "python3 -m uv sync --locked (or bash scripts/test)\n"
    )
