"""Activations: hand values, PyTorch values and gradients, numerical gradients, stability, bad input."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnlab import functional as F
from _contract import backward_of
from _fused_loops import fused_loops
from _numgrad import assert_gradient
from _torch_reference import import_torch

X = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
# away from the kinks at 0, where a centred difference straddles two slopes
SMOOTH_X = np.array([[-2.0, -0.7, 0.4, 1.3], [0.9, -1.1, 2.2, -0.3]])

ELEMENTWISE = [
    ("relu", {}), ("leaky_relu", {"negative_slope": 0.1}), ("elu", {"alpha": 1.5}), ("sigmoid", {}), ("tanh", {}),
    ("softplus", {"beta": 2.0, "threshold": 3.0}), ("centered_softplus", {}),
    ("rrelu", {"training": False}),
]


def test_hand_values():
    np.testing.assert_array_equal(F.relu(X), [0, 0, 0, 0.5, 3])
    np.testing.assert_allclose(F.leaky_relu(X, 0.1), [-0.2, -0.05, 0, 0.5, 3])
    np.testing.assert_allclose(F.elu(X), [np.exp(-2) - 1, np.exp(-0.5) - 1, 0, 0.5, 3])
    np.testing.assert_allclose(F.sigmoid(np.array([0.0, np.log(3)])), [0.5, 0.75])
    np.testing.assert_allclose(F.tanh(np.array([np.log(2)])), [(4 - 1) / (4 + 1)])  # (e^2x - 1) / (e^2x + 1)
    np.testing.assert_allclose(F.softplus(np.array([0.0])), [np.log(2)])
    np.testing.assert_allclose(F.centered_softplus(np.array([0.0, 1.0])), [0.0, np.log(np.e + 1) - np.log(2)])
    np.testing.assert_allclose(F.softmax(np.array([[1.0, 1.0, 2.0]]), dim=1),
                               [[1 / (2 + np.e), 1 / (2 + np.e), np.e / (2 + np.e)]])
    np.testing.assert_allclose(F.maxout(np.array([[1.0, 5.0, 3.0, 2.0]]), num_pieces=2), [[5.0, 3.0]])


def test_sigmoid_derivative_is_s_times_one_minus_s():
    assert backward_of("sigmoid", np.ones(1), np.zeros(1))[0] == 0.25  # the largest slope: 0.5 * 0.5


def test_gradients_at_zero_follow_pytorch():
    zero = np.zeros(1)
    assert backward_of("relu", np.ones(1), zero)[0] == 0
    assert backward_of("leaky_relu", np.ones(1), zero, 0.1)[0] == pytest.approx(0.1)
    assert backward_of("elu", np.ones(1), zero, alpha=2.0)[0] == 2.0


@pytest.mark.parametrize("value", [-1000.0, 1000.0])
def test_stable_at_plus_minus_1000(value):
    x = np.array([[value, 0.0, -value]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning fails the test
        s = F.sigmoid(x)
        y = F.softmax(x, dim=1)
        log_y = F.log_softmax(x, dim=1)
        soft = F.softplus(x)
        centred = F.centered_softplus(x)
        grads = [backward_of("sigmoid", np.ones_like(x), x), backward_of("softmax", np.ones_like(x), x, 1),
                 backward_of("log_softmax", np.ones_like(x), x, 1), F.elu(x), backward_of("elu", np.ones_like(x), x)]
    for array in [s, y, log_y, soft, centred, *grads]:
        assert np.isfinite(array).all()
    np.testing.assert_array_equal(s, [[value > 0, 0.5, value < 0]])
    np.testing.assert_allclose(log_y, [[0, -1000, -2000]] if value > 0 else [[-2000, -1000, 0]])
    np.testing.assert_allclose(soft, [[max(value, 0), np.log(2), max(-value, 0)]])


def test_float32_stays_float32():
    x = X.astype(np.float32)
    for name, options in ELEMENTWISE:
        assert getattr(F, name)(x, **options).dtype == np.float32, name
        assert backward_of(name, np.ones_like(x), x, **options).dtype == np.float32, name
    assert F.softmax(x, 0).dtype == F.log_softmax(x, 0).dtype == np.float32


# --------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("name, options", ELEMENTWISE)
def test_elementwise_backward_matches_numerical_gradient(name, options):
    grad_output = np.random.default_rng(0).normal(size=SMOOTH_X.shape)
    forward = getattr(F, name)
    assert_gradient(lambda v: forward(v, **options), backward_of(name, grad_output, SMOOTH_X, **options), SMOOTH_X,
                    grad_output)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_backward_matches_numerical_gradient(name, dim):
    grad_output = np.random.default_rng(1).normal(size=SMOOTH_X.shape)
    forward = getattr(F, name)
    assert_gradient(lambda v: forward(v, dim), backward_of(name, grad_output, SMOOTH_X, dim), SMOOTH_X, grad_output)


@pytest.mark.parametrize("weight", [np.array([0.25]), np.array([0.1, 0.2, 0.3])])
def test_prelu_backward_matches_numerical_gradient(weight):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 2, 2)) + 0.05
    grad_output = rng.normal(size=x.shape)
    grad_input, grad_weight = backward_of("prelu", grad_output, x, weight)
    assert_gradient(lambda v: F.prelu(v, weight), grad_input, x, grad_output)
    assert_gradient(lambda w: F.prelu(x, w), grad_weight, weight, grad_output)
    assert grad_weight.shape == weight.shape


def test_maxout_backward_matches_numerical_gradient():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6, 3))
    grad_output = rng.normal(size=(2, 2, 3))
    assert_gradient(lambda v: F.maxout(v, 3), backward_of("maxout", grad_output, x, 3), x, grad_output)
    x = rng.normal(size=(4, 3, 2))
    assert_gradient(lambda v: F.maxout(v, 2, dim=0), backward_of("maxout", np.ones((2, 3, 2)), x, 2, dim=0), x)


# ------------------------------------------------------------------------ random ReLUs
def test_rrelu_in_training_draws_one_slope_per_element_in_pytorchs_range():
    x = -np.ones(10_000)
    slopes = -F.rrelu(x, training=True, rng=0)
    assert 1 / 8 <= slopes.min() and slopes.max() <= 1 / 3
    assert slopes.std() > 0.05  # random, not one constant
    np.testing.assert_array_equal(F.rrelu(x, training=True, rng=0), -slopes)  # an int seed repeats
    np.testing.assert_allclose(F.rrelu(x), -np.full(10_000, (1 / 8 + 1 / 3) / 2))  # evaluation: the mean slope
    np.testing.assert_array_equal(backward_of("rrelu", np.ones_like(x), x, training=True, rng=0), slopes)


def test_noisy_relu_adds_gaussian_noise_before_the_max():
    x = np.zeros(20_000)
    y = F.noisy_relu(x, sigma=2.0, rng=1)
    assert (y >= 0).all()
    assert 0.45 < (y > 0).mean() < 0.55
    # E[max(0, eps)] = sigma / sqrt(2 pi) for eps ~ N(0, sigma)
    assert y.mean() == pytest.approx(2.0 / np.sqrt(2 * np.pi), rel=0.05)
    np.testing.assert_array_equal(backward_of("noisy_relu", np.ones_like(x), x, 2.0, rng=1), y > 0)
    np.testing.assert_array_equal(F.noisy_relu(np.array([-1.0, 2.0]), sigma=0.0), [0.0, 2.0])


def test_random_relus_backward_match_numerical_gradient_with_a_fixed_seed():
    # with an int seed the random slopes and noise are the same on every call, so f is a plain function
    grad_output = np.random.default_rng(5).normal(size=SMOOTH_X.shape)
    assert_gradient(lambda v: F.rrelu(v, training=True, rng=7),
                    backward_of("rrelu", grad_output, SMOOTH_X, training=True, rng=7), SMOOTH_X, grad_output)
    assert_gradient(lambda v: F.noisy_relu(v, sigma=0.1, rng=7),
                    backward_of("noisy_relu", grad_output, SMOOTH_X, sigma=0.1, rng=7), SMOOTH_X, grad_output)


# ------------------------------------------------------------------------------ PyTorch
@pytest.mark.torch
@settings(max_examples=40, deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=4, max_side=4),
                    elements=st.floats(-30, 30, allow_nan=False)), float32=st.booleans())
def test_activations_match_pytorch(x, float32):
    torch = import_torch()
    tf = torch.nn.functional
    x = x.astype(np.float32 if float32 else np.float64)
    channels = x.shape[1]
    weight = np.linspace(0.1, 0.4, channels).astype(x.dtype)
    pairs = [
        (lambda t: tf.relu(t), lambda a: F.relu(a), lambda g, a: backward_of("relu", g, a)),
        (lambda t: tf.leaky_relu(t, 0.2), lambda a: F.leaky_relu(a, 0.2),
         lambda g, a: backward_of("leaky_relu", g, a, 0.2)),
        (lambda t: tf.elu(t, 0.7), lambda a: F.elu(a, 0.7), lambda g, a: backward_of("elu", g, a, 0.7)),
        (torch.sigmoid, F.sigmoid, lambda g, a: backward_of("sigmoid", g, a)),
        (torch.tanh, F.tanh, lambda g, a: backward_of("tanh", g, a)),
        (lambda t: tf.softplus(t, 2, 10), lambda a: F.softplus(a, 2, 10),
         lambda g, a: backward_of("softplus", g, a, 2, 10)),
        (lambda t: tf.softmax(t, 1), lambda a: F.softmax(a, 1), lambda g, a: backward_of("softmax", g, a, 1)),
        (lambda t: tf.log_softmax(t, -1), lambda a: F.log_softmax(a, -1),
         lambda g, a: backward_of("log_softmax", g, a, -1)),
        (lambda t: tf.rrelu(t, training=False), lambda a: F.rrelu(a), lambda g, a: backward_of("rrelu", g, a)),
        (lambda t: tf.prelu(t, torch.tensor(weight)), lambda a: F.prelu(a, weight),
         lambda g, a: backward_of("prelu", g, a, weight)[0]),
    ]
    tolerance = dict(rtol=2e-5, atol=1e-6) if float32 else dict(rtol=1e-10, atol=1e-12)
    grad_output = np.random.default_rng(0).normal(size=x.shape).astype(x.dtype)
    for torch_f, forward, backward in pairs:
        x_torch = torch.tensor(x, requires_grad=True)
        y_torch = torch_f(x_torch)
        y_torch.backward(torch.tensor(grad_output))
        y = forward(x)
        assert y.dtype == x.dtype
        np.testing.assert_allclose(y, y_torch.detach().numpy(), **tolerance)
        np.testing.assert_allclose(backward(grad_output, x), x_torch.grad.numpy(), **tolerance)


@pytest.mark.torch
def test_prelu_weight_gradient_and_maxout_match_pytorch():
    torch = import_torch()
    rng = np.random.default_rng(4)
    x, weight, grad_output = rng.normal(size=(3, 4, 5)), np.array([0.1, 0.2, 0.3, 0.4]), rng.normal(size=(3, 4, 5))
    x_torch, w_torch = torch.tensor(x, requires_grad=True), torch.tensor(weight, requires_grad=True)
    torch.nn.functional.prelu(x_torch, w_torch).backward(torch.tensor(grad_output))
    np.testing.assert_allclose(backward_of("prelu", grad_output, x, weight)[1], w_torch.grad.numpy())
    # maxout as PyTorch would write it: a view (N, C // k, k, ...) and the max over the pieces
    x = rng.normal(size=(2, 6, 3, 3))
    x_torch = torch.tensor(x, requires_grad=True)
    y_torch = x_torch.view(2, 3, 2, 3, 3).amax(dim=2)
    grad_output = rng.normal(size=y_torch.shape)
    y_torch.backward(torch.tensor(grad_output))
    np.testing.assert_allclose(F.maxout(x, 2), y_torch.detach().numpy())
    np.testing.assert_allclose(backward_of("maxout", grad_output, x, 2), x_torch.grad.numpy())


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, error, message", [
    (lambda: F.softmax(np.ones((2, 3)), dim=2), ValueError,
     r"dim must be in \[-2, 1\] for an input of 2 dimensions, got 2"),
    (lambda: F.log_softmax(np.ones((2, 3)), dim=-3), ValueError, r"dim must be in \[-2, 1\]"),
    (lambda: F.softmax(np.ones((2, 3)), dim=1.0), TypeError, "dim must be an int, got 1.0"),
    (lambda: F.relu(np.array([1.0, np.nan])), ValueError, "input contains NaN or infinity"),
    (lambda: F.sigmoid("abc"), TypeError, "input must be a numeric array"),
    (lambda: backward_of("relu", np.ones(3), np.ones(4)), ValueError,
     r"grad_output must have the input's shape \(4,\), got \(3,\)"),
    (lambda: F.leaky_relu(np.ones(3), negative_slope="a"), TypeError, "negative_slope must be a finite number"),
    (lambda: F.prelu(np.ones((2, 3)), np.ones(2)), ValueError,
     r"weight must hold 1 slope or one per channel \(3\), got 2"),
    (lambda: F.maxout(np.ones((2, 5)), 2), ValueError,
     r"the size of dim 1 \(5\) must be divisible by num_pieces \(2\)"),
    (lambda: F.maxout(np.ones((2, 4)), 0), ValueError, "num_pieces must be a positive int, got 0"),
    (lambda: F.rrelu(np.ones(3), lower=0.5, upper=0.1), ValueError, "lower must not exceed upper"),
    (lambda: F.rrelu(np.ones(3), training=True, rng="seed"), TypeError, "rng must be None, an int seed"),
    (lambda: F.noisy_relu(np.ones(3), sigma=-1.0), ValueError, "sigma must be at least 0"),
    (lambda: F.softplus(np.ones(3), beta=0), ValueError, "beta must not be 0"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_relu_gives_numpys_bits_zeros_signs_included(dtype):
    """Once numba is loaded small arrays take the fused ReLU too (jit.ready_for): it must print as NumPy's does."""
    pytest.importorskip("numba")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4, 5)).astype(dtype)
    x[0, 0, :2] = -0.0, 0.0
    grad_output = rng.normal(size=x.shape).astype(dtype)
    results = []
    for enabled in (True, False):
        with fused_loops(enabled):
            output, ctx = F.relu_forward(x)
            results.append((output, F.relu_backward(grad_output, ctx)))
    assert np.signbit(results[1][1][x <= 0]).any()  # -0.0 where a negative gradient was stopped
    for fused, numpy_passes in zip(*results):
        np.testing.assert_array_equal(fused.view(np.uint8), numpy_passes.view(np.uint8))
