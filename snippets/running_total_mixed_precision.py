"""Mixed precision: where a total counts wrong when its layer computes in float16 or bfloat16.

Under a mixed policy a layer computes in float16 (or bfloat16) and keeps its variables in
float32. Each variant, under each policy, gets two kinds of input (backend_neutral_settings.py):
- small steps: 10,000 calls, each adding 0.25 (right total 2,500), here in one loop that
  tf.function traces;
- large batches: one batch of 3,001 ones, and on a new layer one batch of 70,000 ones (right
  totals 3,001 and 70,000). float16 tops out at 65,504 and has no 3,001; bfloat16 has neither.
"""

# --8<-- [start:demo]
import keras
import numpy as np
import tensorflow as tf
from backend_neutral_layers import ExactTotal, WeightTotal
from backend_neutral_settings import mixed_precision, state_set_in_call, total_of
from running_total_variants import VARIANTS

for kind, stop in (("float16", 512.0), ("bfloat16", 64.0)):
    step = float(tf.constant(stop, kind) + tf.constant(0.25, kind))
    big = [float(tf.constant(n, kind)) for n in (3001.0, 70000.0)]
    print(f"in {kind}: {stop} + 0.25 = {step}; 3001 and 70000 become {big[0]} and {big[1]}")


def quarter_steps_in_a_tf_function(layer):
    """10,000 calls that each add 0.25, in one loop that tf.function traces."""
    # Each layer gets a function of its own, traced once, and TensorFlow warns about that
    # retracing; keep its log to errors, so only what the snippet prints is shown.
    tf.get_logger().setLevel("ERROR")

    @tf.function
    def loop():
        quarter = tf.fill((1, 1), 0.25)
        for _ in tf.range(10_000):
            layer(quarter)

    loop()


mixed_precision(VARIANTS, quarter_steps_in_a_tf_function)
# --8<-- [end:demo]


# --8<-- [start:dtypes]
class ShowsDtypes:
    """Mixed into a variant: prints the dtypes call() sees, then counts as the variant does."""

    def call(self, inputs):
        print(f"  in call(): inputs {inputs.dtype.name}, total {self.total.dtype}")
        return super().call(inputs)


keras.mixed_precision.set_dtype_policy("mixed_float16")
for variant in (WeightTotal, ExactTotal):
    layer = type(variant.__name__, (ShowsDtypes, variant), {})(name="running_total")
    print(f"{variant.__name__}: computes in {layer.compute_dtype}, stores the total as", end=" ")
    print(layer.total.value.dtype.name)
    layer(np.ones((1, 1), dtype="float32"))

# The fix between two Dense layers: only its own layer computes in float32.
model = keras.Sequential(
    [keras.Input((3,)), keras.layers.Dense(3), ExactTotal(), keras.layers.Dense(1)]
)
print("in a model, each layer computes in", [layer.compute_dtype for layer in model.layers])

# After a float16 layer, the fix counts values that layer has already rounded: 3001 is 3000.
layer = ExactTotal(name="running_total")
passes_through = keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)
model = keras.Sequential([keras.Input((1,)), passes_through, layer])
model.predict(np.array([[3001.0]], dtype="float32"), verbose=0)
print("3001 through a float16 Dense layer, then the fix: total", total_of(layer))
keras.mixed_precision.set_dtype_policy("float32")

# A total set inside call(), read there and afterwards.
state_set_in_call([WeightTotal, ExactTotal])
# --8<-- [end:dtypes]
