"""Saving an on_read (sum) total made under two replicas: the file holds the sum, and loading it
under the strategy splits that sum between the replicas again.
"""

# --8<-- [start:demo]
import tempfile
from pathlib import Path

import keras
import numpy as np
from backend_neutral_layers import ExactTotal
from running_totals import two_replicas

strategy = two_replicas()
x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float32")


def show(what, layer):
    copies = [float(c) for c in strategy.experimental_local_results(layer.total.value)]
    print(f"{what}: read {layer.total.numpy()}, per replica {copies}")


with strategy.scope():
    model = keras.Sequential([keras.Input((3,)), ExactTotal(name="running_total")])
model.predict(x, batch_size=2, verbose=0)
show("saved", model.layers[0])

path = Path(tempfile.mkdtemp()) / "model.keras"
model.save(path)
outside = keras.models.load_model(path, custom_objects={"ExactTotal": ExactTotal})
print("loaded without a strategy: read", outside.layers[0].total.numpy())
with strategy.scope():
    inside = keras.models.load_model(path, custom_objects={"ExactTotal": ExactTotal})
show("loaded under the strategy", inside.layers[0])
inside.predict(x, batch_size=2, verbose=0)
show("after one more predict", inside.layers[0])
# --8<-- [end:demo]
