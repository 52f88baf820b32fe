"""batch_norm: hand values, running statistics, PyTorch, numerical gradients, bad input; the fused loops
(numba) and NumPy's passes against the reference loops."""
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlab import functional as F
from cnnlab.functional import normalization
from cnnlab.functional.fast import normalization_fused as fused
from _contract import backward_of
from _fused_loops import fused_loops
from _numgrad import assert_gradient
from _torch_reference import import_torch

SHAPES = [(6, 3), (4, 3, 5), (2, 3, 4, 4)]


def test_training_normalises_each_channel_by_hand():
    z = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 40.0], [7.0, 20.0]])
    running_mean, running_var = np.zeros(2), np.ones(2)
    y = F.batch_norm(z, running_mean, running_var, training=True, eps=0.0)
    # column 0: mean 4, biased variance (9 + 1 + 1 + 9) / 4 = 5
    np.testing.assert_allclose(y[:, 0], (z[:, 0] - 4) / np.sqrt(5))
    np.testing.assert_allclose(y.mean(axis=0), [0, 0], atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), [1, 1])
    # running estimates: 0.9 * old + 0.1 * batch, with the unbiased variance 20 / 3 for column 0
    np.testing.assert_allclose(running_mean, [0.4, 2.0])
    np.testing.assert_allclose(running_var, [0.9 + 0.1 * 20 / 3, 0.9 + 0.1 * np.var(z[:, 1], ddof=1)])


def test_learnt_scale_and_shift():
    z = np.random.default_rng(0).normal(size=(8, 2))
    y = F.batch_norm(z, None, None, weight=np.array([2.0, 3.0]), bias=np.array([-1.0, 5.0]), training=True)
    np.testing.assert_allclose(y.mean(axis=0), [-1, 5])
    np.testing.assert_allclose(y.std(axis=0), [2, 3], rtol=1e-4)  # eps = 1e-5 shrinks it a little


def test_evaluation_uses_the_running_statistics():
    z = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = F.batch_norm(z, np.array([1.0, 2.0]), np.array([4.0, 1.0]), eps=0.0)
    np.testing.assert_allclose(y, [[0.0, 0.0], [1.0, 2.0]])


@pytest.mark.parametrize("shape", SHAPES)
def test_backward_matches_numerical_gradient(shape):
    rng = np.random.default_rng(1)
    x, weight, bias = rng.normal(size=shape), rng.normal(size=3), rng.normal(size=3)
    grad_output = rng.normal(size=shape)
    grad_input, grad_weight, grad_bias = backward_of("batch_norm", grad_output, x, None, None, weight, bias,
                                                     training=True)
    assert_gradient(lambda v: F.batch_norm(v, None, None, weight, bias, training=True), grad_input, x, grad_output)
    assert_gradient(lambda w: F.batch_norm(x, None, None, w, bias, training=True), grad_weight, weight, grad_output)
    assert_gradient(lambda b: F.batch_norm(x, None, None, weight, b, training=True), grad_bias, bias, grad_output)


@pytest.mark.parametrize("shape", SHAPES)
def test_evaluation_mode_backward_matches_numerical_gradient(shape):
    rng = np.random.default_rng(5)
    x, weight, bias = rng.normal(size=shape), rng.normal(size=3), rng.normal(size=3)
    running_mean, running_var = rng.normal(size=3), rng.uniform(0.5, 2.0, size=3)
    grad_output = rng.normal(size=shape)
    grads = backward_of("batch_norm", grad_output, x, running_mean, running_var, weight, bias, training=False)
    for position, grad in enumerate(grads):
        def forward(v, position=position):
            args = [x, weight, bias]
            args[position] = v
            return F.batch_norm(args[0], running_mean, running_var, args[1], args[2], training=False)
        assert_gradient(forward, grad, [x, weight, bias][position], grad_output)


def _batch_norm_case(draw_shape, seed, dtype, training, affine):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=draw_shape).astype(dtype)
    channels = draw_shape[1]
    weight, bias = (rng.normal(size=channels).astype(dtype), rng.normal(size=channels).astype(dtype)) if affine \
        else (None, None)
    running = (rng.normal(size=channels).astype(dtype), rng.uniform(0.5, 2, size=channels).astype(dtype))
    return x, running, weight, bias, rng.normal(size=draw_shape).astype(dtype)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([(5, 2), (3, 4, 6), (2, 3, 4, 5), (7, 1, 3, 3)]), st.integers(0, 2**16),
       st.sampled_from([np.float32, np.float64]), st.booleans(), st.booleans())
def test_fast_path_matches_the_reference_forward_and_backward(shape, seed, dtype, training, affine):
    x, running, weight, bias, grad_output = _batch_norm_case(shape, seed, dtype, training, affine)
    fast_running, reference_running = [r.copy() for r in running], [r.copy() for r in running]
    output, ctx = F.batch_norm_forward(x, *fast_running, weight, bias, training=training)
    expected, reference_ctx = F.batch_norm_naive_forward(x, *reference_running, weight, bias, training=training)
    tolerance = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-10)
    assert output.dtype == dtype
    np.testing.assert_allclose(output, expected, **tolerance)
    for ours, theirs in zip(fast_running + list(F.batch_norm_backward(grad_output, ctx)),
                            reference_running + list(F.batch_norm_naive_backward(grad_output, reference_ctx))):
        if theirs is None:
            assert ours is None
        else:
            assert ours.dtype == dtype
            np.testing.assert_allclose(ours, theirs, **tolerance)


@pytest.mark.torch
@settings(max_examples=30, deadline=None)
@given(shape=st.sampled_from(SHAPES), training=st.booleans(), float32=st.booleans(), affine=st.booleans(),
       momentum=st.sampled_from([0.1, 0.5, 1.0]), seed=st.integers(0, 2**16))
def test_batch_norm_matches_pytorch(shape, training, float32, affine, momentum, seed):
    torch = import_torch()
    dtype = np.float32 if float32 else np.float64
    rng = np.random.default_rng(seed)
    x = rng.normal(loc=2.0, scale=3.0, size=shape).astype(dtype)
    weight = rng.normal(size=3).astype(dtype) if affine else None
    bias = rng.normal(size=3).astype(dtype) if affine else None
    running_mean, running_var = rng.normal(size=3).astype(dtype), rng.uniform(0.5, 2, 3).astype(dtype)
    mean_torch, var_torch = torch.tensor(running_mean), torch.tensor(running_var)
    x_torch = torch.tensor(x, requires_grad=True)
    w_torch = None if weight is None else torch.tensor(weight, requires_grad=True)
    b_torch = None if bias is None else torch.tensor(bias, requires_grad=True)
    y_torch = torch.nn.functional.batch_norm(x_torch, mean_torch, var_torch, w_torch, b_torch, training, momentum)
    grad_output = rng.normal(size=shape).astype(dtype)
    y_torch.backward(torch.tensor(grad_output))
    y = F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum)
    tolerance = dict(rtol=1e-4, atol=1e-5) if float32 else dict(rtol=1e-10, atol=1e-10)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, y_torch.detach().numpy(), **tolerance)
    np.testing.assert_allclose(running_mean, mean_torch.numpy(), **tolerance)
    np.testing.assert_allclose(running_var, var_torch.numpy(), **tolerance)
    if training:
        grad_input, grad_weight, grad_bias = backward_of("batch_norm", grad_output, x, None, None, weight, bias,
                                                         training=True)
        np.testing.assert_allclose(grad_input, x_torch.grad.numpy(), **tolerance)
        if affine:
            np.testing.assert_allclose(grad_weight, w_torch.grad.numpy(), **tolerance)
            np.testing.assert_allclose(grad_bias, b_torch.grad.numpy(), **tolerance)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.batch_norm(np.ones(3), np.zeros(3), np.ones(3)), ValueError, "input must have 2 or 3 or 4 dimensions"),
    (lambda: F.batch_norm(np.ones((2, 3)), np.zeros(2), np.ones(3)), ValueError,
     r"running_mean must have shape \(3,\), one value per channel, got \(2,\)"),
    (lambda: F.batch_norm(np.ones((2, 3)), None, None), ValueError,
     "running_mean and running_var are needed when training=False"),
    (lambda: F.batch_norm(np.ones((1, 3)), None, None, training=True), ValueError,
     "batch_norm in training needs more than 1 value per channel"),
    (lambda: F.batch_norm(np.ones((2, 3)), [0.0, 0.0, 0.0], np.ones(3), training=True), TypeError,
     "running_mean must be a float32 or float64 ndarray, updated in place, got list"),
    (lambda: F.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), weight=np.ones(4)), ValueError,
     r"weight must have shape \(3,\)"),
    (lambda: F.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), momentum=1.5), ValueError,
     "momentum must be a number between 0 and 1, got 1.5"),
    (lambda: F.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), eps=-1), ValueError, "eps must be a number"),
    (lambda: F.batch_norm(np.full((2, 3), np.nan), np.zeros(3), np.ones(3)), ValueError, "input contains NaN"),
    (lambda: backward_of("batch_norm", np.ones((2, 4)), np.ones((2, 3)), None, None, training=True), ValueError,
     r"grad_output must have the input's shape \(2, 3\), got \(2, 4\)"),
    (lambda: F.batch_norm(np.ones((2, 3)), np.zeros(3), np.array([1.0, -0.5, 1.0])), ValueError,
     r"running_var must hold variances, at least 0, got a minimum of -0.5"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ------------------------------------------------- the fused loops (numba) against NumPy's passes and the loops
def _forward_backward(x, running, weight, bias, grad_output, training, loops=False):
    """Output, the updated running statistics and the three gradients (None where there is none)."""
    running = [r.copy() for r in running]
    forward, backward = ((F.batch_norm_naive_forward, F.batch_norm_naive_backward) if loops
                         else (F.batch_norm_forward, F.batch_norm_backward))
    output, ctx = forward(x, *running, weight, bias, training=training)
    return [output] + running + list(backward(grad_output, ctx))


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=2, max_size=4).filter(lambda s: s[0] * np.prod(s[2:]) > 1),
       seed=st.integers(0, 2**16), dtype=st.sampled_from([np.float32, np.float64]), training=st.booleans(),
       affine=st.booleans(), offset=st.sampled_from([0.0, 1e3]))
def test_fused_loops_and_numpy_passes_match_the_reference(shape, seed, dtype, training, affine, offset):
    pytest.importorskip("numba")
    x, running, weight, bias, grad_output = _batch_norm_case(shape, seed, dtype, training, affine)
    x = (x + offset).astype(dtype)  # data far from zero: the variance must not lose digits
    expected = _forward_backward(x, running, weight, bias, grad_output, training, loops=True)
    for enabled in (True, False):
        with fused_loops(enabled):
            assert (normalization._fast(x.reshape(x.shape[0], x.shape[1], -1)) is fused) == enabled
            results = _forward_backward(x, running, weight, bias, grad_output, training)
        for ours, theirs in zip(results, expected):
            if theirs is None:
                assert ours is None
                continue
            assert ours.dtype == dtype
            # float32 x of about 1e3 carries about 1e-4 of absolute error into the centered values
            scale = 1 + (offset if dtype == np.float32 else 0)
            tolerance = dict(rtol=2e-4, atol=2e-4 * scale) if dtype == np.float32 else dict(rtol=1e-8, atol=1e-9)
            np.testing.assert_allclose(ours, theirs, **tolerance)


@pytest.mark.parametrize("enabled", [True, False])
def test_nan_in_training_is_named_on_both_paths(enabled):
    x = np.ones((4, 3, 2))
    x[2, 1, 1] = np.nan
    with fused_loops(enabled), pytest.raises(ValueError, match="input contains NaN"):
        F.batch_norm(x, np.zeros(3), np.ones(3), training=True)
    _, ctx = F.batch_norm_forward(np.arange(24.0).reshape(4, 3, 2), np.zeros(3), np.ones(3), training=True)
    with fused_loops(enabled), pytest.raises(ValueError, match="grad_output contains NaN or infinity"):
        F.batch_norm_backward(np.full((4, 3, 2), np.inf), ctx)


@pytest.mark.parametrize("switch, size", [("1", 4), ("0", 64)])
def test_numba_loads_only_for_large_arrays_and_never_when_switched_off(switch, size):
    """Small arrays (a notebook's single images) never load numba (about 0.6 s); CNNLAB_NUMBA=0 never does."""
    script = ("import sys, numpy as np, cnnlab, cnnlab.functional as F\n"
              "assert 'numba' not in sys.modules, 'import cnnlab imported numba'\n"
              f"x = np.ones(({size}, 8, 28, 28))\n"
              "F.batch_norm(x, None, None, training=True); F.max_pool2d(F.relu(x), 2)\n"
              "assert 'numba' not in sys.modules, 'numba was imported'\n")
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ, "CNNLAB_NUMBA": switch})
