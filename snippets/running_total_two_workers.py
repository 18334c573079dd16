"""Two workers: MultiWorkerMirroredStrategy over two processes on 127.0.0.1.

Run alone, it starts both workers (a TF_CONFIG each, ports chosen now) and prints what each
reports. Worker 0 feeds the row [1, 2, 3] and worker 1 the row [4, 5, 6] to each predict, so
two predicts add 42 to the true total. Then each worker tries model.fit on a plain Dense model.
"""
# snippet: script-only
# snippet: timeout=300

# --8<-- [start:demo]
import json
import os
import socket
import subprocess
import sys

TIMEOUT = 200  # seconds a worker may take before both are killed as hung


def worker():
    """One worker: prints one JSON line per variant, then one for model.fit."""
    import keras
    import numpy as np
    import tensorflow as tf
    from backend_neutral_settings import error_line
    from running_total_variants import VARIANTS

    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG
    rows = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float32")

    def own_row(context):  # worker i feeds row i
        i = context.input_pipeline_id
        return tf.data.Dataset.from_tensor_slices(rows[i : i + 1]).batch(1)

    for label, variant in VARIANTS.items():
        try:
            with strategy.scope():
                layer = variant(name="running_total")
                model = keras.Sequential([keras.Input((3,)), layer])
            for _ in range(2):
                model.predict(strategy.distribute_datasets_from_function(own_row), verbose=0)
            print(json.dumps([label, float(layer.total.numpy())]), flush=True)
        except ValueError as error:  # the same on both workers: it comes before any collective
            print(json.dumps([label, f"raises {error_line(error)}"]), flush=True)

    with strategy.scope():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
    try:
        # Rows of ones: whichever row a worker is given, the error shows the same values.
        model.fit(np.ones((2, 3)), np.zeros((2, 1)), batch_size=2, verbose=0)
        print(json.dumps(["model.fit", "ran"]))
    except ValueError as error:
        print(json.dumps(["model.fit", f"{type(error).__name__}: {' '.join(str(error).split())}"]))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    """Starts both workers and prints, per variant, what each read and whether it is right."""
    cluster = {"worker": [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]}
    workers = []
    for index in range(2):
        config = {"cluster": cluster, "task": {"type": "worker", "index": index}}
        workers.append(
            subprocess.Popen(
                [sys.executable, __file__, "worker"],
                env=dict(os.environ, TF_CONFIG=json.dumps(config)),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    ended = []
    for index, process in enumerate(workers):
        try:
            ended.append(process.communicate(timeout=TIMEOUT))
        except subprocess.TimeoutExpired:
            for each in workers:
                each.kill()
            raise RuntimeError(f"worker {index} hung: killed after {TIMEOUT} s") from None
    for index, (w, (_, stderr)) in enumerate(zip(workers, ended, strict=True)):
        if w.returncode:
            raise RuntimeError(f"worker {index} exited with {w.returncode}:\n{stderr[-2000:]}")
    first, second = (dict(json.loads(line) for line in out.splitlines()) for out, _ in ended)
    fit = first.pop("model.fit"), second.pop("model.fit")
    for label, total in first.items():
        if isinstance(total, str):  # it raised
            print(f"{label}: worker 0 {total}")
            print(f"holds? two workers | {label} | NO | {total}")
            continue
        print(f"{label}: worker 0 reads {total}, worker 1 reads {second[label]}")
        right = "yes" if total == second[label] == 42.0 else "NO"
        print(
            f"holds? two workers | {label} | {right} | {total} and {second[label]}, expected 42.0"
        )
    for index, outcome in enumerate(fit):
        print(f"model.fit on worker {index}: {outcome}")


if __name__ == "__main__":
    worker() if sys.argv[1:] == ["worker"] else main()
# --8<-- [end:demo]
