"""To write: one line that says what this example shows.

Written by `python -m tools.scaffold`: replace the code between the markers with your example,
then store what it prints with `.venv/bin/python -m tools.snippets refresh running_totals`.
"""

# --8<-- [start:demo]
import tensorflow as tf

total = tf.Variable(0.0)
total.assign_add(2.5)
print(total.numpy())
# --8<-- [end:demo]
