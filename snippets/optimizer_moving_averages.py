"""The practice question's answer: a Keras 3 optimizer keeps its moving averages in variables.

Run alone, it trains one weight for three steps inside tf.function; the gradient is [1, 1] on
every step, so the average should grow 0.1, 0.19, 0.271.
"""

# --8<-- [start:optimizer]
import keras
import tensorflow as tf


class MovingAverageSGD(keras.optimizers.Optimizer):
    """Steps each weight along a moving average of its gradients."""

    def __init__(self, learning_rate=0.1, decay=0.9, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.decay = decay

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        # One variable per weight, with its shape and dtype, owned and tracked by the optimizer.
        self.averages = [self.add_variable_from_reference(v, "average") for v in variables]

    def update_step(self, gradient, variable, learning_rate):
        # _get_variable_index is how Keras's own optimizers find a weight's slot.
        average = self.averages[self._get_variable_index(variable)]
        self.assign(average, self.decay * average + (1 - self.decay) * gradient)
        self.assign_sub(variable, learning_rate * average)


# --8<-- [end:optimizer]


# --8<-- [start:train]
def train(optimizer, loss=tf.reduce_sum, steps=3):
    """Runs `steps` traced training steps of `loss(weight)`, printing the state after each.

    The default loss, the sum of the weight, has the gradient [1, 1] on every step.
    """
    weight = keras.Variable([1.0, 2.0], name="weight")

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            value = loss(weight)
        gradients = tape.gradient(value, [weight])
        optimizer.apply_gradients(zip(gradients, [weight], strict=True))

    for step in range(1, steps + 1):
        before = weight.numpy()
        train_step()
        moved = (before - weight.numpy()).round(5)
        print(
            f"step {step}: weight {weight.numpy()}, moved {moved}, average {optimizer.averages[0]}"
        )
    print("optimizer variables:", [v.path for v in optimizer.variables])


def squares(weight):
    """A loss whose gradient changes from step to step: 2 * weight."""
    return tf.reduce_sum(tf.square(weight))


# --8<-- [end:train]


if __name__ == "__main__":
    # --8<-- [start:check]
    train(MovingAverageSGD())
    # --8<-- [end:check]
