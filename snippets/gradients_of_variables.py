"""GradientTape watches trainable variables by itself, and skips non-trainable ones."""

# --8<-- [start:demo]
import tensorflow as tf

weight = tf.Variable(3.0)
counter = tf.Variable(3.0, trainable=False)

with tf.GradientTape() as tape:
    y = weight * weight + counter * counter
grad_weight, grad_counter = tape.gradient(y, [weight, counter])
print("trainable variable:    ", grad_weight)
print("non-trainable variable:", grad_counter)
# --8<-- [end:demo]
