"""Resetting an on_read (sum) total under two replicas, and what assigning to it does.

In each predict, replica 0 sees [1, 2, 3] and replica 1 sees [4, 5, 6].
"""

# --8<-- [start:demo]
import keras
import numpy as np
from backend_neutral_layers import ExactTotal
from running_totals import two_replicas

strategy = two_replicas()
with strategy.scope():
    layer = ExactTotal(name="running_total")
    model = keras.Sequential([keras.Input((3,)), layer])


def show(after):
    copies = strategy.experimental_local_results(layer.total.value)
    print(f"after {after}: read {layer.total.numpy()}, per replica {[float(c) for c in copies]}")


model.predict(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), batch_size=2, verbose=0)
show("predict")
layer.reset_state()  # assign(0.0), outside any replica: every copy becomes 0
show("reset_state()")
layer.total.assign(10.0)  # outside any replica, a sum variable's value is split between them
show("assign(10.0)")
strategy.run(lambda: layer.total.assign(10.0))  # inside, each replica sets its own copy
show("assign(10.0) in strategy.run")
# --8<-- [end:demo]
