"""Under PyTorch, mixed_float16 and mixed_bfloat16: the steps of 0.25 and the large batches.

PyTorch runs the 10,000 steps as 10,000 eager calls, as it runs Keras' own steps by default.
The last lines print how Keras' PyTorch variable assigns a value, from the installed Keras.
"""
# snippet: backend=torch

# --8<-- [start:demo]
import inspect

from backend_neutral_layers import ExactTotal, WeightTotal
from backend_neutral_settings import mixed_precision, quarter_steps_eagerly, state_set_in_call
from running_total_settings_torch import TORCH_VARIANTS

mixed_precision(TORCH_VARIANTS, quarter_steps_eagerly)
state_set_in_call([WeightTotal, ExactTotal])

variable_class = type(WeightTotal(name="running_total").total)
print(f"{variable_class.__module__}.{variable_class.__name__}:")
print(inspect.getsource(variable_class._direct_assign).rstrip())
# --8<-- [end:demo]
