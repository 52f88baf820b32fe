"""dropout: the fraction kept, the 1 / (1 - p) scale, evaluation, seeds, backward, bad input."""
import numpy as np
import pytest

from cnnlab import functional as F
from _contract import backward_of
from _numgrad import assert_gradient


def test_keeps_about_one_minus_p_and_scales_by_one_over_one_minus_p():
    x = np.ones((100, 100))
    y = F.dropout(x, p=0.25, rng=0)
    kept = y != 0
    assert 0.73 < kept.mean() < 0.77
    np.testing.assert_allclose(y[kept], 1 / 0.75)
    assert y.mean() == pytest.approx(1.0, abs=0.03)  # inverted dropout: the expected value is unchanged


def test_evaluation_and_the_edge_probabilities():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(F.dropout(x, p=0.9, training=False), x)
    np.testing.assert_array_equal(F.dropout(x, p=0.0, rng=1), x)
    np.testing.assert_array_equal(F.dropout(x, p=1.0, rng=1), np.zeros_like(x))
    np.testing.assert_array_equal(backward_of("dropout", np.ones_like(x), x, p=1.0, rng=1), 0)
    np.testing.assert_array_equal(backward_of("dropout", np.ones_like(x), x, p=0.9, training=False), 1)


def test_a_seed_repeats_and_the_mask_gives_the_backward():
    x = np.random.default_rng(2).normal(size=(4, 5)).astype(np.float32)
    y = F.dropout(x, p=0.5, rng=7)
    np.testing.assert_array_equal(y, F.dropout(x, p=0.5, rng=7))
    mask = F.dropout_mask(x.shape, p=0.5, rng=7)
    np.testing.assert_array_equal(y, x * mask * 2)
    grad = backward_of("dropout", np.ones_like(x), x, p=0.5, rng=7)
    np.testing.assert_array_equal(grad, mask * 2.0)
    assert y.dtype == grad.dtype == np.float32
    # dropout is linear in x, so its gradient is exactly y / x wherever x is non-zero
    np.testing.assert_allclose(grad, y / x)


def test_backward_matches_numerical_gradient():
    rng = np.random.default_rng(4)
    x, grad_output = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    assert_gradient(lambda v: F.dropout(v, p=0.3, rng=11), backward_of("dropout", grad_output, x, p=0.3, rng=11), x,
                    grad_output)


def test_a_generator_moves_on():
    rng = np.random.default_rng(3)
    assert not np.array_equal(F.dropout(np.ones(50), rng=rng), F.dropout(np.ones(50), rng=rng))


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.dropout(np.ones(3), p=1.5), ValueError, "p must be a probability between 0 and 1, got 1.5"),
    (lambda: F.dropout(np.ones(3), p=-0.1), ValueError, "p must be a probability between 0 and 1, got -0.1"),
    (lambda: F.dropout_mask((3,), p=2), ValueError, "p must be a probability between 0 and 1, got 2"),
    (lambda: F.dropout(np.array([np.nan]), p=0.5), ValueError, "input contains NaN"),
    (lambda: F.dropout(np.ones(3), rng="seed"), TypeError, "rng must be None, an int seed"),
    (lambda: backward_of("dropout", np.ones(3), np.ones(4)), ValueError,
     r"grad_output must have the input's shape \(4,\), got \(3,\)"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()
