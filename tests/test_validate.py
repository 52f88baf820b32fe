"""cnnlab/_validate.py's finite check: one dot product decides for finite arrays, np.isfinite where it overflows."""
import warnings

import numpy as np
import pytest

import cnnlab.functional as F
from cnnlab._validate import all_finite


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("shape, where", [((5,), (4,)), ((3, 4, 5), (2, 0, 1)), ((), ())])
def test_one_nan_or_infinity_anywhere_is_found(dtype, bad, shape, where):
    x = np.ones(shape, dtype)
    assert all_finite(x)
    x[where] = bad
    assert not all_finite(x)
    assert not all_finite(np.moveaxis(x, -1, 0) if x.ndim else x)  # not contiguous: a copy is checked


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_finite_values_whose_squares_overflow_pass_without_a_warning(dtype):
    x = np.full((4, 3), np.finfo(dtype).max, dtype)
    x[0, 0] = -x[0, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert all_finite(x)
        assert all_finite(np.zeros((0, 3), dtype))


def test_a_layer_still_names_the_argument_that_holds_nan():
    x = np.ones((2, 1, 4, 4))
    x[1, 0, 3, 3] = np.nan
    with pytest.raises(ValueError, match="input contains NaN or infinity"):
        F.relu_forward(x)
    huge = np.full((2, 1, 4, 4), 1e300)  # finite: accepted, though its squares overflow
    assert F.relu(huge).max() == 1e300
