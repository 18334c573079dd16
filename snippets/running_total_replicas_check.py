"""The explainer's fixed layer under two replicas: one predict over two rows, and its total.

Replica 0 gets the row [1, 2, 3] and replica 1 the row [4, 5, 6]: the total should be 21.
"""
# snippet: raises=AssertionError

# --8<-- [start:demo]
import keras
import numpy as np
from running_totals import two_replicas
from weight_state_layer import WeightStateTotal

strategy = two_replicas()
with strategy.scope():
    layer = WeightStateTotal(name="running_total")
    model = keras.Sequential([keras.Input((3,)), layer])

model.predict(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), batch_size=2, verbose=0)
print("total after one predict:", layer.total.numpy())
assert layer.total.numpy() == 21.0, "the total is not the sum of the rows the model saw"
# --8<-- [end:demo]
