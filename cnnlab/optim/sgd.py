"""Stochastic gradient descent: the lecture's "update = learning rate x gradient"."""
import numpy as np

from .optimizer import Optimizer, _non_negative

__all__ = ["SGD"]


class SGD(Optimizer):
    """Step every parameter against its gradient: ``w <- w - lr * g``.

    With momentum the step is a running sum of gradients, ``v <- momentum * v + g; w <- w - lr * v``,
    which rolls through small bumps and speeds along consistent slopes. Same rule as ``torch.optim.SGD``
    (the first step sets ``v = g``).

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
        Learning rate.
    momentum : float
    dampening : float
    weight_decay : float
        Adds ``weight_decay * w`` to the gradient (L2 regularization).
    nesterov : bool
    """

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params)
        self.lr = _non_negative(lr, "lr")
        self.momentum = _non_negative(momentum, "momentum")
        self.dampening = _non_negative(dampening, "dampening")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("nesterov needs a momentum above 0 and dampening 0")
        self.nesterov = nesterov

    def step(self):
        for p in self._params_with_grad():
            grad = p.grad
            if self.weight_decay:
                grad = grad + self.weight_decay * p.data
            if self.momentum:
                velocity = self.state.get(id(p))
                if velocity is None:
                    velocity = self.state[id(p)] = np.array(grad, dtype=p.data.dtype)
                else:
                    velocity *= self.momentum
                    velocity += (1 - self.dampening) * grad
                grad = grad + self.momentum * velocity if self.nesterov else velocity
            p.data -= (self.lr * grad).astype(p.data.dtype, copy=False)

    def __repr__(self):
        return f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay})"
