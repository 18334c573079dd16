"""Why aggregation="sum" is right once and wrong after: Keras' assign_add assigns self + value.

Under two replicas, replica 0 adds 6 and replica 1 adds 15 in every step (21 in all). A
variable with aggregation SUM, updated in a replica, sums what the replicas write to it.
"""

# --8<-- [start:demo]
import inspect
import textwrap

import keras
import tensorflow as tf
from running_totals import two_replicas

print("keras.Variable.assign_add, as installed:")
print(textwrap.dedent(inspect.getsource(keras.Variable.assign_add)))

strategy = two_replicas()
with strategy.scope():
    keras_total = keras.Variable(0.0, trainable=False, aggregation="sum")
    tf_total = tf.Variable(0.0, trainable=False, aggregation=tf.VariableAggregation.SUM)
print("keras_total.value:", type(keras_total.value).__name__, keras_total.value.aggregation)

added = strategy.experimental_distribute_values_from_function(
    lambda context: tf.constant([6.0, 15.0][context.replica_id_in_sync_group])
)


@tf.function
def step(value):
    def add(value):
        keras_total.assign_add(value)  # each replica writes total + value; SUM adds the writes
        tf_total.assign_add(value)  # tf.Variable.assign_add: SUM adds the increments

    strategy.run(add, args=(value,))


for number in range(1, 4):
    step(added)
    print(
        f"step {number}: expected {21.0 * number}, "
        f"keras.Variable {keras_total.numpy()}, tf.Variable {tf_total.numpy()}"
    )
# --8<-- [end:demo]
