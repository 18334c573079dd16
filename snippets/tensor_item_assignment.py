"""A tensor refuses item assignment too."""
# snippet: raises=TypeError

# --8<-- [start:demo]
import tensorflow as tf

total = tf.zeros([3])
total[0] = 6.0
# --8<-- [end:demo]
