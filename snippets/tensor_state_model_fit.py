"""model.fit() traces call() again and trips over the same leaked tensor."""
# snippet: raises=TypeError

# --8<-- [start:demo]
import keras
import tensorflow as tf
from tensor_state_layer import TensorStateTotal

model = keras.Sequential([keras.Input(shape=(3,)), TensorStateTotal(name="running_total")])
model.compile(optimizer="sgd", loss="mse")
x = tf.constant([[1.0, 2.0, 3.0]])
model.fit(x, x, epochs=1, verbose=0)
# --8<-- [end:demo]
