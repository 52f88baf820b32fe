"""Numerical gradient check: is a backward pass right? Compare it with centered differences.

The derivative of a scalar ``L`` with respect to one input value ``x_i`` is, to second order,

    dL/dx_i ~ (L(x + h e_i) - L(x - h e_i)) / (2 h)

so nudging each value up and down and re-running the forward pass gives a gradient nobody derived by
hand. To check ``backward`` for an output of any shape, the scalar is ``L = sum(output * G)`` for a fixed
random array ``G``: then dL/d(output) = G, which is what we pass to ``backward``.

The two gradients are compared by their relative error ``|analytic - numerical| / max(|analytic|, |numerical|)``
(Euclidean norms over the whole array). In float64 with h = 1e-6 a correct backward gives about 1e-7 or
less; a wrong one (a missing term, a transposed weight, a forgotten stride) gives 1e-2 to 1.
"""
import copy
import inspect

import numpy as np

__all__ = ["gradcheck", "GradcheckResult", "numerical_gradient"]

DEFAULT_THRESHOLD = 1e-6


class GradcheckResult:
    """The outcome of :func:`gradcheck`: one relative error per checked array.

    ``bool(result)`` is True when every error is below the threshold; ``print(result)`` explains.

    Attributes
    ----------
    errors : dict
        ``{name: relative error}``, e.g. ``{"input": 3e-10, "weight": 1e-10, "bias": 4e-11}``.
    threshold : float
    passed : bool
    max_error : float
    """

    def __init__(self, errors, threshold, what):
        self.errors = dict(errors)
        self.threshold = threshold
        self.what = what
        self.max_error = max(self.errors.values()) if self.errors else 0.0
        self.passed = bool(self.max_error < threshold)

    def __bool__(self):
        return self.passed

    def lines(self):
        for name, error in self.errors.items():
            verdict = "<" if error < self.threshold else ">="
            mark = "ok" if error < self.threshold else "WRONG"
            yield f"  d/d{name}: relative error {error:.1e} {verdict} {self.threshold:.0e}  {mark}"

    def __str__(self):
        verdict = "backward is right" if self.passed else "backward is WRONG"
        head = f"gradcheck of {self.what}: {verdict}"
        return "\n".join([head, *self.lines()])

    def __repr__(self):
        errors = ", ".join(f"{name}={error:.1e}" for name, error in self.errors.items())
        return f"GradcheckResult(passed={self.passed}, {errors}, threshold={self.threshold:.0e})"


def relative_error(analytic, numerical):
    """``|a - n| / max(|a|, |n|)`` in the Euclidean norm; 0 when both are zero."""
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numerical))
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numerical) / scale)


def numerical_gradient(scalar_function, array, eps=1e-6, indices=None):
    """Centered differences of ``scalar_function()`` with respect to ``array``, changed in place and restored.

    Parameters
    ----------
    scalar_function : callable
        Takes no arguments and returns a float that depends on ``array``'s current values.
    array : ndarray, float64
        Nudged one value at a time.
    eps : float
        The step h.
    indices : ndarray of int, optional
        Flat indices to check; the others are left 0 (used to check a sample of a large array).

    Returns
    -------
    ndarray, same shape as ``array``
    """
    gradient = np.zeros_like(array)
    flat, flat_gradient = array.reshape(-1), gradient.reshape(-1)
    if flat.base is not None and not np.shares_memory(flat, array):
        raise ValueError("array must be contiguous so that it can be nudged in place")
    for i in (range(flat.size) if indices is None else indices):
        original = flat[i]
        flat[i] = original + eps
        plus = scalar_function()
        flat[i] = original - eps
        minus = scalar_function()
        flat[i] = original
        flat_gradient[i] = (plus - minus) / (2 * eps)
    return gradient


def _is_module(obj):
    from .nn.module import Module
    return isinstance(obj, Module)


def _contract_of(function):
    """``(f_forward, f_backward)`` of ``cnnlab.functional`` for ``f`` (or for ``f_forward`` itself)."""
    from . import functional
    name = getattr(function, "__name__", "")
    name = name[:-len("_forward")] if name.endswith("_forward") else name
    forward, backward = getattr(functional, f"{name}_forward", None), getattr(functional, f"{name}_backward", None)
    if forward is None or backward is None:
        raise ValueError(f"no backward given for {name or function!r} and cnnlab.functional has no {name}_backward: "
                         "pass backward=...")
    return forward, backward


def _sample(size, max_checks, rng):
    if max_checks is None or size <= max_checks:
        return None
    return rng.choice(size, size=max_checks, replace=False)


def _compare(errors, name, analytic, scalar, array, eps, max_checks, rng):
    indices = _sample(array.size, max_checks, rng)
    numerical = numerical_gradient(scalar, array, eps, indices)
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != array.shape:
        raise ValueError(f"backward returned a gradient of shape {analytic.shape} for {name}, expected {array.shape}")
    if indices is not None:
        analytic = analytic.reshape(-1)[indices]
        numerical = numerical.reshape(-1)[indices]
    errors[name] = relative_error(analytic, numerical)


def gradcheck(function_or_layer, inputs, backward=None, *, eps=1e-6, threshold=DEFAULT_THRESHOLD,
              check_parameters=True, max_checks=None, seed=0, **options):
    """Check a backward pass against centered differences and return a :class:`GradcheckResult`.

    Parameters
    ----------
    function_or_layer : callable or cnnlab.nn.Module
        - a layer: ``layer(x)`` then ``layer.backward(G)``; the input gradient and every parameter's
          gradient are checked (on a float64 copy of the layer, so the original is untouched);
        - a loss module (``CrossEntropyLoss()`` ...): ``loss(input, target)`` then ``loss.backward()``;
          only the input is checked;
        - a function ``f`` of ``cnnlab.functional`` (or its ``f_forward``): ``out, ctx = f_forward(*inputs,
          **options)`` then ``f_backward(G, ctx)``, found by name; every floating-point array among
          ``inputs`` is checked;
        - any other function, with its derivative given as ``backward(G, *inputs, **options)``.
    inputs : ndarray or tuple of ndarray
        Converted to float64: in float32 the differences drown in rounding.
    backward : callable, optional
        ``backward(G, *inputs, **options)``, for a function that is not one of ``cnnlab.functional``.
    eps : float
        The step h of the centered differences.
    threshold : float
        Relative errors below this pass (1e-6 by default; a wrong gradient is usually above 1e-2).
    check_parameters : bool
        For a layer, also check each parameter's gradient.
    max_checks : int, optional
        Check at most this many randomly chosen values per array (each costs two forward passes).
    seed : int
        Seeds the upstream gradient ``G`` and the sample of checked values.
    **options
        Keyword arguments passed to the function (e.g. ``stride=2``).

    Returns
    -------
    GradcheckResult
        ``print`` it to read e.g. ``d/dinput: relative error 3.1e-10 < 1e-06  ok``; ``bool`` it to assert.

    Examples
    --------
    >>> layer = cnnlab.nn.Conv2d(1, 2, 3, rng=0)                      # doctest: +SKIP
    >>> print(gradcheck(layer, np.random.default_rng(0).normal(size=(2, 1, 5, 5))))   # doctest: +SKIP
    gradcheck of Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1)): backward is right
      d/dinput: relative error 2.1e-10 < 1e-06  ok
      ...
    """
    # a stream of its own: an upstream gradient equal to the caller's default_rng(seed) input could
    # hide errors (batch norm's input gradient is exactly 0 along the input itself)
    rng = np.random.default_rng([seed, 1])
    raw_inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    arrays = [np.array(a, dtype=np.float64) if _is_floating(a) else a for a in raw_inputs]
    differences = dict(eps=eps, max_checks=max_checks, rng=rng)

    if _is_module(function_or_layer):
        layer = copy.deepcopy(function_or_layer).double()
        if _is_loss(layer):
            errors = _check_loss(layer, arrays, **differences)
        else:
            errors = _check_layer(layer, arrays[0], check_parameters, **differences)
        return GradcheckResult(errors, threshold, repr(function_or_layer))
    errors = _check_function(function_or_layer, arrays, backward, options, **differences)
    return GradcheckResult(errors, threshold, getattr(function_or_layer, "__name__", repr(function_or_layer)))


def _check_loss(loss, arrays, eps, max_checks, rng):
    """Relative error of a loss module's input gradient; its other inputs (the targets) stay fixed."""
    errors = {}
    x, rest = arrays[0], arrays[1:]
    upstream = rng.standard_normal(np.shape(loss(x, *rest)))
    analytic = loss.backward(upstream.copy())
    _compare(errors, "input", analytic, lambda: float(np.sum(loss(x, *rest) * upstream)), x, eps, max_checks, rng)
    return errors


def _check_layer(layer, x, check_parameters, eps, max_checks, rng):
    """Relative errors of a (float64) layer's input gradient and, if asked, of each parameter's gradient."""
    errors = {}
    layer.needs_input_grad = True  # a network skips its input's gradient unless asked (see Sequential)
    output = layer(x)
    upstream = rng.standard_normal(np.shape(output))
    layer.zero_grad()
    analytic_input = layer.backward(upstream.copy())
    analytic_parameters = {name: (p, p.grad) for name, p in layer.named_parameters()}

    def scalar():
        return float(np.sum(layer(x) * upstream))

    _compare(errors, "input", analytic_input, scalar, x, eps, max_checks, rng)
    if check_parameters:
        for name, (parameter, grad) in analytic_parameters.items():
            if grad is None:
                raise ValueError(f"{type(layer).__name__}.backward did not store a gradient for {name}")
            _compare(errors, name, grad, scalar, parameter.data, eps, max_checks, rng)
    return errors


def _check_function(function, arrays, backward, options, eps, max_checks, rng):
    """Relative error of each floating-point input's gradient, from ``backward`` or the function's contract."""
    errors = {}
    if backward is None:
        forward, contract_backward = _contract_of(function)
        output, ctx = forward(*arrays, **options)
        upstream = rng.standard_normal(np.shape(output))
        analytic = contract_backward(upstream.copy(), ctx)

        def evaluate():
            return forward(*arrays, **options)[0]
    else:
        def evaluate():
            return function(*arrays, **options)
        upstream = rng.standard_normal(np.shape(evaluate()))
        analytic = backward(upstream.copy(), *arrays, **options)
    if not isinstance(analytic, tuple):
        analytic = (analytic,)
    names = _argument_names(function, len(arrays))

    def scalar():
        return float(np.sum(evaluate() * upstream))

    floating = [i for i, a in enumerate(arrays) if isinstance(a, np.ndarray) and a.dtype == np.float64]
    for position, index in enumerate(floating):
        if position >= len(analytic) or analytic[position] is None:
            continue
        _compare(errors, names[index], analytic[position], scalar, arrays[index], eps, max_checks, rng)
    return errors


def _is_floating(a):
    return a is not None and not isinstance(a, (str, bool)) and np.asarray(a).dtype.kind == "f"


def _is_loss(layer):
    from .nn.loss import Loss
    return isinstance(layer, Loss)


def _argument_names(function, count):
    try:
        names = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"input{i}" for i in range(count)]


