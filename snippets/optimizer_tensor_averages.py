"""The same optimizer with its moving averages in a Python list of tensors: the wrong answer.

The list is rebound while tf.function traces the step, so it is left holding graph tensors.
The traced step computes each average from the zeros the list held when it was traced and the
step's own gradient: run alone, it trains with the loss sum(weight), whose gradient is [1, 1] on
every step, then with sum(weight ** 2), whose gradient 2 * weight changes from step to step.
"""

# --8<-- [start:optimizer]
import tensorflow as tf
from optimizer_moving_averages import MovingAverageSGD, squares, train


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
    # --8<-- [start:squares]
    print("the loss sum(weight ** 2), with the averages in variables:")
    train(MovingAverageSGD(name="in_variables"), loss=squares)
    print("the same, with the averages in a list of tensors:")
    train(TensorAverageSGD(name="in_tensors"), loss=squares)
    # --8<-- [end:squares]
