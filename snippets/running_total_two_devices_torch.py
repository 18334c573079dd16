"""Under PyTorch, two devices: what keras.distribution offers, run.

Keras' distribution API (list_devices, DataParallel) is asked for two CPU devices, and a layer
prints the batch its call() gets from predict on two rows.
"""
# snippet: backend=torch

# --8<-- [start:demo]
import keras
import numpy as np
from backend_neutral_layers import Wrapped
from backend_neutral_settings import error_line, not_offered
from running_total_settings_torch import TORCH_VARIANTS

for name, ask in {
    "list_devices()": keras.distribution.list_devices,
    "DataParallel()": keras.distribution.DataParallel,
}.items():
    try:
        print(f"keras.distribution.{name}:", ask())
    except Exception as error:
        print(f"keras.distribution.{name}: raises {error_line(error)}")

distribution = keras.distribution.DataParallel(devices=["cpu:0", "cpu:1"])
print("keras.distribution.DataParallel(devices=['cpu:0', 'cpu:1']):", distribution)
keras.distribution.set_distribution(distribution)


class ShowsBatch(keras.layers.Layer):
    """Passes its input through, printing what it gets."""

    def call(self, inputs):
        print(f"  call() gets a batch of shape {tuple(inputs.shape)} on {inputs.device}")
        return inputs


print("predict on two rows, with that distribution set:")
Wrapped(ShowsBatch()).predict(np.ones((2, 3), dtype="float32"), batch_size=2, verbose=0)
keras.distribution.set_distribution(None)

for label in TORCH_VARIANTS:
    for setting in ("two replicas", "two replicas, on-batch methods"):
        not_offered(setting, label, "keras.distribution offers none on PyTorch (above)")
# --8<-- [end:demo]
