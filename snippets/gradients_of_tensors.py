"""GradientTape ignores a constant unless told to watch it."""

# --8<-- [start:demo]
import tensorflow as tf

x = tf.constant(3.0)

with tf.GradientTape() as tape:
    y = x * x
print("constant, not watched:", tape.gradient(y, x))

with tf.GradientTape() as tape:
    tape.watch(x)
    y = x * x
print("constant, watched:    ", tape.gradient(y, x))
# --8<-- [end:demo]
