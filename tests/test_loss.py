"""Losses: hand values, PyTorch values and gradients, numerical gradients, stability, bad input.

The lecture's tables (MSE versus cross-entropy, dog/cat) are in test_lecture_functional.py.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlab import functional as F
from _contract import backward_of
from _numgrad import assert_gradient
from _torch_reference import import_torch

REDUCTIONS = ["mean", "sum", "none"]


def _upstream(reduction, shape, rng):
    """A grad_output for a loss: one number, or one per unreduced loss with reduction='none'."""
    return rng.normal(size=shape) if reduction == "none" else np.array(0.7)


# --------------------------------------------------------------------------- hand values
def test_reductions():
    x, t = np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 0.0])
    assert F.mse_loss(x, t) == pytest.approx(20 / 3)
    assert F.mse_loss(x, t, reduction="sum") == 20
    np.testing.assert_array_equal(F.mse_loss(x, t, reduction="none"), [0, 4, 16])
    assert F.l1_loss(x, t) == 2
    np.testing.assert_array_equal(backward_of("l1_loss", 1.0, x, t, reduction="sum"), [0, 1, 1])


def test_cross_entropy_is_nll_of_log_softmax():
    logits, target = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), np.array([0, 2])
    expected = -np.mean([np.log(F.softmax(logits, 1)[0, 0]), np.log(F.softmax(logits, 1)[1, 2])])
    assert F.cross_entropy(logits, target) == pytest.approx(expected)
    assert F.nll_loss(F.log_softmax(logits, 1), target) == pytest.approx(expected)
    # a one-hot probability target gives the same loss as the class index
    assert F.cross_entropy(logits, np.eye(3)[target]) == pytest.approx(expected)


def test_label_smoothing_mixes_in_the_uniform_distribution():
    logits, target = np.array([[2.0, 1.0, 0.1]]), np.array([0])
    smoothed = np.array([[0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3]])
    assert F.cross_entropy(logits, target, label_smoothing=0.1) == pytest.approx(F.cross_entropy(logits, smoothed))


def test_cross_entropy_per_pixel_for_segmentation():
    rng = np.random.default_rng(0)
    logits, target = rng.normal(size=(2, 3, 4, 5)), rng.integers(0, 3, (2, 4, 5))
    per_pixel = F.cross_entropy(logits, target, reduction="none")
    assert per_pixel.shape == (2, 4, 5)
    flat = logits.transpose(0, 2, 3, 1).reshape(-1, 3)
    np.testing.assert_allclose(per_pixel.ravel(), F.cross_entropy(flat, target.ravel(), reduction="none"))
    assert F.cross_entropy(logits, target) == pytest.approx(per_pixel.mean())


# ---------------------------------------------------------------------------- stability
def test_cross_entropies_are_finite_at_plus_minus_1000():
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert F.cross_entropy(logits, np.array([0, 1]), reduction="sum") == pytest.approx(np.log(2))
        assert (F.cross_entropy(logits, np.array([1, 0]), reduction="none")
                == pytest.approx([2000.0, 2000.0 + np.log(2)]))
        grad = backward_of("cross_entropy", 1.0, logits, np.array([1, 0]))
        x = np.array([1000.0, -1000.0])
        with_logits = F.binary_cross_entropy_with_logits(x, np.array([0.0, 1.0]), reduction="none")
        grad_logits = backward_of("binary_cross_entropy_with_logits", 1.0, x, np.array([0.0, 1.0]))
    assert np.isfinite(grad).all() and np.isfinite(grad_logits).all()
    np.testing.assert_allclose(with_logits, [1000.0, 1000.0])


def test_binary_cross_entropy_clips_log_at_minus_100():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no divide-by-zero warning for log(0)
        losses = F.binary_cross_entropy(np.array([0.0, 1.0, 1.0, 0.0]), np.array([1.0, 0.0, 1.0, 0.0]),
                                        reduction="none")
        grad = backward_of("binary_cross_entropy", 1.0, np.array([0.0, 1.0]), np.array([1.0, 0.0]), reduction="sum")
    np.testing.assert_array_equal(losses, [100.0, 100.0, 0.0, 0.0])
    assert np.signbit(losses).sum() == 0  # a perfect prediction is 0, not -0
    np.testing.assert_array_equal(grad, [-1e12, 1e12])  # (p - t) / max(p (1 - p), 1e-12), as PyTorch


# --------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_and_binary_gradients_match_numerical(reduction):
    rng = np.random.default_rng(1)
    x, t = rng.uniform(0.1, 0.9, (3, 4)), rng.uniform(0, 1, (3, 4))
    weight, pos_weight = rng.uniform(0.5, 2, (3, 4)), rng.uniform(0.5, 2, 4)
    up = _upstream(reduction, x.shape, rng)
    cases = [
        (lambda v: F.mse_loss(v, t, reduction), backward_of("mse_loss", up, x, t, reduction)),
        (lambda v: F.l1_loss(v, t, reduction), backward_of("l1_loss", up, x, t, reduction)),
        (lambda v: F.binary_cross_entropy(v, t, weight, reduction),
         backward_of("binary_cross_entropy", up, x, t, weight, reduction)),
        (lambda v: F.binary_cross_entropy_with_logits(v, t, weight, reduction, pos_weight),
         backward_of("binary_cross_entropy_with_logits", up, x, t, weight, reduction, pos_weight)),
    ]
    for forward, grad in cases:
        assert_gradient(forward, grad, x, up if reduction == "none" else float(up))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2, 2)])
@pytest.mark.parametrize("probabilities", [False, True])
def test_classification_gradients_match_numerical(reduction, shape, probabilities):
    rng = np.random.default_rng(2)
    x = rng.normal(size=shape)
    index = rng.integers(0, shape[1], shape[:1] + shape[2:])
    target = F.softmax(rng.normal(size=shape), 1) if probabilities else index
    up = _upstream(reduction, shape[:1] + shape[2:], rng)
    weights = up if reduction == "none" else float(up)
    assert_gradient(lambda v: F.cross_entropy(v, target, reduction=reduction, label_smoothing=0.2),
                    backward_of("cross_entropy", up, x, target, reduction=reduction, label_smoothing=0.2), x, weights)
    assert_gradient(lambda v: F.nll_loss(v, index, reduction=reduction),
                    backward_of("nll_loss", up, x, index, reduction=reduction), x, weights)


def test_float32_stays_float32():
    x, t = np.array([0.2, 0.7], np.float32), np.array([0.0, 1.0], np.float32)
    for name in ("mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"):
        assert getattr(F, name)(x, t).dtype == np.float32, name
        assert backward_of(name, 1.0, x, t).dtype == np.float32, name
    logits = np.ones((2, 3), np.float32)
    assert F.cross_entropy(logits, np.array([0, 1])).dtype == np.float32
    assert backward_of("cross_entropy", 1.0, logits, np.array([0, 1])).dtype == np.float32
    assert F.mse_loss(x, t.astype(np.float64)).dtype == np.float64  # mixed dtypes give float64


# ------------------------------------------------------------------------------ PyTorch
@pytest.mark.torch
@settings(max_examples=30, deadline=None)
@given(batch=st.integers(1, 5), classes=st.integers(2, 5), spatial=st.booleans(), reduction=st.sampled_from(REDUCTIONS),
       float32=st.booleans(), smoothing=st.sampled_from([0.0, 0.1]), seed=st.integers(0, 2**16))
def test_losses_match_pytorch(batch, classes, spatial, reduction, float32, smoothing, seed):
    torch = import_torch()
    tf = torch.nn.functional
    rng = np.random.default_rng(seed)
    dtype = np.float32 if float32 else np.float64
    shape = (batch, classes, 2, 3) if spatial else (batch, classes)
    logits = rng.normal(scale=3, size=shape).astype(dtype)
    index = rng.integers(0, classes, shape[:1] + shape[2:])
    probabilities = F.softmax(rng.normal(size=shape), 1).astype(dtype)
    p, t = rng.uniform(0.01, 0.99, shape).astype(dtype), rng.uniform(0, 1, shape).astype(dtype)
    weight = rng.uniform(0.5, 2, shape).astype(dtype)
    pos_weight = rng.uniform(0.5, 2, shape[-1:]).astype(dtype)
    tensor = torch.tensor
    cases = [  # (torch loss of a tensor, cnnlab loss, cnnlab backward, input, unreduced shape)
        (lambda v: tf.mse_loss(v, tensor(t), reduction=reduction), lambda v: F.mse_loss(v, t, reduction),
         lambda g, v: backward_of("mse_loss", g, v, t, reduction), p, shape),
        (lambda v: tf.l1_loss(v, tensor(t), reduction=reduction), lambda v: F.l1_loss(v, t, reduction),
         lambda g, v: backward_of("l1_loss", g, v, t, reduction), p, shape),
        (lambda v: tf.binary_cross_entropy(v, tensor(t), tensor(weight), reduction=reduction),
         lambda v: F.binary_cross_entropy(v, t, weight, reduction),
         lambda g, v: backward_of("binary_cross_entropy", g, v, t, weight, reduction), p, shape),
        (lambda v: tf.binary_cross_entropy_with_logits(v, tensor(t), tensor(weight), reduction=reduction,
                                                       pos_weight=tensor(pos_weight)),
         lambda v: F.binary_cross_entropy_with_logits(v, t, weight, reduction, pos_weight),
         lambda g, v: backward_of("binary_cross_entropy_with_logits", g, v, t, weight, reduction, pos_weight),
         logits, shape),
        (lambda v: tf.cross_entropy(v, tensor(index), reduction=reduction, label_smoothing=smoothing),
         lambda v: F.cross_entropy(v, index, reduction=reduction, label_smoothing=smoothing),
         lambda g, v: backward_of("cross_entropy", g, v, index, reduction=reduction, label_smoothing=smoothing),
         logits, index.shape),
        (lambda v: tf.cross_entropy(v, tensor(probabilities), reduction=reduction, label_smoothing=smoothing),
         lambda v: F.cross_entropy(v, probabilities, reduction=reduction, label_smoothing=smoothing),
         lambda g, v: backward_of("cross_entropy", g, v, probabilities, reduction=reduction, label_smoothing=smoothing),
         logits, index.shape),
        (lambda v: tf.nll_loss(v, tensor(index), reduction=reduction),
         lambda v: F.nll_loss(v, index, reduction=reduction),
         lambda g, v: backward_of("nll_loss", g, v, index, reduction=reduction), logits, index.shape),
    ]
    tolerance = dict(rtol=1e-5, atol=1e-6) if float32 else dict(rtol=1e-10, atol=1e-12)
    for torch_loss, loss, backward, x, unreduced in cases:
        up = _upstream(reduction, unreduced, rng).astype(dtype)
        x_torch = tensor(x, requires_grad=True)
        value_torch = torch_loss(x_torch)
        value_torch.backward(tensor(up))
        value = loss(x)
        assert np.asarray(value).dtype == dtype
        np.testing.assert_allclose(value, value_torch.detach().numpy(), **tolerance)
        np.testing.assert_allclose(backward(up, x), x_torch.grad.numpy(), **tolerance)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, error, message", [
    (lambda: F.mse_loss(np.ones(3), np.ones(3), reduction="avg"), ValueError,
     "reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
    (lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 1]), reduction="average"), ValueError,
     "reduction must be one of 'mean', 'sum', 'none'"),
    (lambda: backward_of("mse_loss", 1.0, np.ones(3), np.ones(3), reduction="max"), ValueError,
     "reduction must be one of"),
    (lambda: F.mse_loss(np.ones(3), np.ones((3, 1))), ValueError,
     r"target must have the input's shape \(3,\), got \(3, 1\)"),
    (lambda: F.l1_loss(np.ones(3), np.array([1.0, np.nan, 0.0])), ValueError, "target contains NaN or infinity"),
    (lambda: F.binary_cross_entropy(np.array([1.5]), np.ones(1)), ValueError,
     "input must hold probabilities between 0 and 1; for raw scores .* use binary_cross_entropy_with_logits"),
    (lambda: F.binary_cross_entropy(np.ones(2), np.ones(2), weight=np.ones(3)), ValueError,
     r"weight of shape \(3,\) does not broadcast to the input's shape \(2,\)"),
    (lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 3])), ValueError,
     "target holds class 3, but the input has 3 classes: expected indices from 0 to 2"),
    (lambda: F.nll_loss(np.ones((2, 3)), np.array([-1, 0])), ValueError, "target holds class -1"),
    (lambda: F.cross_entropy(np.ones((2, 3)), np.array([0.0, 1.0])), TypeError,
     "target of class indices must be an integer array, got dtype float64"),
    (lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 1, 2])), ValueError,
     r"target of class indices must have shape \(2,\) for input of shape \(2, 3\), got \(3,\)"),
    (lambda: F.cross_entropy(np.ones((2, 3)), np.ones((2, 4))), ValueError,
     r"target must hold class indices of shape \(2,\) or class probabilities of shape \(2, 3\)"),
    (lambda: F.cross_entropy(np.ones(3), np.array([0])), ValueError, "input must have 2 or 3 or 4 or 5 dimensions"),
    (lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 1]), label_smoothing=1.5), ValueError,
     "label_smoothing must be a probability between 0 and 1, got 1.5"),
    (lambda: F.nll_loss(np.ones((2, 3)), np.ones((2, 3)) / 3), TypeError, "target must be an integer array"),
    (lambda: backward_of("mse_loss", np.ones(2), np.ones(3), np.ones(3)), ValueError,
     "grad_output must be a single number with reduction='mean', got shape"),
    (lambda: backward_of("mse_loss", np.ones(2), np.ones(3), np.ones(3), reduction="none"), ValueError,
     r"grad_output must have the unreduced loss's shape \(3,\) with reduction='none', got \(2,\)"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()
