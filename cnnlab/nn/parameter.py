"""Parameter: a learnable array and the gradient of the loss with respect to it."""
import numpy as np

__all__ = ["Parameter"]


class Parameter:
    """A learnable array of a layer, with its gradient beside it.

    Like ``torch.nn.Parameter``: ``data`` holds the values an optimizer changes, ``grad`` holds
    dLoss/d(data) after a backward pass (``None`` before the first one and after ``zero_grad``).
    Gradients *accumulate*: two backward passes without ``zero_grad`` in between add up, as in PyTorch.

    Parameters
    ----------
    data : ndarray
        The initial values; float32 and float64 keep their dtype, anything else becomes float64.
    requires_grad : bool
        False for values the optimizer must not change.

    Examples
    --------
    >>> p = Parameter(np.zeros((2, 3)))
    >>> p.shape, p.grad is None
    ((2, 3), True)
    """

    def __init__(self, data, requires_grad=True):
        data = np.asarray(data)
        if data.dtype not in (np.float32, np.float64):
            data = data.astype(np.float64)
        self.data = data
        self.grad = None
        self.requires_grad = requires_grad

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        """The number of values (what a parameter count adds up)."""
        return self.data.size

    def accumulate_grad(self, grad):
        """Add ``grad`` (same shape as ``data``) to ``self.grad``: the chain rule sums over every use.

        ``grad`` is None when the backward pass skipped it (``requires_grad`` False): nothing to add.
        """
        if not self.requires_grad or grad is None:
            return
        if grad.shape != self.data.shape:
            raise ValueError(f"gradient of shape {grad.shape} does not match the parameter's shape {self.data.shape}")
        if self.grad is None:
            self.grad = np.array(grad, dtype=self.data.dtype)  # a copy we own, so later += is safe
        else:
            self.grad += grad

    def zero_grad(self):
        """Forget the gradient (``None``, as PyTorch's default ``set_to_none=True``)."""
        self.grad = None

    def __repr__(self):
        return f"Parameter containing:\n{self.data!r}"

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)
