"""Under JAX, two devices: keras.distribution.DataParallel over two CPU devices of one host.

Each step gives device 0 the row [1, 2, 3] and device 1 the row [4, 5, 6], so each step adds 21:
predict, two epochs of fit and evaluate make 84. Then, from zero, predict_on_batch,
train_on_batch and test_on_batch each get the two rows once: 63. Last, what a batch of three
rows does, where A's jax.Ref lives, and the tensor-state layer.
"""
# snippet: backend=jax
# It must ask for two host devices before JAX starts, at its first op; a notebook kernel that
# has run other JAX cells has started it with one device.
# snippet: script-only

# --8<-- [start:demo]
import os

# Two CPU devices: JAX reads this when it starts, at the first op.
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"

import keras  # noqa: E402
import numpy as np  # noqa: E402
from backend_neutral_layers import ExactTotal, TensorStateTotal  # noqa: E402
from backend_neutral_settings import error_line, fails, holds, new_model, total_of  # noqa: E402
from running_total_settings_jax import JAX_VARIANTS  # noqa: E402

devices = keras.distribution.list_devices()
keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
print("devices:", devices)
x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float32")
y = np.zeros((2, 1), dtype="float32")

for label, variant in JAX_VARIANTS.items():
    try:
        layer = variant(name="running_total")
        model = new_model(layer)
        model.compile(optimizer="sgd", loss="mse")
        model.predict(x, batch_size=2, verbose=0)
        model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
        model.evaluate(x, y, batch_size=2, verbose=0)
        holds("two replicas", label, total_of(layer), 84.0)
    except Exception as error:
        fails("two replicas", label, error)
    try:  # Keras' methods for one batch, on a new layer
        layer = variant(name="running_total")
        model = new_model(layer)
        model.compile(optimizer="sgd", loss="mse")
        model.predict_on_batch(x)
        model.train_on_batch(x, y)
        model.test_on_batch(x, y)
        holds("two replicas, on-batch methods", label, total_of(layer), 63.0)
    except Exception as error:
        fails("two replicas, on-batch methods", label, error)
print("F's total is laid out as", layer.total.value.sharding)

print("A's jax.Ref is laid out as", JAX_VARIANTS["A jax.Ref"](name="running_total").total.sharding)

# A batch of three rows: predict, in a model with no running total at all, then
# predict_on_batch, with F.
try:
    new_model(keras.layers.Identity()).predict(np.ones((3, 3), dtype="float32"), verbose=0)
except Exception as error:
    print("three rows, predict: raises", error_line(error))
layer = ExactTotal(name="running_total")
new_model(layer).predict_on_batch(np.ones((3, 3), dtype="float32"))
print("three rows, predict_on_batch: F's total", total_of(layer), "(expected 9.0)")
try:
    model = keras.Sequential([keras.Input((3,)), TensorStateTotal(name="running_total")])
    model.predict(x, batch_size=2, verbose=0)
except Exception as error:
    print("the tensor-state layer: raises", error_line(error))
# --8<-- [end:demo]
