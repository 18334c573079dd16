"""Under PyTorch, training: fit trains a keras.Variable that a layer holds, and not a
torch.nn.Parameter, although PyTorch registers the parameter with the layer.

Each scale layer multiplies its input by a learned scale that starts at 1.0; the targets are
three times the inputs, so training should move the scale towards 3 and the loss down from 4.0.
"""
# snippet: backend=torch

# --8<-- [start:demo]
import tempfile

import keras
import torch
from backend_neutral_settings import WeightScale, trained_and_saved


class ParameterScale(keras.layers.Layer):
    """The scale in a torch.nn.Parameter attribute."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = torch.nn.Parameter(torch.ones(()))

    def call(self, inputs):
        return inputs * self.scale

    def set_scale(self, value):
        with torch.no_grad():
            self.scale.fill_(value)


print("PyTorch's own parameters of the layer:", [n for n, _ in ParameterScale().named_parameters()])
trained_and_saved([ParameterScale, WeightScale], tempfile.mkdtemp())
# --8<-- [end:demo]
