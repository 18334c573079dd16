"""What the layer counts, and what fit resets: fit resets its metrics each epoch, never the
layer's total, and validation, evaluate and predict run call() too, unless call() checks
`training`. Training rows sum to 21 per epoch, validation rows to 60.
"""

# --8<-- [start:demo]
import keras
import numpy as np
import tensorflow as tf
from backend_neutral_layers import ExactTotal

# The loop builds model after model, and TensorFlow warns about the retracing that causes;
# keep its log to errors, so only what the snippet prints is shown.
tf.get_logger().setLevel("ERROR")

x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float32")
x_val = np.full((2, 3), 10.0, dtype="float32")
y = np.zeros((2, 1), dtype="float32")


class OutputSum(keras.metrics.Sum):
    """keras.metrics.Sum of the model's outputs, to compile as a metric."""

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(y_pred, sample_weight)


class TrainingOnlyTotal(ExactTotal):
    """Counts only what it sees while training."""

    def call(self, inputs, training=False):
        if training:
            self.total.assign_add(tf.reduce_sum(inputs))
        return inputs


class Report(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        total = self.model.layers[0].total.numpy()
        print(f"  after epoch {epoch + 1}: layer total {total}, metric {logs['sum']}")


for layer in [ExactTotal(name="counts_every_call"), TrainingOnlyTotal(name="training_only")]:
    print(f"{layer.name}:")
    row_sums = keras.layers.Lambda(lambda t: tf.reduce_sum(t, axis=1, keepdims=True))
    model = keras.Sequential([keras.Input((3,)), layer, row_sums])
    model.compile(optimizer="sgd", loss="mse", metrics=[OutputSum(name="sum")])
    model.fit(
        x, y, batch_size=2, epochs=2, validation_data=(x_val, y), callbacks=[Report()], verbose=0
    )
    model.evaluate(x, y, verbose=0)
    print(f"  after evaluate: {layer.total.numpy()}")
    model.predict(x, verbose=0)
    print(f"  after predict: {layer.total.numpy()}")
    layer.reset_state()
    print(f"  after reset_state(): {layer.total.numpy()}")
# --8<-- [end:demo]
