"""What survives saving a model to a .keras file and loading it back."""

# --8<-- [start:demo]
import tempfile
from pathlib import Path

import keras
import tensorflow as tf
from variable_state_layer import VariableStateTotal
from weight_state_layer import WeightStateTotal

x = tf.constant([[1.0, 2.0, 3.0]])
custom = {"VariableStateTotal": VariableStateTotal, "WeightStateTotal": WeightStateTotal}
for layer in [VariableStateTotal(name="bare_variable"), WeightStateTotal(name="add_weight")]:
    model = keras.Sequential([keras.Input(shape=(3,)), layer])
    model(x)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        loaded = keras.models.load_model(path, custom_objects=custom)
    print(
        f"{layer.name}: before saving {layer.total.numpy()}, "
        f"after loading {loaded.layers[0].total.numpy()}"
    )
# --8<-- [end:demo]
