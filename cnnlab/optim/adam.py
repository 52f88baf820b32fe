"""Adam: SGD with momentum plus a per-weight step size from the gradient's recent size."""
import math

import numpy as np

from .optimizer import Optimizer, _non_negative

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), the same update as ``torch.optim.Adam``.

    m <- b1 m + (1 - b1) g                (running mean of gradients: momentum)
    v <- b2 v + (1 - b2) g^2              (running mean of squared gradients: their size)
    w <- w - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

    The ``1 - b^t`` factors undo the bias of starting m and v at zero. Each weight's step is about
    ``lr`` whatever the scale of its gradient, which is why Adam needs little tuning.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
    betas : tuple of float
        ``(b1, b2)``, each in [0, 1).
    eps : float
    weight_decay : float
        Adds ``weight_decay * w`` to the gradient (L2, as PyTorch's Adam, not AdamW).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params)
        self.lr = _non_negative(lr, "lr")
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = _non_negative(eps, "eps")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")

    def step(self):
        beta1, beta2 = self.betas
        for p in self._params_with_grad():
            grad = p.grad
            if self.weight_decay:
                grad = grad + self.weight_decay * p.data
            state = self.state.get(id(p))
            if state is None:
                state = self.state[id(p)] = {"step": 0, "m": np.zeros_like(p.data), "v": np.zeros_like(p.data)}
            state["step"] += 1
            m, v, t = state["m"], state["v"], state["step"]
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            step_size = self.lr / (1 - beta1 ** t)
            denominator = np.sqrt(v)
            denominator /= math.sqrt(1 - beta2 ** t)
            denominator += self.eps
            p.data -= (step_size * m / denominator).astype(p.data.dtype, copy=False)

    def __repr__(self):
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay})"
