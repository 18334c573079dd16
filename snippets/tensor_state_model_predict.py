"""model.predict() runs call() inside a tf.function, and the leaked tensor breaks it."""

# --8<-- [start:demo]
import keras
import tensorflow as tf
from tensor_state_layer import TensorStateTotal

model = keras.Sequential([keras.Input(shape=(3,)), TensorStateTotal(name="running_total")])
try:
    model.predict(tf.constant([[1.0, 2.0, 3.0]]), verbose=0)
except TypeError as error:
    # The rest of the message lists the call stack that made the tensor, which differs between
    # a script and a notebook; this line says what went wrong.
    what = next(line for line in str(error).splitlines() if "out of scope" in line)
    print(f"{type(error).__name__}: {what}")
# --8<-- [end:demo]
