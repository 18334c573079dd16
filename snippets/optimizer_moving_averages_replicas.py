"""The practice question's optimizer under two replicas: its averages are mirrored and agree.

Each replica's loss is sum(weight) / 2, so the gradients summed over the replicas are [1, 1], as
on one device: the averages should grow 0.1, 0.19, 0.271 on both replicas.
"""

# --8<-- [start:demo]
import keras
import tensorflow as tf
from optimizer_moving_averages import MovingAverageSGD
from running_totals import two_replicas

strategy = two_replicas()
with strategy.scope():
    weight = keras.Variable([1.0, 2.0], name="weight")
    optimizer = MovingAverageSGD()
    optimizer.build([weight])
average = optimizer.averages[0]
print("average:", type(average.value).__name__, average.value.synchronization)


@tf.function
def train_step():
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(weight) / strategy.num_replicas_in_sync
        gradients = tape.gradient(loss, [weight])
        optimizer.apply_gradients(zip(gradients, [weight], strict=True))

    strategy.run(step)


for number in range(1, 4):
    train_step()
    copies = " and ".join(
        str(c.numpy()) for c in strategy.experimental_local_results(average.value)
    )
    print(f"step {number}: weight {weight.numpy()}, average on the replicas {copies}")
# --8<-- [end:demo]
