"""Where float32 stops: the fix's total, started at 2**24 = 16,777,216, and four more ones.

float32 holds every whole number up to 2**24 and only even ones from there to 2**25, so
16,777,216 + 1 rounds back to 16,777,216.
"""

# --8<-- [start:demo]
import numpy as np
from running_total_variants import ExactTotal

layer = ExactTotal(name="running_total")
layer.total.assign(2.0**24)
for _ in range(4):
    layer(np.ones((1, 1), dtype="float32"))
print(f"total {layer.total.numpy():.0f}, expected {2**24 + 4}")
# --8<-- [end:demo]
