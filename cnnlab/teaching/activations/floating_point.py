"""The sigmoid teaser: can 1 / (1 + exp(-x)) come out as exactly 0 or exactly 1 on a computer?

On paper the sigmoid never reaches 0 or 1. In floating point it does, because the numbers near 0
and near 1 are finitely many: once the true value is closer to 1 than to the last float below 1,
the rounded answer *is* 1. This module finds the exact threshold ``x`` where that first happens,
for float32 and float64, for the lecture's formula taken literally ("naive") and for the
numerically stable version in :func:`cnnlab.functional.sigmoid`.

The search is a bisection over floats: keep an interval ``[lo, hi]`` with the answer inside and
halve it until ``lo`` and ``hi`` are neighbouring floats (``np.nextafter(lo, hi) == hi``), so
the threshold is exact, not an approximation. Nothing here is fitted or guessed; the tests check
that at each threshold the value is exactly 0 (or 1) and that the next float toward zero is not.
"""
from dataclasses import dataclass

import numpy as np

from ... import functional as F
from ..._validate import choice

DTYPES = (np.float32, np.float64)
# Both sigmoids are exactly 0 by x = -1000 and exactly 1 by x = +1000 in float32 and float64.
_FAR = 1000.0


def naive_sigmoid(x, dtype=np.float64):
    """The lecture's formula ``1 / (1 + exp(-x))`` evaluated literally, every step in ``dtype``.

    For very negative ``x``, ``exp(-x)`` overflows to infinity and ``1 / inf`` is 0; NumPy's
    overflow warning is silenced because the overflow is what we are studying.

    Parameters
    ----------
    x : float or ndarray, any shape
    dtype : np.float32 or np.float64

    Returns
    -------
    ndarray, same shape as ``x``, of ``dtype``
    """
    dtype = _check_dtype(dtype)
    x = np.asarray(x, dtype=dtype)
    one = dtype(1)
    with np.errstate(over="ignore"):
        return one / (one + np.exp(-x))


def stable_sigmoid(x, dtype=np.float64):
    """cnnlab's numerically stable sigmoid, :func:`cnnlab.functional.sigmoid`, in ``dtype``.

    Parameters
    ----------
    x : float or ndarray, any shape
    dtype : np.float32 or np.float64

    Returns
    -------
    ndarray, same shape as ``x``, of ``dtype``
    """
    dtype = _check_dtype(dtype)
    return np.asarray(F.sigmoid(np.asarray(x, dtype=dtype)), dtype=dtype)


SIGMOIDS = {"naive": naive_sigmoid, "stable": stable_sigmoid}


def saturation_threshold(formula, reaches, dtype=np.float64):
    """The exact float ``x`` where a sigmoid first rounds to exactly ``reaches`` (0 or 1).

    For ``reaches=1`` it is the smallest ``x`` with ``sigmoid(x) == 1``; for ``reaches=0`` the
    largest (closest to zero) ``x`` with ``sigmoid(x) == 0``. Either way, ``sigmoid(x)`` is exactly
    ``reaches`` and at ``np.nextafter(x, 0)``, the next float toward zero, it is not.

    Parameters
    ----------
    formula : {'naive', 'stable'}
        ``'naive'`` is the lecture's 1 / (1 + exp(-x)); ``'stable'`` is :func:`cnnlab.functional.sigmoid`.
    reaches : {0, 1}
    dtype : np.float32 or np.float64

    Returns
    -------
    np.float32 or np.float64 scalar
    """
    choice(formula, "formula", tuple(SIGMOIDS))
    choice(reaches, "reaches", (0, 1))
    dtype = _check_dtype(dtype)
    sigmoid = SIGMOIDS[formula]
    target = dtype(reaches)

    def saturated(x):
        return sigmoid(x, dtype)[()] == target

    # Bracket: `inside` is saturated, `outside` (x = 0, where sigmoid is 0.5) is not.
    inside, outside = dtype(_FAR if reaches == 1 else -_FAR), dtype(0)
    if not saturated(inside):
        raise ValueError(f"the {formula} sigmoid does not reach {reaches} at x = {float(inside)} in {dtype.__name__}")
    return _bisect(saturated, inside, outside)


def _bisect(saturated, inside, outside):
    """Shrink [inside, outside] until they are neighbouring floats; return the last saturated one.

    The bisection assumes what the sigmoid guarantees: once saturated, saturated for every x
    further from zero.
    """
    two = inside.dtype.type(2)
    while np.nextafter(inside, outside) != outside:
        middle = inside + (outside - inside) / two
        if middle == inside or middle == outside:  # halving can round to an end: step one float instead
            middle = np.nextafter(inside, outside)
        if saturated(middle):
            inside = middle
        else:
            outside = middle
    return inside


@dataclass(frozen=True)
class Threshold:
    """One row of the teaser's table: where a sigmoid first rounds to exactly 0 or 1."""

    formula: str
    dtype: str
    reaches: int
    x: float
    value_at_x: float
    next_toward_zero: float
    value_there: float


def sigmoid_thresholds():
    """Every threshold of the teaser: 2 formulas x 2 dtypes x (exactly 0, exactly 1).

    Returns
    -------
    list of Threshold
        ``x`` and ``next_toward_zero`` are the neighbouring floats on either side of the threshold,
        converted exactly to Python floats (float32 to float64 loses nothing).
    """
    rows = []
    for formula, sigmoid in SIGMOIDS.items():
        for dtype in DTYPES:
            for reaches in (0, 1):
                x = saturation_threshold(formula, reaches, dtype)
                neighbour = np.nextafter(x, dtype(0))
                rows.append(Threshold(formula, dtype.__name__, reaches, float(x), float(sigmoid(x, dtype)),
                                      float(neighbour), float(sigmoid(neighbour, dtype))))
    return rows


def thresholds_markdown(rows=None):
    """The thresholds as a Markdown table, each float printed exactly: ``repr``, and its bits with ``float.hex``."""
    rows = sigmoid_thresholds() if rows is None else rows
    lines = ["| formula | dtype | exactly | from x = | its bits | sigmoid(x) | next float toward 0 | sigmoid there |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        lines.append(f"| {row.formula} | {row.dtype} | {row.reaches} | `{row.x!r}` | `{row.x.hex()}` "
                     f"| `{row.value_at_x!r}` | `{row.next_toward_zero!r}` | `{row.value_there!r}` |")
    return "\n".join(lines)


def _check_dtype(dtype):
    dtype = np.dtype(dtype).type if not isinstance(dtype, type) else dtype
    if dtype not in DTYPES:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
    return dtype
