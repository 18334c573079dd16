"""Under TensorFlow, the same two layers: two eager calls, then predict()."""
# snippet: backend=tensorflow

# --8<-- [start:demo]
import keras
import numpy as np
from backend_neutral_layers import TensorStateTotal, WeightTotal, Wrapped

print("backend:", keras.backend.backend())
x = np.array([[1.0, 2.0, 3.0]], dtype="float32")
for layer_class in (TensorStateTotal, WeightTotal):
    layer = layer_class(name="running_total")
    layer(x)
    layer(x)
    print(f"{layer_class.__name__} after two calls:", layer.total)
    Wrapped(layer).predict(x, verbose=0)
    print(f"{layer_class.__name__} after predict:  ", layer.total)
# --8<-- [end:demo]
