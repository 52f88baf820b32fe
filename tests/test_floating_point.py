"""The sigmoid teaser's thresholds: exact floats where 1 / (1 + exp(-x)) becomes exactly 0 or 1."""
import math

import numpy as np
import pytest

from cnnlab.teaching.activations import floating_point as fp

CASES = [(formula, dtype, reaches) for formula in ("naive", "stable")
         for dtype in (np.float32, np.float64) for reaches in (0, 1)]


@pytest.mark.parametrize("formula, dtype, reaches", CASES)
def test_threshold_is_exact(formula, dtype, reaches):
    sigmoid = fp.SIGMOIDS[formula]
    x = fp.saturation_threshold(formula, reaches, dtype)
    assert isinstance(x, dtype)
    assert sigmoid(x, dtype)[()] == reaches
    toward_zero = np.nextafter(x, dtype(0))
    assert sigmoid(toward_zero, dtype)[()] != reaches
    # Saturated beyond the threshold as well (the bisection assumes it): a few floats further out.
    further = x
    for _ in range(5):
        further = np.nextafter(further, dtype(np.sign(reaches - 0.5) * np.inf))
        assert sigmoid(further, dtype)[()] == reaches


@pytest.mark.parametrize("dtype, bits", [(np.float32, 24), (np.float64, 53)])
@pytest.mark.parametrize("formula", ["naive", "stable"])
def test_exactly_one_where_exp_falls_below_half_an_ulp_of_one(formula, dtype, bits):
    # 1 + e rounds to 1 once e <= 2**-bits (half the gap above 1, ties to even), i.e. x >= bits ln 2.
    x = float(fp.saturation_threshold(formula, 1, dtype))
    assert x == pytest.approx(bits * math.log(2), abs=1e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_naive_reaches_zero_where_exp_overflows(dtype):
    x = fp.saturation_threshold("naive", 0, dtype)
    largest = float(np.finfo(dtype).max)
    with np.errstate(over="ignore"):
        assert np.isinf(np.exp(-x))
        assert np.isfinite(np.exp(-np.nextafter(x, dtype(0))))
    assert float(x) == pytest.approx(-math.log(largest), abs=1e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_reaches_zero_only_near_the_smallest_subnormal(dtype):
    # The stable formula is exp(x) / (1 + exp(x)) for x < 0: exactly 0 only once exp(x) underflows,
    # far beyond the naive formula's -log(largest float).
    x = float(fp.saturation_threshold("stable", 0, dtype))
    tiny = float(np.finfo(dtype).smallest_subnormal)
    assert x == pytest.approx(math.log(tiny), abs=1.0)
    assert x < float(fp.saturation_threshold("naive", 0, dtype)) - 10


def test_known_float64_values():
    assert float(fp.saturation_threshold("naive", 1, np.float64)) == pytest.approx(36.7368005696771, abs=1e-12)
    assert float(fp.saturation_threshold("naive", 0, np.float64)) == pytest.approx(-709.782712893384, abs=1e-9)


def test_table_has_every_case_and_prints_exactly():
    rows = fp.sigmoid_thresholds()
    assert len(rows) == 8
    for row in rows:
        assert row.value_at_x == row.reaches and row.value_there != row.reaches
        assert abs(row.next_toward_zero) < abs(row.x)
    table = fp.thresholds_markdown(rows)
    assert repr(rows[0].x) in table and table.count("\n") == 9


def test_naive_sigmoid_keeps_dtype_and_shape():
    y = fp.naive_sigmoid(np.zeros((2, 3), dtype=np.float32), np.float32)
    assert y.dtype == np.float32 and y.shape == (2, 3) and (y == 0.5).all()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="reaches"):
        fp.saturation_threshold("naive", 2)
    with pytest.raises(ValueError, match="formula"):
        fp.saturation_threshold("clever", 1)
    with pytest.raises(TypeError, match="dtype"):
        fp.saturation_threshold("naive", 1, np.int32)
