"""Mixed precision: under mixed_float16 a layer reads its autocast variables as float16 in call().

float16 has no number between 2048 and 2050, so a float16 total of 2048 does not grow by 1.
Every total starts at 2048; each layer then sees the value 1.0 four times.
"""

# --8<-- [start:demo]
import keras
import numpy as np
from running_total_variants import VARIANTS, ExactTotal, WeightTotal, fails, holds

print("in float16, 2048 + 1 =", float(np.float16(2048) + np.float16(1)))
keras.mixed_precision.set_dtype_policy("mixed_float16")

one = np.ones((1, 1), dtype="float32")
for label, variant in VARIANTS.items():
    try:
        layer = variant(name="running_total")
        layer.total.assign(2048.0)
        for _ in range(4):
            layer(one)
        holds("mixed precision", label, float(layer.total.numpy()), 2052.0)
    except (TypeError, ValueError) as error:
        fails("mixed precision", label, error)

keras.mixed_precision.set_dtype_policy("float32")  # the default again, for what runs next
# --8<-- [end:demo]


# --8<-- [start:dtypes]
class ShowsDtypes:
    """Mixed into a variant: prints the dtypes call() sees, then counts as the variant does."""

    def call(self, inputs):
        print(f"  in call(): inputs {inputs.dtype.name}, total {self.total.dtype}")
        return super().call(inputs)


keras.mixed_precision.set_dtype_policy("mixed_float16")
for variant in (WeightTotal, ExactTotal):
    layer = type(variant.__name__, (ShowsDtypes, variant), {})(name="running_total")
    print(f"{variant.__name__}: stored as {layer.total.value.dtype.name}")
    layer(one)
keras.mixed_precision.set_dtype_policy("float32")
# --8<-- [end:dtypes]
