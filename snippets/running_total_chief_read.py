"""Two workers: a total read on the chief alone waits for the other worker, which never reads.

Run alone, it starts two MultiWorkerMirroredStrategy workers on 127.0.0.1 (ports chosen now),
each with the fix's layer. Worker 0, the chief, feeds the row [1, 2, 3] and worker 1 the row
[4, 5, 6] to two predicts, so the total is 42. A read of an on_read total sums the workers'
copies: a collective operation every worker must join. The strategy here gives up on a
collective after 5 seconds, so the read the chief makes alone fails instead of waiting for ever.
"""
# snippet: script-only
# snippet: timeout=300

# --8<-- [start:demo]
import json
import os
import socket
import subprocess
import sys
import time

TIMEOUT = 200  # seconds the chief may take before both workers are killed as hung


def worker():
    """One worker: reads the total on every worker, then on the chief alone."""
    import keras
    import numpy as np
    import tensorflow as tf
    from backend_neutral_layers import ExactTotal

    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=5)
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    is_chief = strategy.cluster_resolver.task_id == 0
    rows = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float32")

    def own_row(context):  # worker i feeds row i
        i = context.input_pipeline_id
        return tf.data.Dataset.from_tensor_slices(rows[i : i + 1]).batch(1)

    with strategy.scope():
        layer = ExactTotal(name="running_total")
        model = keras.Sequential([keras.Input((3,)), layer])
    for _ in range(2):
        model.predict(strategy.distribute_datasets_from_function(own_row), verbose=0)

    # Every worker reads; only the chief logs what it read.
    total = float(layer.total.numpy())
    if is_chief:
        print(f"read on every worker, logged by the chief: {total}", flush=True)

    # The chief alone reads, as logging code often does; worker 1 goes on with other work.
    if is_chief:
        try:
            print(f"read on the chief alone: {float(layer.total.numpy())}")
        except tf.errors.DeadlineExceededError as error:
            print(
                f"read on the chief alone: {type(error).__name__}: {error.message.split('}} ')[-1]}"
            )
    else:
        time.sleep(TIMEOUT)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    """Starts both workers, prints what the chief printed, then ends worker 1."""
    cluster = {"worker": [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]}
    chief, other = (
        subprocess.Popen(
            [sys.executable, __file__, "worker"],
            env=dict(
                os.environ,
                TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}),
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    )
    try:
        out, err = chief.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        chief.kill()
        raise RuntimeError(f"worker 0, the chief, hung: killed after {TIMEOUT} s") from None
    finally:
        other.kill()  # still at its other work, or hung
        other.wait()
    if chief.returncode:
        raise RuntimeError(f"worker 0 exited with {chief.returncode}:\n{err[-2000:]}")
    print(out, end="")


if __name__ == "__main__":
    worker() if sys.argv[1:] == ["worker"] else main()
# --8<-- [end:demo]
