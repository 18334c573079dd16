"""Under PyTorch, the same two layers: two eager calls, then predict, fit and evaluate of a model
that calls the layer; last, a new layer in a Sequential model."""
# snippet: backend=torch

# --8<-- [start:demo]
import keras
from backend_neutral_layers import TensorStateTotal, WeightTotal
from backend_neutral_settings import after_each_entry_point

print("backend:", keras.backend.backend())
for layer_class in (TensorStateTotal, WeightTotal):
    after_each_entry_point(layer_class)
# --8<-- [end:demo]
