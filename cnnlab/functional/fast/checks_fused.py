"""The finite check of every layer's input and gradient as one fused loop (numba, see :mod:`.jit`).

``np.isfinite(x).all()`` makes two passes (a mask, then its reduction) and holds Python's lock for
the second; a dot product with itself is one pass but calls the BLAS, whose threads then compete with
other threads for the cores (a float64 benchmark ran 4x slower beside PyTorch). This loop is one pass,
on the calling thread, without the lock.
"""
from .jit import compiled

__all__ = []


@compiled
def _sum_of_self_differences(values):
    """``sum of (v - v)`` over a flat array: 0 when every value is finite, NaN as soon as one is not.

    ``inf - inf`` and ``nan - nan`` are NaN, and NaN stays NaN through every addition; the loop may add
    in any order (it runs on vector lanes) but never assumes the values finite (see :data:`.jit.FASTMATH`).
    """
    total = values.dtype.type(0)
    for i in range(values.size):
        total += values[i] - values[i]
    return total


def all_finite(array):
    """True when the float array ``array`` holds no NaN and no infinity."""
    return _sum_of_self_differences(array.reshape(-1)) == 0
