"""GradientTape watches trainable variables by itself and skips non-trainable ones; tape.watch
still gives a non-trainable variable a gradient (for a keras.Variable, watch its .value).
"""

# --8<-- [start:demo]
import keras
import tensorflow as tf

weight = tf.Variable(3.0)
counter = tf.Variable(3.0, trainable=False)

with tf.GradientTape() as tape:
    y = weight * weight + counter * counter
grad_weight, grad_counter = tape.gradient(y, [weight, counter])
print("trainable variable:    ", grad_weight)
print("non-trainable variable:", grad_counter)

with tf.GradientTape() as tape:
    tape.watch(counter)
    y = counter * counter
print("non-trainable, after tape.watch(counter):", tape.gradient(y, counter))

total = keras.Variable(3.0, trainable=False, name="total")  # add_weight makes these in Keras 3
with tf.GradientTape() as tape:
    try:
        tape.watch(total)
    except ValueError as error:
        print("tape.watch(total):", type(error).__name__, error)
    tape.watch(total.value)  # the tf.Variable the keras.Variable holds
    y = total * total
print("keras.Variable, after tape.watch(total.value):", tape.gradient(y, total))
# --8<-- [end:demo]
