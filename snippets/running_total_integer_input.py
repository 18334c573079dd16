"""Integer input: int32 [[1, 2, 3]], uint8 pixels [[200, 100]] and int32 [[2**30] * 3].

Keras casts only floating-point inputs to a layer's dtype, so an integer batch reaches call() as
it is. A sum taken in its own integer type wraps around: 200 + 100 in uint8 is 44.
"""

# --8<-- [start:demo]
import tensorflow as tf
from running_total_variants import VARIANTS, fails, holds

batches = [
    tf.constant([[1, 2, 3]]),  # int32: 6
    tf.constant([[200, 100]], dtype=tf.uint8),  # 300, more than uint8 holds
    tf.constant([[2**30] * 3]),  # int32: 3,221,225,472, more than int32 holds
]
expected = (6.0, 300.0, 3221225472.0)
print("in uint8, 200 + 100 =", tf.reduce_sum(batches[1]).numpy())
for label, variant in VARIANTS.items():
    try:
        totals = []
        for batch in batches:
            layer = variant(name="running_total")
            layer(batch)
            totals.append(float(layer.total.numpy()))
        holds("integer input", label, tuple(totals), expected)
    except (TypeError, ValueError) as error:
        fails("integer input", label, error)
# --8<-- [end:demo]
