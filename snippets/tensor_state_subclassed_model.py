"""A subclassed keras.Model holding the tensor layer fails on its first call, as Sequential does:
Keras builds the model by calling call() on symbolic inputs first. A subclassed model that builds
itself, in a build() of its own, is not built that way: its eager calls look right, and only the
compiled predict fails.
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


class SelfBuiltPerception(Perception):
    """The same model with a build() of its own, which builds its head directly."""

    def build(self, input_shape):
        self.head.build(input_shape)


x = tf.constant([[1.0, 2.0, 3.0]])
for model_class in (Perception, SelfBuiltPerception):
    for name, run in [
        ("model(x) twice", lambda model: [model(x), model(x)]),
        ("model.predict(x)", lambda model: model.predict(x, verbose=0)),
    ]:
        model = model_class()
        try:
            run(model)
            print(f"{model_class.__name__}, {name}: total {model.running_total.total}")
        except (TypeError, ValueError) as error:
            # Keras wraps the message; keep the line that says what went wrong, without the list
            # of where the tensor was made (it differs between a script and a notebook).
            what = next(line for line in str(error).splitlines() if "out of scope" in line)
            print(f"{model_class.__name__}, {name}: {type(error).__name__}:", end=" ")
            print(what[what.index("<tf.Tensor") :])
# --8<-- [end:demo]
