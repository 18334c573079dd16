"""The tensor-state layer and the add_weight fix, written with keras.ops only: no backend named.

Run alone, it calls the fix twice on [[1, 2, 3]] under the backend Keras is set to (the
runner's default, TensorFlow), and prints the backend and the total.
"""

# --8<-- [start:layers]
import keras
from keras import ops


class TensorStateTotal(keras.layers.Layer):
    """The bug report's layer: its running total is a tensor, rebound in call()."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = ops.zeros(())

    def call(self, inputs):
        self.total = self.total + ops.sum(inputs)
        return inputs


class WeightTotal(keras.layers.Layer):
    """The fix: the total is a weight, updated in place."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(name="total", shape=(), initializer="zeros", trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs))
        return inputs


class Wrapped(keras.Model):
    """A model that only calls the layer it is given: predict() runs the layer as fit() would."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.running_total = layer

    def call(self, inputs):
        return self.running_total(inputs)


# --8<-- [end:layers]

if __name__ == "__main__":
    # --8<-- [start:check]
    layer = WeightTotal(name="running_total")
    x = ops.convert_to_tensor([[1.0, 2.0, 3.0]])
    layer(x)
    layer(x)
    print(keras.backend.backend(), layer.total)
    # --8<-- [end:check]
