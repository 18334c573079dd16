"""In Keras 3, add_weight returns a keras.Variable: it holds a tf.Variable but is not one.

keras.Variable is also what to create directly for state that works on every Keras backend; a
layer tracks and saves one held in an attribute as it does a weight from add_weight.
"""

# --8<-- [start:demo]
import tempfile
from pathlib import Path

import keras
import tensorflow as tf


class Totals(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.from_add_weight = self.add_weight(shape=(), initializer="zeros", trainable=False)
        self.from_constructor = keras.Variable(0.0, trainable=False, name="from_constructor")

    def call(self, inputs):
        return inputs


layer = Totals(name="totals")
weight = layer.from_add_weight
print("type:", type(weight).__module__ + "." + type(weight).__qualname__)
print("isinstance(weight, keras.Variable):", isinstance(weight, keras.Variable))
print("isinstance(weight, tf.Variable):   ", isinstance(weight, tf.Variable))
print("type(weight.value):", type(weight.value).__name__)
print("tracked:", [w.path for w in layer.weights])

layer.from_constructor.assign(5.0)
path = Path(tempfile.mkdtemp()) / "model.keras"
keras.Sequential([keras.Input((1,)), layer]).save(path)
loaded = keras.models.load_model(path, custom_objects={"Totals": Totals}).layers[0]
print("from_constructor after .keras save and load:", loaded.from_constructor.numpy())
# --8<-- [end:demo]
