"""How each is made, and what type TensorFlow gives back."""

# --8<-- [start:demo]
import tensorflow as tf

c = tf.constant([1.0, 2.0])
z = tf.zeros([2])
v = tf.Variable([1.0, 2.0], name="weights")
print(type(c).__name__, type(z).__name__, type(v).__name__)
print(v)
print("v + 1 is a", type(v + 1).__name__)
# --8<-- [end:demo]
