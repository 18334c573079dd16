"""A subclassed keras.Model holding the tensor layer fails on its first call, as Sequential does:
Keras builds the model by calling call() on symbolic inputs first.
"""

# --8<-- [start:demo]
import keras
import tensorflow as tf
from tensor_state_layer import TensorStateTotal


class Perception(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.running_total = TensorStateTotal(name="running_total")
        self.head = keras.layers.Dense(1)

    def call(self, inputs):
        return self.head(self.running_total(inputs))


x = tf.constant([[1.0, 2.0, 3.0]])
for name, run in [
    ("model(x)", lambda model: model(x)),
    ("model.predict(x)", lambda model: model.predict(x, verbose=0)),
]:
    try:
        run(Perception())
    except (TypeError, ValueError) as error:
        # Keras wraps the message; keep the line that says what went wrong, without the list of
        # where the tensor was made (it differs between a script and a notebook).
        what = next(line for line in str(error).splitlines() if "out of scope" in line)
        print(f"{name}: {type(error).__name__}: {what[what.index('<tf.Tensor') :]}")
# --8<-- [end:demo]
