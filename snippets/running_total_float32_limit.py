"""Where float32 stops: the fix's total past 2**24, and a fraction float32 cannot hold exactly.

float32 holds every whole number up to 2**24 = 16,777,216 and only even ones from there to
2**25, so 16,777,216 + 1 rounds back to 16,777,216. It holds 0.1 only approximately, so a total
of many 0.1s drifts from the true sum.
"""

# --8<-- [start:demo]
import numpy as np
import tensorflow as tf
from backend_neutral_layers import ExactTotal

layer = ExactTotal(name="running_total")
layer.total.assign(2.0**24)
for _ in range(4):
    layer(np.ones((1, 1), dtype="float32"))
print(f"2**24, then four ones: total {layer.total.numpy():.0f}, expected {2**24 + 4}")

layer = ExactTotal(name="running_total")


@tf.function
def add_a_tenth_10_000_times():
    tenth = tf.fill((1, 1), 0.1)
    for _ in tf.range(10_000):
        layer(tenth)


add_a_tenth_10_000_times()
print(f"0.1, 10,000 times: total {layer.total.numpy()}, expected 1000")
# --8<-- [end:demo]
