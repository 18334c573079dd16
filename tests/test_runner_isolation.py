"""Snippets run in forked children of the snippet server behave as in fresh processes.

Each run of a whole set here is made with the cache off, so every snippet really runs.
"""

import random

import pytest
from support import write_snippet

from tools import content, runner

# Run twice under two names: the second must see none of what the first left behind.
LEAKY = """\
import builtins, os, random, sys
import keras
import numpy as np
import tensorflow as tf
from tensorflow.python.eager import context

print("leaks seen:", sorted(name for name, seen in {
    "global": "LEAKED" in globals(),
    "builtin": hasattr(builtins, "leaked"),
    "module attribute": hasattr(tf, "leaked"),
    "sys.modules": "leaked_module" in sys.modules,
    "environment": "LEAKED" in os.environ,
    "sys.path": "/leaked" in sys.path,
    "python seed": random.random() == random.Random(0).random(),
    "numpy seed": np.random.rand() == np.random.RandomState(0).rand(),
    "tensorflow seed": context.global_seed() is not None,
}.items() if seen))
print("first Dense layer:", keras.layers.Dense(1).name)
print("first variable:", tf.Variable(1.0).name)

@tf.function
def traced(x):
    return x + 1

traced(tf.constant(1))
print("traces:", traced.experimental_get_tracing_count())

LEAKED = 1
builtins.leaked = tf.leaked = 1
sys.modules["leaked_module"] = sys
os.environ["LEAKED"] = "1"
sys.path.append("/leaked")
keras.utils.set_random_seed(0)
"""

RANDOM = """\
import random
import keras
import numpy as np
import tensorflow as tf

print(random.random(), np.random.rand(), float(tf.random.uniform([])))
print(float(keras.random.uniform(())), np.random.default_rng().random())
"""

PROCESS_STATE = """\
import inspect, os, sys, threading, traceback

print(sorted(globals()), __name__, __file__, __doc__)
print(sys.argv, sys.path[0], os.getcwd(), sys.excepthook.__module__, sys.stdin.read())
print(threading.current_thread().name, threading.main_thread() is threading.current_thread())
print("".join(traceback.format_stack()), len(inspect.stack()))
"""

AT_EXIT = """\
import atexit, threading, time

class Noisy:
    def __del__(self):
        print("finalised at exit")

def late():
    time.sleep(0.5)
    print("thread joined before exit")

keep = Noisy()
atexit.register(print, "atexit handler ran")
threading.Thread(target=late).start()
print("main module done")
"""

TOY = {
    "leak_a": LEAKY,
    "leak_b": LEAKY,
    "random_a": RANDOM,
    "random_b": RANDOM,
    "process_state": PROCESS_STATE,
    "at_exit": AT_EXIT,
    "crash_segfault": "import ctypes\nprint('before', flush=True)\nctypes.string_at(0)\n",
    "crash_exit": "import os\nos._exit(3)\n",
    "sys_exit": "import sys\nprint('bye')\nsys.exit(4)\n",
    "sys_exit_text": "import sys\nsys.exit('stopping')\n",
    "hangs": "# snippet: timeout=2\nimport time\ntime.sleep(60)\n",
    "raises": "# snippet: raises=ZeroDivisionError\ndef f():\n    return 1 / 0\nprint(1)\nf()\n",
    "unexpected": "def f():\n    return {}['k']\nf()\n",
    "syntax": "print('never'\n",
    "good": "print('still checked')\n",
}


def outcome(result):
    return (result.output, result.problem)


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    project = tmp_path_factory.mktemp("toy")
    for name, code in TOY.items():
        write_snippet(project, name, code)
    return project


@pytest.fixture(scope="module")
def toy_runs(toy):
    found = content.snippets(toy)
    shuffled = random.Random(7).sample(found, len(found))
    return {
        # in_order: as listed, not the longest first
        order: runner.run_all(listed, cache=False, new_processes=order == "fresh", in_order=True)
        for order, listed in [
            ("forward", found),
            ("reverse", found[::-1]),
            ("shuffled", shuffled),
            ("fresh", found),
        ]
    }


def by_name(results):
    return {result.snippet.name: result for result in results}


@pytest.mark.machinery
def test_leaky_snippets_leak_nothing_into_each_other_in_any_order(toy_runs):
    for order, results in toy_runs.items():
        results = by_name(results)
        for name in ("leak_a", "leak_b"):
            assert results[name].problem is None, (order, results[name].stderr)
            assert results[name].output == (
                "leaks seen: []\nfirst Dense layer: dense\nfirst variable: Variable:0\ntraces: 1\n"
            ), (order, name)


@pytest.mark.machinery
def test_every_snippet_has_its_own_random_state(toy_runs):
    for order, results in toy_runs.items():
        results = by_name(results)
        a, b = results["random_a"], results["random_b"]
        assert a.problem is None and b.problem is None, (a.stderr, b.stderr)
        first, second = a.output.split(), b.output.split()
        assert len(first) == 5
        # Every generator differs: none was copied from a parent process.
        assert all(x != y for x, y in zip(first, second, strict=True)), order


@pytest.mark.machinery
def test_forked_children_match_fresh_processes_in_every_order(toy_runs):
    fresh = {name: outcome(r) for name, r in by_name(toy_runs["fresh"]).items()}
    for order in ("forward", "reverse", "shuffled"):
        forked = {name: outcome(r) for name, r in by_name(toy_runs[order]).items()}
        for name in TOY:
            if not name.startswith("random"):
                assert forked[name] == fresh[name], (order, name)


@pytest.mark.machinery
def test_process_state_is_that_of_python_running_the_file(toy_runs):
    output = by_name(toy_runs["forward"])["process_state"].output
    assert "__main__ snippets/process_state.py None" in output
    assert "['snippets/process_state.py'] snippets " in output
    assert "sitecustomize" in output and "MainThread True" in output
    # The snippet's own frame is the outermost one, as in `python snippets/x.py`.
    assert output.split("\n", 3)[3].startswith('  File "snippets/process_state.py", line 6')


@pytest.mark.machinery
def test_threads_atexit_and_finalisers_run_as_at_a_normal_exit(toy_runs):
    output = by_name(toy_runs["forward"])["at_exit"].output
    assert output == (
        "main module done\nthread joined before exit\natexit handler ran\nfinalised at exit\n"
    )


@pytest.mark.machinery
def test_crashes_timeouts_and_exits_are_reported_and_the_rest_still_pass(toy, toy_runs):
    results = by_name(toy_runs["forward"])
    assert results["crash_segfault"].problem == "crashed: killed by SIGSEGV (exit status -11)"
    assert results["crash_segfault"].output == "before\n"
    assert results["crash_exit"].problem == "exited with status 3 without raising an exception"
    assert results["sys_exit"].problem == "exited with status 4 without raising an exception"
    assert results["sys_exit_text"].problem == "exited with status 1 without raising an exception"
    assert results["sys_exit_text"].output == "stopping\n"
    assert results["hangs"].problem == "timed out after 2 s and was killed"
    assert results["raises"].problem is None
    assert results["raises"].output == "1\nZeroDivisionError: division by zero\n"
    assert 'File "snippets/unexpected.py", line 2, in f' in results["unexpected"].problem
    assert results["syntax"].output.endswith("SyntaxError: '(' was never closed\n")
    assert results["good"].output == "still checked\n" and results["good"].problem is None


@pytest.mark.machinery
def test_a_snippet_can_ask_for_a_fresh_process(toy):
    path = write_snippet(
        toy, "own_process", "# snippet: fresh-process\nimport sys\nprint(sys.argv)\n"
    )
    try:
        snippet = content.Snippet(path)
        assert snippet.directives().fresh_process
        [result] = runner.run_all([snippet], cache=False)
        assert result.output == "['snippets/own_process.py']\n"
    finally:
        path.unlink()


# The real snippets: same outputs forked as in fresh processes, whatever the order.


@pytest.fixture(scope="module")
def real_runs(checked_snippets, scope):
    # Every snippet, or with --page those of the pages checked (tests/support.py, Scope).
    found = [s for s in content.snippets() if scope is None or s.name in scope.snippets]
    shuffled = random.Random(11).sample(found, len(found))
    # The check of every snippet (tests/test_snippets.py) is the forward run, unless it took
    # results from the cache (never in CI) or did not run them all.
    forward = [checked_snippets[s.name] for s in found if s.name in checked_snippets]
    if len(forward) != len(found) or any(r.cached for r in forward):
        forward = runner.run_all(found, cache=False)
    runs = {
        "forward": forward,
        "reverse": runner.run_all(found[::-1], cache=False, in_order=True),
        "shuffled": runner.run_all(shuffled, cache=False, in_order=True),
        "fresh": runner.run_all(found, cache=False, new_processes=True),
    }
    return {order: by_name(results) for order, results in runs.items()}


def test_real_snippets_print_the_same_forked_in_any_order_as_in_fresh_processes(real_runs):
    fresh = {name: outcome(r) for name, r in real_runs["fresh"].items()}
    assert all(problem is None for _, problem in fresh.values()), fresh
    for order in ("forward", "reverse", "shuffled"):
        forked = {name: outcome(r) for name, r in real_runs[order].items()}
        assert forked == fresh, order
