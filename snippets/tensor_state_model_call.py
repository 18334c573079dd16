"""Inside a Keras model, building the model already leaves a symbolic tensor in the layer."""

# --8<-- [start:demo]
import keras
import tensorflow as tf
from tensor_state_layer import TensorStateTotal

layer = TensorStateTotal(name="running_total")
model = keras.Sequential([keras.Input(shape=(3,)), layer])
print("after building the model:", layer.total)

try:
    model(tf.constant([[1.0, 2.0, 3.0]]))
except TypeError as error:
    # The rest of the message lists the call stack that made the tensor, which differs between
    # a script and a notebook; this line says what went wrong.
    what = next(line for line in str(error).splitlines() if "out of scope" in line)
    print(f"{type(error).__name__}: {what}")
# --8<-- [end:demo]
