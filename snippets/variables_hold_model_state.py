"""Purpose: a layer keeps its state in variables; what flows through it are tensors."""

# --8<-- [start:demo]
import keras
import tensorflow as tf

dense = keras.layers.Dense(2, name="dense")
outputs = dense(tf.ones([1, 3]))

print("output:", type(outputs).__name__)
for weight in dense.weights:
    print(weight.path, "->", type(weight.value).__name__)
# --8<-- [end:demo]
