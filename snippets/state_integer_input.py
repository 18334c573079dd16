"""Integer input: the add_weight layer accepts it, the bare tf.Variable layer raises."""
# snippet: raises=ValueError

# --8<-- [start:demo]
import tensorflow as tf
from variable_state_layer import VariableStateTotal
from weight_state_layer import WeightStateTotal

ints = tf.constant([[1, 2, 3]])

layer = WeightStateTotal(name="add_weight")
layer(ints)
print("add_weight:", layer.total.numpy())

layer = VariableStateTotal(name="bare_variable")
layer(ints)
print("bare_variable:", layer.total.numpy())
# --8<-- [end:demo]
