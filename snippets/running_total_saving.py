"""Saving each variant: what comes back from .keras, .weights.h5 and tf.train.Checkpoint."""

# --8<-- [start:demo]
import tempfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from backend_neutral_settings import fails, holds
from running_total_variants import VARIANTS

# The loop builds model after model, and TensorFlow warns about the retracing that causes;
# keep its log to errors, so only what the snippet prints is shown.
tf.get_logger().setLevel("ERROR")

x = np.array([[1.0, 2.0, 3.0]], dtype="float32")
custom_objects = {variant.__name__: variant for variant in VARIANTS.values()}


def new_model(variant):
    return keras.Sequential([keras.Input((3,)), variant(name="running_total")])


for label, variant in VARIANTS.items():
    folder = Path(tempfile.mkdtemp())
    try:
        model = new_model(variant)
    except TypeError as error:  # an older Keras may not take every argument of a variant
        fails("saved and loaded", label, error)
        continue
    model.predict(x, verbose=0)  # the total is now 6.0

    model.save(folder / "model.keras")
    from_keras = keras.models.load_model(folder / "model.keras", custom_objects=custom_objects)

    model.save_weights(folder / "model.weights.h5")
    from_h5 = new_model(variant)
    from_h5.load_weights(folder / "model.weights.h5")

    path = tf.train.Checkpoint(model=model).save(folder / "checkpoint")
    from_checkpoint = new_model(variant)
    tf.train.Checkpoint(model=from_checkpoint).restore(path).assert_consumed()

    loaded = {".keras": from_keras, ".weights.h5": from_h5, "Checkpoint": from_checkpoint}
    totals = {name: float(m.layers[0].total.numpy()) for name, m in loaded.items()}
    print(f"{label}: {totals}")
    holds("saved and loaded", label, totals[".keras"], 6.0)  # .keras: what model.save writes
# --8<-- [end:demo]
