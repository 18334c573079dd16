"""The first fix: keep the total in a tf.Variable and update it in place with assign_add."""

# --8<-- [start:layer]
import keras
import tensorflow as tf


class VariableStateTotal(keras.layers.Layer):
    """Keeps its running total in a tf.Variable attribute."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = tf.Variable(0.0, trainable=False)

    def call(self, inputs):
        self.total.assign_add(tf.reduce_sum(inputs))
        return inputs


# --8<-- [end:layer]


if __name__ == "__main__":
    # --8<-- [start:check]
    layer = VariableStateTotal(name="running_total")
    layer(tf.constant([[1.0, 2.0, 3.0]]))
    print(layer.total.numpy())
    # --8<-- [end:check]
