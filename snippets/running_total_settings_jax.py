"""Under JAX, the ways of keeping the total on one device: eagerly, in predict, fit and evaluate
(which JAX traces and compiles), saved and loaded, and on integer input.

A, a bare backend variable, is here JAX's own mutable array, a jax.Ref, updated in place.
"""
# snippet: backend=jax

# --8<-- [start:bare]
import jax
from backend_neutral_layers import VARIANTS_B_TO_F, RunningTotal
from keras import ops


class RefTotal(RunningTotal):
    """A: the total in a jax.Ref, JAX's mutable array, updated in place."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = jax.new_ref(ops.zeros(()))

    def call(self, inputs):
        self.total[...] += ops.sum(inputs)
        return inputs

    def reset_state(self):
        self.total[...] = ops.zeros(())


JAX_VARIANTS = {"A jax.Ref": RefTotal, **VARIANTS_B_TO_F}
# --8<-- [end:bare]

if __name__ == "__main__":
    # --8<-- [start:demo]
    import tempfile

    from backend_neutral_settings import eager_and_compiled, integer_input, saved_and_loaded

    eager_and_compiled(JAX_VARIANTS)
    saved_and_loaded(JAX_VARIANTS, tempfile.mkdtemp())
    integer_input(JAX_VARIANTS)
    # --8<-- [end:demo]
