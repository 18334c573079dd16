"""A variable is updated in place with assign, assign_add and assign_sub, eagerly and in a graph."""

# --8<-- [start:demo]
import tensorflow as tf

v = tf.Variable(10.0)
v.assign(4.0)
print("assign(4.0):    ", v.numpy())
v.assign_add(2.5)
print("assign_add(2.5):", v.numpy())
v.assign_sub(1.5)
print("assign_sub(1.5):", v.numpy())


@tf.function
def update(v):
    v.assign(4.0)
    v.assign_add(2.5)
    v.assign_sub(1.5)


v = tf.Variable(10.0)
update(v)
print("the same three in tf.function:", v.numpy())
# --8<-- [end:demo]
