"""The tensor-state layer and the ways of keeping a running total, written with keras.ops only.

No line names a backend: the same classes run under TensorFlow, JAX and PyTorch. B to F are the
running-totals page's variants; A, the total in a bare backend variable, and G, which adds with
tf.Variable.assign_add, are each backend's own and live in the snippets of that backend.

Run alone, it calls the fix, F, twice on [[1, 2, 3]] under the backend Keras is set to (the
runner's default, TensorFlow), and prints the backend and the total.
"""

# --8<-- [start:layers]
# --8<-- [start:imports]
import keras
from keras import ops

# --8<-- [end:imports]


class TensorStateTotal(keras.layers.Layer):
    """The bug report's layer: its running total is a tensor, rebound in call()."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = ops.zeros(())

    def call(self, inputs):
        self.total = self.total + ops.sum(inputs)
        return inputs


# --8<-- [start:weight]
# --8<-- [start:base]
class RunningTotal(keras.layers.Layer):
    """What the ways of keeping the total share: the update in call(), and a reset as metrics
    have. Each way makes self.total in its own __init__."""

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs))
        return inputs

    def reset_state(self):
        self.total.assign(0.0)


# --8<-- [end:base]
class WeightTotal(RunningTotal):
    """B: the explainer's fix, add_weight(trainable=False), everything else left as default."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(name="total", shape=(), initializer="zeros", trainable=False)


# --8<-- [end:weight]
class Wrapped(keras.Model):
    """A model that only calls the layer it is given: predict() runs the layer as fit() would."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.running_total = layer

    def call(self, inputs):
        return self.running_total(inputs)


# --8<-- [end:layers]
# --8<-- [start:variants]
class SumWeightTotal(RunningTotal):
    """C: add_weight(trainable=False, aggregation="sum")."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(
            name="total", shape=(), initializer="zeros", trainable=False, aggregation="sum"
        )


class MetricStyleTotal(RunningTotal):
    """D: made as keras.metrics.Metric.add_variable makes a metric's variables."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # add_weight takes no `synchronization`, so make the keras.Variable directly, in the
        # layer's name scope as add_weight would; a layer tracks a variable it holds.
        with keras.name_scope(self.name, caller=self):
            self.total = keras.Variable(
                initializer="zeros",
                shape=(),
                dtype=self.variable_dtype,
                trainable=False,
                synchronization="on_read",
                aggregation="sum",
                name="total",
            )


class NoAutocastTotal(RunningTotal):
    """E: as D, but always float32, never autocast to a mixed-precision compute dtype."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with keras.name_scope(self.name, caller=self):
            self.total = keras.Variable(
                initializer="zeros",
                shape=(),
                dtype="float32",
                trainable=False,
                autocast=False,
                synchronization="on_read",
                aggregation="sum",
                name="total",
            )


# --8<-- [start:fix]
class ExactTotal(RunningTotal):
    """F, the fix: a metric's kind of variable, in a layer that computes in float32."""

    def __init__(self, **kwargs):
        # float32 under any dtype policy, as Keras' metrics are: the increment is summed in
        # float32 and the total is not autocast to float16 in call().
        super().__init__(**{**kwargs, "dtype": "float32"})
        with keras.name_scope(self.name, caller=self):
            self.total = keras.Variable(
                initializer="zeros",
                shape=(),
                dtype="float32",
                trainable=False,
                synchronization="on_read",
                aggregation="sum",
                name="total",
            )

    def call(self, inputs):
        # Integer input is not cast by Keras: sum it in float32, so that it cannot wrap around.
        self.total.assign_add(ops.sum(ops.cast(inputs, "float32")))
        return inputs


# --8<-- [end:fix]
# B to F, by the names their verdict lines give them; each backend's snippets add their own A.
VARIANTS_B_TO_F = {
    "B add_weight": WeightTotal,
    'C add_weight(aggregation="sum")': SumWeightTotal,
    "D metric-style (on_read, sum)": MetricStyleTotal,
    "E metric-style + autocast=False": NoAutocastTotal,
    "F metric-style, float32 layer": ExactTotal,
}
# --8<-- [end:variants]

if __name__ == "__main__":
    # --8<-- [start:check]
    layer = ExactTotal(name="running_total")
    x = ops.convert_to_tensor([[1.0, 2.0, 3.0]])
    layer(x)
    layer(x)
    print(keras.backend.backend(), layer.total)
    # --8<-- [end:check]
