"""Both fixed layers keep counting under tf.function and across repeated predict() calls."""

# --8<-- [start:demo]
import keras
import tensorflow as tf
from variable_state_layer import VariableStateTotal
from weight_state_layer import WeightStateTotal

x = tf.constant([[1.0, 2.0, 3.0]])
for make in [VariableStateTotal, WeightStateTotal]:
    layer = make(name="running_total")
    forward = tf.function(layer)
    forward(x)
    forward(x)
    print(f"{make.__name__}, tf.function twice:", layer.total.numpy())

    layer = make(name="running_total")
    model = keras.Sequential([keras.Input(shape=(3,)), layer])
    model.predict(x, verbose=0)
    model.predict(x, verbose=0)
    print(f"{make.__name__}, predict twice:    ", layer.total.numpy())
# --8<-- [end:demo]
