"""Two replicas: what each replica's copy of the total holds, and what a read of it returns.

Replica 0 gets the row [1, 2, 3] and replica 1 the row [4, 5, 6] in every step, so each step
adds 21 to the true total: 21 after model(x), 42 after predict, 84 after two epochs of fit, 105
after evaluate. Then a batch of three rows of ones, which two replicas cannot split evenly, adds
9: 114. Last, from zero again, predict_on_batch, train_on_batch and test_on_batch each get the
two rows once: 63.
"""

# --8<-- [start:demo]
import keras
import numpy as np
import tensorflow as tf
from backend_neutral_settings import fails, holds
from running_total_variants import VARIANTS
from running_totals import two_replicas

strategy = two_replicas()
x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float32")
y = np.zeros((2, 1), dtype="float32")
ones = np.ones((3, 3), dtype="float32")  # a batch that two replicas cannot split evenly
dataset = tf.data.Dataset.from_tensor_slices(x).batch(2)
batch = next(iter(strategy.experimental_distribute_dataset(dataset)))  # one row per replica


@tf.function
def call_on_replicas(model, batch):
    """model(x) on each replica's part of the batch, as a custom training loop calls it."""
    return strategy.run(model, args=(batch,))


def show(after, layer, expected):
    """What a read of the total returns, and each replica's own copy of it."""
    total = layer.total
    variable = total.value if isinstance(total, keras.Variable) else total  # the tf.distribute one
    copies = [float(copy) for copy in strategy.experimental_local_results(variable)]
    print(
        f"  after {after}: read {float(total.numpy())} (expected {expected}), per replica {copies}"
    )


for label, variant in VARIANTS.items():
    print(f"{label}:")
    try:
        with strategy.scope():
            layer = variant(name="running_total")
            model = keras.Sequential([keras.Input((3,)), layer, keras.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
    except ValueError as error:
        fails("two replicas", label, error)
        fails("two replicas, on-batch methods", label, error)
        continue
    call_on_replicas(model, batch)
    show("model(x) in strategy.run", layer, 21.0)
    model.predict(x, batch_size=2, verbose=0)
    show("predict", layer, 42.0)
    model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    show("fit, 2 epochs", layer, 84.0)
    model.evaluate(x, y, batch_size=2, verbose=0)
    show("evaluate", layer, 105.0)
    model.predict(ones, batch_size=3, verbose=0)
    show("predict, a batch of 3 ones", layer, 114.0)
    holds("two replicas", label, float(layer.total.numpy()), 114.0)

    # Keras' methods for one batch, each given the two rows once: 21 each.
    layer.reset_state()
    model.predict_on_batch(x)
    model.train_on_batch(x, y)
    model.test_on_batch(x, y)
    show("predict_on_batch, train_on_batch, test_on_batch", layer, 63.0)
    holds("two replicas, on-batch methods", label, float(layer.total.numpy()), 63.0)
# --8<-- [end:demo]
