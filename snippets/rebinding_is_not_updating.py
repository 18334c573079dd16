"""`t = t + 1` makes a new tensor and moves the name; assign_add changes the variable itself."""

# --8<-- [start:demo]
import tensorflow as tf

tensor = tf.zeros([1])
before = tensor
tensor = tensor + 6.0
print("tensor:   same object after update?", tensor is before, "| old value:", before.numpy())

variable = tf.Variable([0.0])
before = variable
variable.assign_add([6.0])
print("variable: same object after update?", variable is before, "| old name sees:", before.numpy())
# --8<-- [end:demo]
