"""Under PyTorch, the ways of keeping the total on one device: eagerly, in predict, fit and
evaluate (which run eagerly by default), saved and loaded, and on integer input.

A, a bare backend variable, is here a PyTorch buffer, the state a torch.nn.Module registers
with register_buffer (a Keras layer is one under this backend), updated in place.
"""
# snippet: backend=torch

# --8<-- [start:bare]
import torch
from backend_neutral_layers import VARIANTS_B_TO_F, RunningTotal
from keras import ops


class BufferTotal(RunningTotal):
    """A: the total in a PyTorch buffer, updated in place."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.register_buffer("total", torch.zeros(()))

    def call(self, inputs):
        self.total.add_(ops.sum(inputs))
        return inputs

    def reset_state(self):
        self.total.zero_()


TORCH_VARIANTS = {"A torch buffer": BufferTotal, **VARIANTS_B_TO_F}
# --8<-- [end:bare]

if __name__ == "__main__":
    # --8<-- [start:demo]
    import tempfile

    from backend_neutral_settings import eager_and_compiled, integer_input, saved_and_loaded

    eager_and_compiled(TORCH_VARIANTS)
    saved_and_loaded(TORCH_VARIANTS, tempfile.mkdtemp())
    integer_input(TORCH_VARIANTS)
    # --8<-- [end:demo]
