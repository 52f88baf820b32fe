"""Numerical gradients of array functions for the tests, on cnnlab.gradcheck's centred differences."""
import numpy as np

from cnnlab.gradcheck import numerical_gradient as centred_differences


def numerical_gradient(f, x, grad_output=None, h=1e-6):
    """d/dx of sum(f(x) * grad_output), by cnnlab.gradcheck's centred differences (f(x + h) - f(x - h)) / 2h.

    ``x`` is copied to float64; ``grad_output`` defaults to ones (so a scalar f gives its plain gradient).
    """
    x = np.array(x, dtype=np.float64)
    weights = None if grad_output is None else np.asarray(grad_output, dtype=np.float64)

    def scalar():
        out = np.asarray(f(x), dtype=np.float64)
        return float(out.sum() if weights is None else (out * weights).sum())

    return centred_differences(scalar, x, eps=h)


def assert_gradient(f, backward, x, grad_output=None, rtol=1e-5, atol=1e-7, h=1e-6):
    """Check an analytic gradient ``backward`` (an array) against :func:`numerical_gradient`."""
    expected = numerical_gradient(f, x, grad_output, h)
    np.testing.assert_allclose(backward, expected, rtol=rtol, atol=atol)
