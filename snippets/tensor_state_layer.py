"""The layer from the bug report: its running total is a tensor, rebound in call().

Run alone, it repeats the reporter's check: one call with the integer input [[1, 2, 3]].
"""
# snippet: raises=InvalidArgumentError

# --8<-- [start:layer]
import keras
import tensorflow as tf


class TensorStateTotal(keras.layers.Layer):
    """Meant to keep a running total of every value it has seen."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = tf.zeros([1])

    def call(self, inputs):
        self.total = self.total + tf.reduce_sum(inputs)
        return inputs


# --8<-- [end:layer]


if __name__ == "__main__":
    # --8<-- [start:check]
    layer = TensorStateTotal(name="running_total")
    layer(tf.constant([[1, 2, 3]]))
    print(layer.total)
    # --8<-- [end:check]
