"""Optimizer: the part shared by every update rule (which parameters, forgetting gradients)."""
import numbers

from ..nn.parameter import Parameter

__all__ = ["Optimizer"]


def _non_negative(value, name):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a number at least 0, got {value!r}")
    return float(value)


class Optimizer:
    """Holds the parameters to update; subclasses implement :meth:`step`.

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``.
    """

    def __init__(self, params):
        if isinstance(params, Parameter):
            raise TypeError("params must be an iterable of Parameters, e.g. model.parameters(), got a single Parameter")
        try:
            self.params = list(params)
        except TypeError:
            raise TypeError("params must be an iterable of Parameters, e.g. model.parameters(), "
                            f"got {params!r}") from None
        if not self.params:
            raise ValueError("optimizer got an empty parameter list: does the model have any layers with weights?")
        for p in self.params:
            if not isinstance(p, Parameter):
                raise TypeError(f"params must hold Parameters, got {type(p).__name__}")
        self.state = {}  # per-parameter memory (momentum, Adam's moments), keyed by id

    def zero_grad(self):
        """Forget every gradient: without this, each backward pass adds to the previous one."""
        for p in self.params:
            p.zero_grad()

    def step(self):
        raise NotImplementedError

    def _params_with_grad(self):
        return [p for p in self.params if p.grad is not None and p.requires_grad]
