"""The settings each way of keeping the total is tried in, written with keras.ops: the same code
runs under TensorFlow, JAX and PyTorch. Each setting prints one verdict line per variant,
`holds? <setting> | <variant> | yes, NO or n/a | <evidence>`, which tools/holds_table.py reads.

Run alone, it calls the fix once on [[1, 2, 3]] under the backend Keras is set to (the runner's
default, TensorFlow) and prints the total as the settings read it.
"""

# --8<-- [start:verdicts]
import re


def holds(setting, variant, total, expected):
    """Prints the verdict line of one variant in one setting; tools/holds_table.py reads it."""
    verdict = "yes" if total == expected else "NO"
    print(f"holds? {setting} | {variant} | {verdict} | total {total}, expected {expected}")


def error_line(error):
    """The error's type and its own first line, without what is wrapped around that line.

    Skips the frames of a traced function ("in user code:") and Keras' "Exception encountered
    when calling" line; Keras makes the message bold.
    """
    plain = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
    lines = [line.strip() for line in plain.splitlines() if line.strip()] or [""]
    if lines[0] == "in user code:":  # the frames, then "<type>: <message>"
        start = next(i for i, line in enumerate(lines) if line.startswith(type(error).__name__))
        lines = [lines[start].split(": ", 1)[1], *lines[start + 1 :]]
    if lines[0].startswith("Exception encountered when calling"):  # Keras' wrapper line
        lines = lines[1:]
    if lines[0].startswith("Could not automatically infer the output shape"):  # Keras' build
        lines = lines[1:]
    return f"{type(error).__name__}: {lines[0]}"


def fails(setting, variant, error):
    """Prints the verdict line of a variant that raised."""
    print(f"holds? {setting} | {variant} | NO | raises {error_line(error)}")


def not_offered(setting, variant, why):
    """Prints the verdict line of a setting that the backend does not offer, as a run shows."""
    print(f"holds? {setting} | {variant} | n/a | {why}")


# --8<-- [end:verdicts]
# --8<-- [start:one_device]
import warnings  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402

X = np.array([[1.0, 2.0, 3.0]], dtype="float32")  # each call adds 6
Y = np.zeros((1, 1), dtype="float32")


def total_of(layer):
    """The layer's total as a Python float, whatever holds it: `[...]` reads a keras.Variable,
    a tf.Variable, a jax.Ref and a torch tensor alike."""
    return float(ops.convert_to_numpy(layer.total[...]))


def new_model(layer):
    """The layer in a Sequential model, before a Dense layer that fit can train."""
    dense = keras.layers.Dense(1, kernel_initializer="ones", name="dense")
    return keras.Sequential([keras.Input((3,)), layer, dense])


def eager_and_compiled(variants):
    """Each variant called twice eagerly (12); then a new one in a model, through predict, two
    epochs of fit and evaluate (6 + 12 + 6 = 24), which run as the backend runs Keras' steps
    by default: traced by tf.function on TensorFlow, by jax.jit on JAX, eagerly on PyTorch."""
    for label, variant in variants.items():
        try:
            layer = variant(name="running_total")
            layer(X)
            layer(X)
            holds("eager", label, total_of(layer), 12.0)
        except Exception as error:
            fails("eager", label, error)
        try:
            layer = variant(name="running_total")
            model = new_model(layer)
            model.compile(optimizer="sgd", loss="mse")
            model.predict(X, verbose=0)
            model.fit(X, Y, epochs=2, verbose=0)
            model.evaluate(X, Y, verbose=0)
            holds("predict/fit/evaluate", label, total_of(layer), 24.0)
        except Exception as error:
            fails("predict/fit/evaluate", label, error)


# --8<-- [end:one_device]
# --8<-- [start:entry_points]
from backend_neutral_layers import Wrapped  # noqa: E402


def after_each_entry_point(layer_class):
    """What the total holds after two eager calls, then predict, fit and evaluate of a model
    that calls the layer; then what a new layer in a Sequential model holds after predict; last,
    a new layer called twice, then predict with jit_compile=False (18 is right)."""
    print(f"{layer_class.__name__}:")
    layer = layer_class(name="running_total")
    layer(X)
    layer(X)
    print("  two eager calls:", layer.total)
    model = Wrapped(layer)
    model.compile(optimizer="sgd", loss="mse")
    steps = {
        "predict": lambda: model.predict(X, verbose=0),
        "fit": lambda: model.fit(X, Y, verbose=0),
        "evaluate": lambda: model.evaluate(X, Y, verbose=0),
    }
    for name, step in steps.items():
        try:
            with warnings.catch_warnings():
                # True of this model, and beside the point here.
                warnings.filterwarnings("ignore", "The model does not have any trainable weights")
                step()
            print(f"  then {name}:", layer.total)
        except Exception as error:
            print(f"  then {name}: raises {error_line(error)}")
    layer = layer_class(name="running_total")
    try:
        keras.Sequential([keras.Input((3,)), layer]).predict(X, verbose=0)
        print("  a new layer in a Sequential model, predict:", layer.total)
    except Exception as error:
        print(f"  a new layer in a Sequential model, predict: raises {error_line(error)}")
    layer = layer_class(name="running_total")
    layer(X)
    layer(X)
    model = Wrapped(layer)
    model.compile(jit_compile=False)
    try:
        model.predict(X, verbose=0)
        print("  a new layer, two eager calls, predict with jit_compile=False:", layer.total)
    except Exception as error:
        print(f"  ... predict with jit_compile=False: raises {error_line(error)}")


# --8<-- [end:entry_points]
# --8<-- [start:saving]
def saved_and_loaded(variants, folder):
    """After one predict (6), each model saved to a .keras file in `folder` and loaded."""
    for label, variant in variants.items():
        path = f"{folder}/{variant.__name__}.keras"
        try:
            model = keras.Sequential([keras.Input((3,)), variant(name="running_total")])
            model.predict(X, verbose=0)
            model.save(path)
            loaded = keras.models.load_model(path, custom_objects={variant.__name__: variant})
            holds("saved and loaded", label, total_of(loaded.layers[0]), 6.0)
        except Exception as error:
            fails("saved and loaded", label, error)


# --8<-- [end:saving]
# --8<-- [start:mixed_precision]
def quarter_steps_eagerly(layer):
    """10,000 calls of the layer that each add 0.25, one after the other."""
    quarter = ops.full((1, 1), 0.25)
    for _ in range(10_000):
        layer(quarter)


def mixed_precision(variants, quarter_steps):
    """Under mixed_float16 and mixed_bfloat16: steps of 0.25, 2,500 in all, made by
    `quarter_steps(layer)`; then large batches, 3,001 ones in one, 70,000 in another."""
    for policy in ("mixed_float16", "mixed_bfloat16"):
        keras.mixed_precision.set_dtype_policy(policy)
        kind = policy.removeprefix("mixed_")
        for label, variant in variants.items():
            try:
                layer = variant(name="running_total")
                quarter_steps(layer)
                holds(f"{kind} steps of 0.25", label, total_of(layer), 2500.0)
            except Exception as error:
                fails(f"{kind} steps of 0.25", label, error)
            try:
                totals = []
                for rows in (3_001, 70_000):
                    layer = variant(name="running_total")
                    layer(np.ones((rows, 1), dtype="float32"))
                    totals.append(total_of(layer))
                holds(f"{kind} large batches", label, tuple(totals), (3001.0, 70000.0))
            except Exception as error:
                fails(f"{kind} large batches", label, error)
    keras.mixed_precision.set_dtype_policy("float32")  # the default again, for what runs next


def state_set_in_call(variants):
    """Under mixed_float16, state that call() sets: each variant's total set to 5, read inside
    the call and after it; then two of Keras' own layers: a keras.metrics.Sum given [[1, 2, 3]]
    in call() (6 is right), and BatchNormalization's moving mean after one training call on a
    batch of 5s with momentum 0 (5 is right)."""
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    for variant in variants:

        class SetsFive(variant):
            def call(self, inputs):
                read_as = keras.backend.standardize_dtype(self.total.value.dtype)
                self.total.assign(5.0)
                print(f"  in call(): the total reads as {read_as}; after assign(5.0) it", end="")
                print(f" reads {float(self.total)}")
                return inputs

        layer = SetsFive(name="running_total")
        stored = keras.backend.standardize_dtype(layer.total.value.dtype)
        print(f"{variant.__name__}: computes in {layer.compute_dtype}, stores its total as", stored)
        layer(X)
        print(f"  after the call: {total_of(layer)}")

    class SumsInCall(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.sum = keras.metrics.Sum(name="sum")

        def call(self, inputs):
            self.sum.update_state(inputs)
            return inputs

    layer = SumsInCall(name="sums")
    layer(X)
    print("a keras.metrics.Sum updated in call():", float(layer.sum.result()))
    normalization = keras.layers.BatchNormalization(momentum=0.0, name="normalization")
    normalization(np.full((4, 3), 5.0, dtype="float32"), training=True)
    print("BatchNormalization's moving mean:", ops.convert_to_numpy(normalization.moving_mean))
    keras.mixed_precision.set_dtype_policy("float32")


# --8<-- [end:mixed_precision]
# --8<-- [start:integer_input]
def integer_input(variants):
    """int32 [[1, 2, 3]], uint8 pixels [[200, 100]] and int32 [[2**30] * 3], each on a new
    layer: 6, then 300 and 3,221,225,472, more than uint8 and int32 hold."""
    batches = [
        np.array([[1, 2, 3]], dtype="int32"),
        np.array([[200, 100]], dtype="uint8"),
        np.array([[2**30] * 3], dtype="int32"),
    ]
    for batch in batches[1:]:
        total = ops.sum(ops.convert_to_tensor(batch))
        print(f"keras.ops.sum of {batch.dtype} {batch.tolist()}:", end=" ")
        print(ops.convert_to_numpy(total), "in", keras.backend.standardize_dtype(total.dtype))
    for label, variant in variants.items():
        try:
            totals = []
            for batch in batches:
                layer = variant(name="running_total")
                layer(batch)
                totals.append(total_of(layer))
            holds("integer input", label, tuple(totals), (6.0, 300.0, 3221225472.0))
        except Exception as error:
            fails("integer input", label, error)


# --8<-- [end:integer_input]
# --8<-- [start:training]
class WeightScale(keras.layers.Layer):
    """A learned scale in a trainable keras.Variable that the layer holds."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with keras.name_scope(self.name, caller=self):
            self.scale = keras.Variable(1.0, trainable=True, name="scale")

    def call(self, inputs):
        return inputs * self.scale

    def set_scale(self, value):
        self.scale.assign(value)


def trained_and_saved(scale_classes, folder):
    """Each scale layer, starting at 1.0, fit for 3 epochs on targets 3 times the inputs (the
    loss should fall from 4.0); then its scale set to 2.5, saved to .keras and loaded."""
    x = np.ones((4, 1), dtype="float32")
    for scale_class in scale_classes:
        layer = scale_class(name="scale")
        model = keras.Sequential([keras.Input((1,)), layer], name="model")
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        with warnings.catch_warnings(record=True) as caught:
            # The warnings a reader sees: UserWarning, every time, not only the first time in a
            # process (Python shows no DeprecationWarning raised inside a library by default).
            warnings.simplefilter("ignore")
            warnings.simplefilter("always", UserWarning)
            history = model.fit(x, 3 * x, epochs=3, batch_size=4, verbose=0)
        print(f"{scale_class.__name__}: the scale is a {type(layer.scale).__name__}")
        print("  warnings:         ", [str(warning.message) for warning in caught])
        print("  trainable_weights:", [w.path for w in model.trainable_weights])
        print("  loss per epoch:   ", [round(loss, 4) for loss in history.history["loss"]])
        print("  scale after fit:  ", round(scale_of(layer), 4))
        layer.set_scale(2.5)
        model.save(f"{folder}/{scale_class.__name__}.keras")
        loaded = keras.models.load_model(
            f"{folder}/{scale_class.__name__}.keras",
            custom_objects={scale_class.__name__: scale_class},
        )
        print("  set to 2.5, saved and loaded:", round(scale_of(loaded.layers[0]), 4))


def scale_of(layer):
    """The layer's scale as a Python float, whatever holds it."""
    return float(ops.convert_to_numpy(layer.scale))


# --8<-- [end:training]

if __name__ == "__main__":
    # --8<-- [start:check]
    from backend_neutral_layers import ExactTotal

    layer = ExactTotal(name="running_total")
    layer(X)
    print(keras.backend.backend(), total_of(layer))
    # --8<-- [end:check]
