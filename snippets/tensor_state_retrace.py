"""Python in call() runs once per trace: a call with a new input shape traces again, and the
new trace adds to the graph tensor the first trace left in the attribute.
"""

# --8<-- [start:demo]
import tensorflow as tf
from tensor_state_layer import TensorStateTotal

layer = TensorStateTotal(name="running_total")


@tf.function
def forward(inputs):
    return layer(inputs)


one_row = tf.constant([[1.0, 2.0, 3.0]])
forward(one_row)
forward(one_row)
print("traces after two calls with shape (1, 3):", forward.experimental_get_tracing_count())
print("self.total:", layer.total)
print("made by an op of type:", layer.total.op.type)
try:
    forward(tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))  # shape (2, 3): a second trace
except TypeError as error:
    # The message goes on to list where the tensor was made, which differs between a script
    # and a notebook; its first line says what went wrong.
    print(f"shape (2, 3): {type(error).__name__}: {str(error).splitlines()[0]}")
# --8<-- [end:demo]
