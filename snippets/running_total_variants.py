"""Seven ways to keep a layer's running total under TensorFlow, imported by the snippets that
compare them: B to F, which run on every backend, from backend_neutral_layers.py, and A and G,
which use a tf.Variable's own methods.

Run alone, it calls the fix, ExactTotal, on [[1, 2, 3]].
"""

# --8<-- [start:layers]
import tensorflow as tf
from backend_neutral_layers import VARIANTS_B_TO_F, ExactTotal, RunningTotal
from keras import ops


class VariableTotal(RunningTotal):
    """A: a bare tf.Variable attribute."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = tf.Variable(0.0, trainable=False)


# --8<-- [start:atomic]
class AtomicAddTotal(ExactTotal):
    """G: as F, but call() adds with the tf.Variable's own assign_add, a single operation."""

    def call(self, inputs):
        self.total.value.assign_add(ops.sum(ops.cast(inputs, "float32")))
        return inputs


# --8<-- [end:atomic]
VARIANTS = {
    "A tf.Variable": VariableTotal,
    **VARIANTS_B_TO_F,
    "G float32 layer + tf.Variable.assign_add": AtomicAddTotal,
}
# --8<-- [end:layers]


if __name__ == "__main__":
    # --8<-- [start:check]
    layer = ExactTotal(name="running_total")
    layer(tf.constant([[1.0, 2.0, 3.0]]))
    print(layer.total.numpy())
    # --8<-- [end:check]
