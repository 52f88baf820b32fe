"""Sequential: layers applied one after another, and the chain rule applied back through them."""
import numpy as np

from . import chain, two_halves
from .module import Module

__all__ = ["Sequential"]


class Sequential(Module):
    """A stack of layers: the output of each is the input of the next.

    ``forward`` runs the layers in order; ``backward`` runs their ``backward`` in reverse order,
    passing each layer's input gradient to the layer before it: that is the chain rule, layer by layer.

    Which input gradients are computed: every layer's but the first one's. The network's input is data
    (the images of a batch): nothing learns from it, so, as PyTorch skips an input tensor without
    ``requires_grad``, the first layer does not compute its gradient (about a tenth of a training epoch)
    and ``backward`` returns None. This holds in ``fit`` and in a plain training loop alike. Set
    ``net.needs_input_grad = True`` before the forward pass to get it (a saliency map, a gradient check,
    a network nested in another). ``forward`` passes the flag on to each layer's ``needs_input_grad``,
    which goes into its ``ctx.needs_input_grad``.

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
            hint = ""
            if isinstance(layer, type):
                hint = " (did you pass the class instead of an instance, e.g. ReLU instead of ReLU()?)"
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

    #: The network's input is data and needs no gradient (see the class docstring).
    needs_input_grad = False

    def forward(self, x):
        layers = list(self._modules.values())
        for index, layer in enumerate(layers):
            # the first layer's input is the network's input; every other layer's input is a layer's output
            layer.needs_input_grad = self.needs_input_grad if index == 0 else True
        # A large batch through layers that treat each example on its own: one half per core (two_halves.py).
        parts = two_halves.halves(layers, x) if isinstance(x, np.ndarray) else None
        self._halves = None
        if parts is not None:
            x, replicas = two_halves.forward(layers, x, parts)
            self._halves = (replicas, parts, x.shape)
            return x
        return chain.forward(layers, x)

    def backward(self, grad_output):
        """Run every layer's backward, last layer first; return the gradient w.r.t. the network's input.

        Parameters
        ----------
        grad_output : ndarray
            dLoss/d(output of the last layer), e.g. ``loss_fn.backward()``.

        Returns
        -------
        ndarray, the input's shape, or None unless ``needs_input_grad`` was True at forward time
        """
        layers = list(self._modules.values())
        if getattr(self, "_halves", None) is not None:  # forward split the batch: so does backward
            replicas, parts, output_shape = self._halves
            if np.shape(grad_output) != output_shape:
                raise ValueError(f"grad_output must have the shape of the network's output {output_shape}, "
                                 f"got {np.shape(grad_output)}")
            return two_halves.backward(layers, replicas, np.asarray(grad_output), parts)
        return chain.backward(layers, grad_output)
