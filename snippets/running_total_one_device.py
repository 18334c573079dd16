"""One device: every variant counts right eagerly, under tf.function, and in predict and fit."""

# --8<-- [start:demo]
import keras
import numpy as np
import tensorflow as tf
from running_total_variants import VARIANTS, fails, holds

# The loop builds model after model, and TensorFlow warns about the retracing that causes;
# keep its log to errors, so only what the snippet prints is shown.
tf.get_logger().setLevel("ERROR")

x = np.array([[1.0, 2.0, 3.0]], dtype="float32")  # each call adds 6
for label, variant in VARIANTS.items():
    try:
        layer = variant(name="running_total")
    except TypeError as error:  # an older Keras may not take every argument of a variant
        for column in ("eager", "tf.function", "predict/fit"):
            fails(column, label, error)
        continue
    layer(x)
    layer(x)
    holds("eager", label, float(layer.total.numpy()), 12.0)

    layer = variant(name="running_total")
    forward = tf.function(layer)
    forward(x)
    forward(x)
    holds("tf.function", label, float(layer.total.numpy()), 12.0)

    layer = variant(name="running_total")
    model = keras.Sequential([keras.Input((3,)), layer, keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.predict(x, verbose=0)  # adds 6
    model.fit(x, np.zeros((1, 1)), epochs=2, verbose=0)  # adds 6 per epoch
    holds("predict/fit", label, float(layer.total.numpy()), 18.0)
# --8<-- [end:demo]
