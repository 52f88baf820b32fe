"""cnnlab/_validate.py's finite check, on NumPy's path and in the fused loop (numba) for large arrays."""
import numpy as np
import pytest

import cnnlab.functional as F
from cnnlab._validate import all_finite
from _fused_loops import fused_loops


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("shape, where", [((5,), (4,)), ((3, 4, 5), (2, 0, 1)), ((70000,), (69999,))])
def test_one_nan_or_infinity_anywhere_is_found(fused, dtype, bad, shape, where):
    x = np.ones(shape, dtype)
    with fused_loops(fused):
        assert all_finite(x)
        x[where] = bad
        assert not all_finite(x)
        assert not all_finite(np.moveaxis(x, -1, 0))  # not contiguous: a copy is checked


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_largest_finite_values_and_empty_arrays_pass(fused, dtype):
    x = np.full((300, 300), np.finfo(dtype).max, dtype)
    x[0, 0] = -x[0, 0]
    with fused_loops(fused):
        assert all_finite(x)
        assert all_finite(np.zeros((0, 3), dtype)) and all_finite(np.asarray(dtype(2)))


def test_a_layer_still_names_the_argument_that_holds_nan():
    x = np.ones((2, 1, 4, 4))
    x[1, 0, 3, 3] = np.nan
    with pytest.raises(ValueError, match="input contains NaN or infinity"):
        F.relu_forward(x)
    huge = np.full((2, 1, 4, 4), 1e300)  # finite: accepted, though its squares overflow
    assert F.relu(huge).max() == 1e300
