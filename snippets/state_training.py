"""Training: fit never trains a trainable tf.Variable that a Keras 3 layer holds as an attribute.

Each scale layer multiplies its input by a learned scale that starts at 1.0; the targets are
three times the inputs, so training should move the scale towards 3 and the loss down from 4.0.
The third model puts a Dense layer, which has weights of its own, before the bare variable.
"""

# --8<-- [start:demo]
import warnings

import keras
import numpy as np
import tensorflow as tf


class BareVariableScale(keras.layers.Layer):
    """The scale in a trainable tf.Variable attribute."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = tf.Variable(1.0, trainable=True, name="scale")

    def call(self, inputs):
        return inputs * self.scale


class WeightScale(keras.layers.Layer):
    """The scale in a trainable weight made with add_weight."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones", trainable=True)

    def call(self, inputs):
        return inputs * self.scale


x = np.ones((4, 1), dtype="float32")
models = {
    "bare_variable": [BareVariableScale(name="scale")],
    "add_weight": [WeightScale(name="scale")],
    "Dense, then bare_variable": [
        keras.layers.Dense(1, kernel_initializer="ones", name="dense"),
        BareVariableScale(name="scale"),
    ],
}
for name, layers in models.items():
    model = keras.Sequential([keras.Input((1,)), *layers], name="model")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # every time, not only the first time in a process
        history = model.fit(x, 3 * x, epochs=3, batch_size=4, verbose=0)
    print(f"{name}:")
    print("  warnings:         ", [str(warning.message) for warning in caught])
    print("  trainable_weights:", [w.path for w in model.trainable_weights])
    print("  scale after fit:  ", round(float(layers[-1].scale.numpy()), 4))
    print("  loss per epoch:   ", [round(loss, 4) for loss in history.history["loss"]])
# --8<-- [end:demo]
