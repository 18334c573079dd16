"""A variable is updated in place with assign, assign_add and assign_sub."""

# --8<-- [start:demo]
import tensorflow as tf

v = tf.Variable(10.0)
v.assign(4.0)
print("assign(4.0):    ", v.numpy())
v.assign_add(2.5)
print("assign_add(2.5):", v.numpy())
v.assign_sub(1.5)
print("assign_sub(1.5):", v.numpy())
# --8<-- [end:demo]
