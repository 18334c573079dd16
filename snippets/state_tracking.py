"""What Keras sees of each layer's state: weights, non_trainable_weights and get_weights()."""

# --8<-- [start:demo]
import tensorflow as tf
from variable_state_layer import VariableStateTotal
from weight_state_layer import WeightStateTotal

x = tf.constant([[1.0, 2.0, 3.0]])
for layer in [VariableStateTotal(name="bare_variable"), WeightStateTotal(name="add_weight")]:
    layer(x)
    print(f"{layer.name}:")
    print("  weights:              ", layer.weights)
    print("  non_trainable_weights:", layer.non_trainable_weights)
    print("  get_weights():        ", layer.get_weights())
# --8<-- [end:demo]
