"""One device: every variant eagerly, in predict, fit and evaluate, and under tf.function.

The first two settings are backend_neutral_settings.py's, the same code the JAX and PyTorch runs
use; tf.function is TensorFlow's own.
"""

# --8<-- [start:demo]
import tensorflow as tf
from backend_neutral_settings import X, eager_and_compiled, holds, total_of
from running_total_variants import VARIANTS

# The loop builds model after model, and TensorFlow warns about the retracing that causes;
# keep its log to errors, so only what the snippet prints is shown.
tf.get_logger().setLevel("ERROR")

eager_and_compiled(VARIANTS)
for label, variant in VARIANTS.items():
    layer = variant(name="running_total")
    forward = tf.function(layer)
    forward(X)
    forward(X)
    holds("tf.function", label, total_of(layer), 12.0)
# --8<-- [end:demo]
