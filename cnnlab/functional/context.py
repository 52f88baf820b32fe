"""Context: what one forward pass leaves for its backward pass.

Every differentiable operation ``f`` of :mod:`cnnlab.functional` has the same two halves, as a PyTorch
autograd Function has::

    out, ctx = F.f_forward(input, ..., options)    # compute, and keep what the chain rule needs
    grads = F.f_backward(grad_output, ctx)         # dLoss/d(each array input), from dLoss/d(out)

``grads`` is one array when ``f`` has one array input, else a tuple with one entry per array input,
in order (``None`` for an input that needs no gradient). The plain ``F.f(input, ...)`` is the forward
alone, as in ``torch.nn.functional``.

Which inputs need a gradient is said once, at forward time, with ``needs_input_grad`` (one bool per
array input, all True by default). Backward skips the work for the others: the first layer of a
network does not need the gradient with respect to the images (about a tenth of a training epoch),
as PyTorch skips inputs that do not require a gradient.
"""

__all__ = ["Context"]


class Context:
    """The memory between ``f_forward`` and ``f_backward``, like PyTorch's autograd ``ctx``.

    Parameters
    ----------
    function : str
        The operation that made it, e.g. ``'conv2d'``; a backward checks it was given its own context.
    inputs : tuple of str
        The names of the operation's array inputs, in order, e.g. ``('input', 'weight', 'bias')``.
    needs_input_grad : sequence of bool, optional
        One per input: whether backward must compute its gradient. None means all of them.
    saved : dict of ndarray
        The arrays backward needs (the input, the weight, a mask ...). Read them, never change them.
    options : dict
        The forward's settings backward needs (stride, padding, reduction ...).
    """

    def __init__(self, function, inputs, needs_input_grad=None, saved=None, options=None):
        self.function = function
        self.inputs = tuple(inputs)
        if needs_input_grad is None:
            needs_input_grad = (True,) * len(self.inputs)
        needs_input_grad = tuple(needs_input_grad)
        if len(needs_input_grad) != len(self.inputs) or not all(isinstance(n, bool) for n in needs_input_grad):
            raise ValueError(f"needs_input_grad must hold one bool per input of {function} "
                             f"({', '.join(self.inputs)}), got {needs_input_grad!r}")
        self.needs_input_grad = needs_input_grad
        self.saved = dict(saved or {})
        self.options = dict(options or {})

    def grads(self, *grads):
        """The gradients to return: None where not needed, one array alone when there is one input."""
        grads = tuple(g if needed else None for g, needed in zip(grads, self.needs_input_grad))
        return grads[0] if len(grads) == 1 else grads

    def __repr__(self):
        saved = ", ".join(f"{name}{getattr(value, 'shape', '')}" for name, value in self.saved.items())
        return f"Context({self.function}, needs_input_grad={self.needs_input_grad}, saved: {saved or 'nothing'})"


def check_context(ctx, function):
    """``ctx`` checked to be the :class:`Context` of ``function``'s forward pass."""
    if not isinstance(ctx, Context):
        raise TypeError(f"{function}_backward needs the ctx returned by {function}_forward, got {type(ctx).__name__}")
    if ctx.function != function:
        raise TypeError(f"{function}_backward needs the ctx returned by {function}_forward, "
                        f"got one from {ctx.function}")
    return ctx
