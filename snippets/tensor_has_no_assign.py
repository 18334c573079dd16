"""A tensor is an immutable value: it has no assign method."""
# snippet: raises=AttributeError

# --8<-- [start:demo]
import tensorflow as tf

total = tf.zeros([1])
total.assign([6.0])
# --8<-- [end:demo]
