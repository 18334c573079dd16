"""Two replicas on one machine: the CPU split into two logical devices, and a MirroredStrategy.

Every snippet of the running-totals page that uses replicas calls two_replicas(). Run alone, it
prints the devices the strategy mirrors over.
"""

# --8<-- [start:devices]
import functools

import tensorflow as tf


@functools.cache
def two_replicas():
    """A MirroredStrategy over two logical CPU devices made from the first physical CPU.

    One per process: the first call splits the CPU, unless that is already done, and makes the
    strategy; later calls return the same strategy. The split must come before TensorFlow runs
    its first op: raises RuntimeError when ops have already run on an unsplit CPU.
    """
    cpu = tf.config.list_physical_devices("CPU")[0]
    if tf.config.get_logical_device_configuration(cpu) is None:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2
        )
    # In a notebook, TensorFlow's log lines (which devices the strategy uses, warnings about
    # retracing as a loop builds model after model) print among the outputs; keep them out.
    tf.get_logger().setLevel("ERROR")
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


# --8<-- [end:devices]


if __name__ == "__main__":
    # --8<-- [start:check]
    strategy = two_replicas()
    print("replicas in sync:", strategy.num_replicas_in_sync)
    print("devices:", strategy.extended.worker_devices)
    # --8<-- [end:check]
