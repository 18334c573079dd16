"""Inside a Keras model, building the model already leaves a symbolic tensor in the layer."""
# snippet: raises=TypeError

# --8<-- [start:demo]
import keras
import tensorflow as tf
from tensor_state_layer import TensorStateTotal

layer = TensorStateTotal(name="running_total")
model = keras.Sequential([keras.Input(shape=(3,)), layer])
print("after building the model:", layer.total)

model(tf.constant([[1.0, 2.0, 3.0]]))
# --8<-- [end:demo]
