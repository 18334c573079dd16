"""In eager mode, with float input, the tensor-state layer seems to work."""

# --8<-- [start:demo]
import tensorflow as tf
from tensor_state_layer import TensorStateTotal

layer = TensorStateTotal(name="running_total")
x = tf.constant([[1.0, 2.0, 3.0]])

layer(x)
print("after one call: ", layer.total)
layer(x)
print("after two calls:", layer.total)
# --8<-- [end:demo]
