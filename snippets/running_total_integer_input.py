"""Integer input: int32 [[1, 2, 3]], uint8 pixels [[200, 100]] and int32 [[2**30] * 3].

Keras casts only floating-point inputs to a layer's dtype, so an integer batch reaches call() as
it is. A sum taken in a type too narrow for it wraps around.
"""

# --8<-- [start:demo]
import numpy as np
import tensorflow as tf
from backend_neutral_settings import integer_input
from running_total_variants import VARIANTS

# TensorFlow's own sum keeps uint8; the variants sum with keras.ops.sum (the lines below).
pixels = np.array([[200, 100]], dtype="uint8")
print("tf.reduce_sum of uint8 [[200, 100]]:", tf.reduce_sum(pixels).numpy())
integer_input(VARIANTS)
# --8<-- [end:demo]
