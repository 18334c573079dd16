"""The production fix: a non-trainable weight created with add_weight, updated with assign_add."""

# --8<-- [start:layer]
import keras
import tensorflow as tf


class WeightStateTotal(keras.layers.Layer):
    """Keeps its running total in a non-trainable weight that Keras tracks and saves."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(name="total", shape=(), initializer="zeros", trainable=False)

    def call(self, inputs):
        self.total.assign_add(tf.reduce_sum(inputs))
        return inputs


# --8<-- [end:layer]


if __name__ == "__main__":
    # --8<-- [start:check]
    layer = WeightStateTotal(name="running_total")
    layer(tf.constant([[1.0, 2.0, 3.0]]))
    print(layer.total.numpy())
    # --8<-- [end:check]
