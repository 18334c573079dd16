"""Under tf.function the rebinding happens once, while tracing, and leaves a graph tensor behind."""

# --8<-- [start:demo]
import tensorflow as tf
from tensor_state_layer import TensorStateTotal

layer = TensorStateTotal(name="running_total")
x = tf.constant([[1.0, 2.0, 3.0]])


@tf.function
def forward(inputs):
    return layer(inputs)


forward(x)
print("after one call: ", layer.total)
forward(x)
print("after two calls:", layer.total)
# --8<-- [end:demo]
