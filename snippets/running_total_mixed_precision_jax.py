"""Under JAX, mixed_float16 and mixed_bfloat16: the steps of 0.25 and the large batches.

JAX runs the 10,000 steps in one traced loop, as it runs Keras' own steps: state goes in and out
of each step as values, through stateless_call of a model that calls the layer.
"""
# snippet: backend=jax

# --8<-- [start:demo]
from backend_neutral_layers import ExactTotal, WeightTotal, Wrapped
from backend_neutral_settings import mixed_precision, state_set_in_call
from keras import ops
from running_total_settings_jax import JAX_VARIANTS


def quarter_steps_in_one_traced_loop(layer):
    """10,000 calls that each add 0.25, in one loop that JAX traces and compiles."""
    model = Wrapped(layer)
    quarter = ops.full((1, 1), 0.25)
    model(ops.zeros((1, 1)))  # builds the model; adds nothing

    def step(_, state):
        _, state = model.stateless_call([], state, quarter)
        return state

    state = ops.fori_loop(0, 10_000, step, [v.value for v in model.non_trainable_variables])
    for variable, value in zip(model.non_trainable_variables, state, strict=True):
        variable.assign(value)


mixed_precision(JAX_VARIANTS, quarter_steps_in_one_traced_loop)
state_set_in_call([WeightTotal, ExactTotal])
# --8<-- [end:demo]
