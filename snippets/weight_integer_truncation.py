"""A Keras weight's assign_add adds first, then casts the result to the weight's dtype: an int32
weight silently drops every fraction.
"""

# --8<-- [start:demo]
import keras


class Counter(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.count = self.add_weight(shape=(), dtype="int32", trainable=False)


count = Counter(name="counter").count
print("count + 0.6 =", (count + 0.6).numpy(), (count + 0.6).dtype)
for step in range(1, 4):
    count.assign_add(0.6)  # assign(count + 0.6): 0.6, cast to int32, is 0
    print(f"after assign_add(0.6) x{step}: {count.numpy()}")
# --8<-- [end:demo]
