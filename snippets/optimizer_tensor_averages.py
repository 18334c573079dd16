"""The same optimizer with its moving averages in a Python list of tensors: the wrong answer.

The list is rebound while tf.function traces the step, so it is left holding graph tensors,
and every later step reuses the average computed at trace time.
"""

# --8<-- [start:optimizer]
import tensorflow as tf
from optimizer_moving_averages import MovingAverageSGD, train


class TensorAverageSGD(MovingAverageSGD):
    """Keeps the averages as plain tensors and replaces them on each step."""

    def build(self, variables):
        if self.built:
            return
        super(MovingAverageSGD, self).build(variables)
        self.averages = [tf.zeros_like(v) for v in variables]

    def update_step(self, gradient, variable, learning_rate):
        index = self._get_variable_index(variable)
        average = self.decay * self.averages[index] + (1 - self.decay) * gradient
        self.averages[index] = average  # rebinds a list item; no state changes in the graph
        self.assign_sub(variable, learning_rate * average)


# --8<-- [end:optimizer]


if __name__ == "__main__":
    # --8<-- [start:check]
    train(TensorAverageSGD())
    # --8<-- [end:check]
