"""Module: the base class of every layer, with forward, an explicit backward, and bookkeeping.

A layer is a function with memory. ``forward(x)`` computes the output and keeps what the chain rule
will need; ``backward(grad_output)`` receives dLoss/d(output), stores dLoss/d(parameter) in each
parameter's ``.grad`` and returns dLoss/d(input) for the layer before it. The bookkeeping
(parameters, train/eval, state_dict, printing) mirrors ``torch.nn.Module`` so it carries over.
"""
from collections import OrderedDict

import numpy as np

from .parameter import Parameter

__all__ = ["Module"]


class Module:
    """Base class of layers and networks.

    Subclasses set parameters and sub-layers as attributes (``self.weight = Parameter(...)``,
    ``self.conv = Conv2d(...)``) and implement :meth:`forward` and :meth:`backward`.
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # -- registration: attributes that are Parameters or Modules are remembered by name -------------
    def __setattr__(self, name, value):
        attributes = self.__dict__
        parameters, buffers = attributes.get("_parameters"), attributes.get("_buffers")
        modules = attributes.get("_modules")
        if parameters is None:
            raise AttributeError(f"call super().__init__() in {type(self).__name__}.__init__ before setting {name!r}")
        if not isinstance(value, (Parameter, Module)) and name not in parameters and name not in buffers \
                and name not in modules:
            object.__setattr__(self, name, value)  # the common case, every forward: a plain attribute (the ctx)
            return
        for registry in (parameters, buffers, modules):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name, array):
        """Keep ``array`` in the state_dict without training it (batch norm's running statistics)."""
        object.__setattr__(self, name, array)
        self._buffers[name] = array

    # -- the two halves of the chain rule ---------------------------------------------------------
    #: Whether ``backward`` returns the gradient with respect to the layer's input. True for a layer on
    #: its own; a :class:`~cnnlab.nn.Sequential` sets it for each of its layers (False for the first one
    #: when the network's input is data, see there). A layer passes it on to ``F.f_forward`` as the first
    #: entry of ``needs_input_grad``, with one entry per parameter (its ``requires_grad``).
    needs_input_grad = True

    def _needs_input_grad(self, *parameters):
        """``needs_input_grad`` for ``F.f_forward``: the input's flag, then one per parameter (None: no gradient)."""
        return (bool(self.needs_input_grad),) + tuple(p is not None and p.requires_grad for p in parameters)

    def _saved_ctx(self):
        """The ``ctx`` the last forward kept, or a clear error when backward comes first."""
        ctx = getattr(self, "_ctx", None)
        if ctx is None:
            raise RuntimeError(f"call forward before backward: {type(self).__name__}.backward needs what forward saw")
        return ctx

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} does not implement forward")

    def backward(self, grad_output):
        raise NotImplementedError(f"{type(self).__name__} does not implement backward")

    def __call__(self, *inputs):
        return self.forward(*inputs)

    # -- walking the tree -----------------------------------------------------------------------
    def children(self):
        return iter(self._modules.values())

    def named_children(self):
        return iter(self._modules.items())

    def named_modules(self, prefix=""):
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix=""):
        """Yield ``(name, Parameter)`` pairs, named as PyTorch names them (``0.weight``, ``conv1.bias``)."""
        for module_name, module in self.named_modules(prefix):
            for name, parameter in module._parameters.items():
                yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self):
        """Yield every learnable Parameter (what an optimizer updates)."""
        for _, parameter in self.named_parameters():
            yield parameter

    def named_buffers(self, prefix=""):
        for module_name, module in self.named_modules(prefix):
            for name, buffer in module._buffers.items():
                yield (f"{module_name}.{name}" if module_name else name), buffer

    def buffers(self):
        for _, buffer in self.named_buffers():
            yield buffer

    @property
    def num_parameters(self):
        """The number of learnable values, summed over every parameter."""
        return sum(p.size for p in self.parameters())

    # -- modes and gradients ----------------------------------------------------------------------
    def train(self, mode=True):
        """Training mode: dropout drops, batch norm uses the batch's statistics."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self):
        """Test mode: dropout passes everything through, batch norm uses its running statistics."""
        return self.train(False)

    def zero_grad(self):
        """Forget every parameter's gradient before the next backward pass."""
        for parameter in self.parameters():
            parameter.zero_grad()

    # -- saving and loading -------------------------------------------------------------------------
    def state_dict(self):
        """A plain dict ``{name: copy of the array}`` of every parameter and buffer."""
        state = OrderedDict()
        for name, parameter in self.named_parameters():
            state[name] = parameter.data.copy()
        for name, buffer in self.named_buffers():
            state[name] = np.array(buffer, copy=True)
        return state

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays from ``state_dict`` (as :meth:`state_dict` makes) into this module's parameters and buffers.

        Raises
        ------
        KeyError
            When ``strict`` and a name is missing or unexpected.
        ValueError
            When an array's shape differs from the parameter's.
        """
        own_parameters = dict(self.named_parameters())
        own_buffers = {name: module for name, module in self._buffer_owners()}
        missing = [k for k in list(own_parameters) + list(own_buffers) if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own_parameters and k not in own_buffers]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
        for name, parameter in own_parameters.items():
            if name in state_dict:
                value = np.asarray(state_dict[name])
                if value.shape != parameter.shape:
                    raise ValueError(f"load_state_dict: {name} has shape {value.shape}, expected {parameter.shape}")
                parameter.data = value.astype(parameter.dtype, copy=True)
        for name, (module, attribute) in own_buffers.items():
            if name in state_dict:
                old = module._buffers[attribute]
                value = np.asarray(state_dict[name])
                if np.shape(old) != value.shape:
                    raise ValueError(f"load_state_dict: {name} has shape {value.shape}, expected {np.shape(old)}")
                module.register_buffer(attribute, value.astype(np.asarray(old).dtype, copy=True))
        return self

    def _buffer_owners(self):
        for module_name, module in self.named_modules():
            for attribute in module._buffers:
                yield (f"{module_name}.{attribute}" if module_name else attribute), (module, attribute)

    # -- precision -------------------------------------------------------------------------------
    def to(self, dtype):
        """Convert every parameter and floating buffer to ``dtype`` (``np.float32`` or ``np.float64``), in place."""
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype}")
        for parameter in self.parameters():
            parameter.data = parameter.data.astype(dtype)
            if parameter.grad is not None:
                parameter.grad = parameter.grad.astype(dtype)
        for module in self.modules():
            for attribute, buffer in list(module._buffers.items()):
                if isinstance(buffer, np.ndarray) and buffer.dtype.kind == "f":
                    module.register_buffer(attribute, buffer.astype(dtype))
        return self

    def float(self):
        """Single precision (float32): half the memory and faster, as PyTorch's default."""
        return self.to(np.float32)

    def double(self):
        """Double precision (float64): what gradient checks need."""
        return self.to(np.float64)

    # -- printing --------------------------------------------------------------------------------
    def extra_repr(self):
        """The layer's settings, shown inside the parentheses of its repr."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        if not self._modules:
            return f"{type(self).__name__}({extra})"
        lines = [f"{type(self).__name__}("]
        if extra:
            lines.append(f"  {extra}")
        for name, child in self._modules.items():
            child_lines = repr(child).split("\n")
            lines.append(f"  ({name}): " + "\n  ".join(child_lines))
        lines.append(")")
        return "\n".join(lines)
