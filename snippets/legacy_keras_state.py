"""Keras 2 code on TensorFlow 2.21, run as its readers run it: TF_USE_LEGACY_KERAS=1, tf.keras.

With the tf-keras package installed, the variable makes `tf.keras` the Keras 2 package, tf_keras;
`import keras` stays Keras 3. The explainer's layers, written against tf.keras, are then tracked,
saved, given integer input and trained as Keras 2 does it.
"""
# snippet: fresh-process

# --8<-- [start:demo]
import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"  # read when tf.keras is first used: set it first

import tempfile

import keras
import numpy as np
import tensorflow as tf

print("tf.keras is", tf.keras.__name__)
print("import keras is", keras.__name__, keras.__version__)


class BareVariableTotal(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = tf.Variable(0.0, trainable=False)

    def call(self, inputs):
        self.total.assign_add(tf.reduce_sum(inputs))
        return inputs


class WeightTotal(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(name="total", shape=(), initializer="zeros", trainable=False)

    def call(self, inputs):
        self.total.assign_add(tf.reduce_sum(inputs))
        return inputs


class BareVariableScale(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = tf.Variable(1.0, trainable=True)

    def call(self, inputs):
        return inputs * self.scale


for layer_class in [BareVariableTotal, WeightTotal]:
    print(f"{layer_class.__name__}:")
    layer = layer_class(name="running_total")
    model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
    model.predict(np.array([[1.0, 2.0, 3.0]]), verbose=0)
    print("  weights:", [weight.name for weight in layer.weights])
    path = os.path.join(tempfile.mkdtemp(), "model.keras")
    model.save(path)
    loaded = tf.keras.models.load_model(path, custom_objects={layer_class.__name__: layer_class})
    print("  total after saving and loading:", float(loaded.layers[0].total.numpy()))
    try:
        layer_class(name="running_total")(tf.constant([[1, 2, 3]]))
        print("  integer input: counted")
    except ValueError as error:
        print("  integer input raises ValueError:", str(error).split("\n\n")[1])

x = np.ones((4, 1), dtype="float32")
layer = BareVariableScale(name="bare_variable")
model = tf.keras.Sequential([tf.keras.Input((1,)), layer])
model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1), loss="mse")
history = model.fit(x, 3 * x, epochs=3, batch_size=4, verbose=0)
print("BareVariableScale, trainable tf.Variable:")
print("  trainable_weights:", [weight.name for weight in model.trainable_weights])
print("  loss per epoch:   ", [round(loss, 4) for loss in history.history["loss"]])
print("  scale after fit:  ", round(float(layer.scale.numpy()), 4))
# --8<-- [end:demo]
