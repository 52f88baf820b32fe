"""Sequential: layers applied one after another, and the chain rule applied back through them."""
from .module import Module

__all__ = ["Sequential"]


class Sequential(Module):
    """A stack of layers: the output of each is the input of the next.

    ``forward`` runs the layers in order; ``backward`` runs their ``backward`` in reverse order,
    passing each layer's input gradient to the layer before it: that is the chain rule, layer by layer.

    Examples
    --------
    >>> net = Sequential(Linear(4, 3), ReLU(), Linear(3, 2))   # doctest: +SKIP
    >>> net[0]                                                 # doctest: +SKIP
    Linear(in_features=4, out_features=3, bias=True)
    """

    def __init__(self, *layers):
        super().__init__()
        for index, layer in enumerate(layers):
            self.append(layer, index)

    def append(self, layer, index=None):
        """Add ``layer`` at the end."""
        if not isinstance(layer, Module):
            hint = " (did you pass the class instead of an instance, e.g. ReLU instead of ReLU()?)" if isinstance(layer, type) else ""
            raise TypeError(f"Sequential takes layers (Modules), got {layer!r}{hint}")
        setattr(self, str(len(self._modules) if index is None else index), layer)
        return self

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        layers = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*layers[index])
        return layers[index]

    def forward(self, x):
        for layer in self._modules.values():
            x = layer(x)
        return x

    def backward(self, grad_output, input_grad=True):
        """Run every layer's backward, last layer first, and return the gradient w.r.t. the network's input.

        Parameters
        ----------
        grad_output : ndarray
            dLoss/d(output of the last layer), e.g. ``loss_fn.backward()``.
        input_grad : bool
            False when nobody needs the gradient with respect to the input (the images of a training
            batch: nothing learns from them). The first layer may then skip computing it, as PyTorch
            skips inputs that do not require a gradient, and None is returned.
        """
        layers = list(self._modules.values())
        for layer in reversed(layers[1:]):
            grad_output = layer.backward(grad_output)
        first = layers[0]
        if not input_grad and getattr(first, "can_skip_input_grad", False):
            return first.backward(grad_output, input_grad=False)
        return first.backward(grad_output)
