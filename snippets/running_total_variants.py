"""Seven ways to keep a layer's running total, imported by the snippets that compare them.

Each layer passes its input through and adds the sum of its inputs to its total. They differ in
how the total variable is made, and F and G also in how they add. Run alone, it calls the fix,
ExactTotal, on [[1, 2, 3]].
"""

# --8<-- [start:layers]
import keras
import tensorflow as tf


# --8<-- [start:base]
class RunningTotal(keras.layers.Layer):
    """What the variants share: the update in call(), and a reset as metrics have."""

    def call(self, inputs):
        self.total.assign_add(tf.reduce_sum(inputs))
        return inputs

    def reset_state(self):
        self.total.assign(0.0)


# --8<-- [end:base]
class VariableTotal(RunningTotal):
    """A: a bare tf.Variable attribute."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = tf.Variable(0.0, trainable=False)


class WeightTotal(RunningTotal):
    """B: the explainer's fix, add_weight(trainable=False), everything else left as default."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(name="total", shape=(), initializer="zeros", trainable=False)


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
        self.total.assign_add(tf.reduce_sum(tf.cast(inputs, "float32")))
        return inputs


# --8<-- [end:fix]
# --8<-- [start:atomic]
class AtomicAddTotal(ExactTotal):
    """G: as F, but call() adds with the tf.Variable's own assign_add, a single operation."""

    def call(self, inputs):
        self.total.value.assign_add(tf.reduce_sum(tf.cast(inputs, "float32")))
        return inputs


# --8<-- [end:atomic]
VARIANTS = {
    "tf.Variable": VariableTotal,
    "add_weight": WeightTotal,
    'add_weight(aggregation="sum")': SumWeightTotal,
    "metric-style (on_read, sum)": MetricStyleTotal,
    "metric-style + autocast=False": NoAutocastTotal,
    "metric-style, float32 layer": ExactTotal,
    "float32 layer + tf.Variable.assign_add": AtomicAddTotal,
}
# --8<-- [end:layers]


# --8<-- [start:verdicts]
import re  # noqa: E402


def holds(column, variant, total, expected):
    """Prints the verdict line of one variant in one setting; tools/holds_table.py reads it."""
    verdict = "yes" if total == expected else "NO"
    print(f"holds? {column} | {variant} | {verdict} | total {total}, expected {expected}")


def error_line(error):
    """The error's type and its own first line, without what is wrapped around that line.

    Skips the frames of a traced function ("in user code:") and Keras' "Exception encountered
    when calling" line; Keras makes the message bold.
    """
    plain = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
    lines = [line.strip() for line in plain.splitlines() if line.strip()]
    if lines[0] == "in user code:":  # the frames, then "<type>: <message>"
        start = next(i for i, line in enumerate(lines) if line.startswith(type(error).__name__))
        lines = [lines[start].split(": ", 1)[1], *lines[start + 1 :]]
    if lines[0].startswith("Exception encountered when calling"):  # Keras' wrapper line
        lines = lines[1:]
    if lines[0].startswith("Could not automatically infer the output shape"):  # Keras' build
        lines = lines[1:]
    return f"{type(error).__name__}: {lines[0]}"


def fails(column, variant, error):
    """Prints the verdict line of a variant that raised."""
    print(f"holds? {column} | {variant} | NO | raises {error_line(error)}")


# --8<-- [end:verdicts]


if __name__ == "__main__":
    # --8<-- [start:check]
    layer = ExactTotal(name="running_total")
    layer(tf.constant([[1.0, 2.0, 3.0]]))
    print(layer.total.numpy())
    # --8<-- [end:check]
