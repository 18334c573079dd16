"""Mixed precision: where a total counts wrong when its layer computes in float16 or bfloat16.

Under a mixed policy a layer computes in float16 (or bfloat16) and keeps its variables in
float32. Each variant, under each policy, gets two kinds of input:
- small steps: 10,000 calls in one traced loop, each adding 0.25 (right total 2,500);
- large batches: one batch of 3,001 ones, and on a new layer one batch of 70,000 ones (right
  totals 3,001 and 70,000). float16 tops out at 65,504 and has no 3,001; bfloat16 has neither.
"""

# --8<-- [start:demo]
import keras
import numpy as np
import tensorflow as tf
from running_total_variants import VARIANTS, ExactTotal, WeightTotal, fails, holds

for kind, stop in (("float16", 512.0), ("bfloat16", 64.0)):
    step = float(tf.constant(stop, kind) + tf.constant(0.25, kind))
    big = [float(tf.constant(n, kind)) for n in (3001.0, 70000.0)]
    print(f"in {kind}: {stop} + 0.25 = {step}; 3001 and 70000 become {big[0]} and {big[1]}")


def small_steps(layer):
    """10,000 calls that each add 0.25, in one traced loop; returns the total."""
    # Each layer gets a function of its own, traced once, and TensorFlow warns about that
    # retracing; keep its log to errors, so only what the snippet prints is shown.
    tf.get_logger().setLevel("ERROR")

    @tf.function
    def loop():
        quarter = tf.fill((1, 1), 0.25)
        for _ in tf.range(10_000):
            layer(quarter)

    loop()
    return float(layer.total.numpy())


def large_batch(variant, rows):
    """A new layer of `variant` called once on `rows` ones; returns its total."""
    layer = variant(name="running_total")
    layer(np.ones((rows, 1), dtype="float32"))
    return float(layer.total.numpy())


for policy in ("mixed_float16", "mixed_bfloat16"):
    keras.mixed_precision.set_dtype_policy(policy)
    kind = policy.removeprefix("mixed_")
    for label, variant in VARIANTS.items():
        try:
            total = small_steps(variant(name="running_total"))
            holds(f"{kind} steps of 0.25", label, total, 2500.0)
        except (TypeError, ValueError) as error:
            fails(f"{kind} steps of 0.25", label, error)
        try:
            totals = (large_batch(variant, 3_001), large_batch(variant, 70_000))
            holds(f"{kind} large batches", label, totals, (3001.0, 70000.0))
        except (TypeError, ValueError) as error:
            fails(f"{kind} large batches", label, error)

keras.mixed_precision.set_dtype_policy("float32")  # the default again, for what runs next
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
print("3001 through a float16 Dense layer, then the fix: total", float(layer.total.numpy()))
keras.mixed_precision.set_dtype_policy("float32")
# --8<-- [end:dtypes]
