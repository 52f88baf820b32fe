"""A small centred-difference gradient for the functional tests (cnnlab.gradcheck is the library's own)."""
import numpy as np


def numerical_gradient(f, x, grad_output=None, h=1e-6):
    """d/dx of sum(f(x) * grad_output), one element at a time: (f(x + h) - f(x - h)) / 2h.

    ``x`` must be float64; ``grad_output`` defaults to ones (so a scalar f gives its plain gradient).
    """
    x = np.array(x, dtype=np.float64)
    weights = None if grad_output is None else np.asarray(grad_output, dtype=np.float64)

    def scalar(value):
        out = np.asarray(f(value), dtype=np.float64)
        return float(out.sum() if weights is None else (out * weights).sum())

    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = scalar(x)
        x[index] = saved - h
        minus = scalar(x)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def assert_gradient(f, backward, x, grad_output=None, rtol=1e-5, atol=1e-7, h=1e-6):
    """Check an analytic gradient ``backward`` (an array) against :func:`numerical_gradient`."""
    expected = numerical_gradient(f, x, grad_output, h)
    np.testing.assert_allclose(backward, expected, rtol=rtol, atol=atol)
