"""Integer input [[1, 2, 3]]: Keras variables cast the int32 sum; a bare tf.Variable raises."""

# --8<-- [start:demo]
import tensorflow as tf
from running_total_variants import VARIANTS, fails, holds

ints = tf.constant([[1, 2, 3]])  # int32
for label, variant in VARIANTS.items():
    try:
        layer = variant(name="running_total")
        layer(ints)
        holds("integer input", label, float(layer.total.numpy()), 6.0)
    except (TypeError, ValueError) as error:
        fails("integer input", label, error)
# --8<-- [end:demo]
