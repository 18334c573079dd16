"""model.predict() runs call() inside a tf.function, and the leaked tensor breaks it."""
# snippet: raises=TypeError

# --8<-- [start:demo]
import keras
import tensorflow as tf
from tensor_state_layer import TensorStateTotal

model = keras.Sequential([keras.Input(shape=(3,)), TensorStateTotal(name="running_total")])
model.predict(tf.constant([[1.0, 2.0, 3.0]]), verbose=0)
# --8<-- [end:demo]
