"""Under JAX, training: fit trains a keras.Variable that a layer holds, and not a jax.Array.

Each scale layer multiplies its input by a learned scale that starts at 1.0; the targets are
three times the inputs, so training should move the scale towards 3 and the loss down from 4.0.
"""
# snippet: backend=jax

# --8<-- [start:demo]
import tempfile

import keras
from backend_neutral_settings import WeightScale, trained_and_saved
from keras import ops


class ArrayScale(keras.layers.Layer):
    """The scale in a jax.Array attribute."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = ops.ones(())

    def call(self, inputs):
        return inputs * self.scale

    def set_scale(self, value):
        self.scale = ops.convert_to_tensor(value)


trained_and_saved([ArrayScale, WeightScale], tempfile.mkdtemp())
# --8<-- [end:demo]
