"""Pooling: hand examples, a naive loop reference, PyTorch, numerical gradients and bad input."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlab import functional as F
from _contract import backward_of
from _fused_loops import fused_loops
from _numgrad import assert_gradient
from _torch_reference import import_torch

# A 4x4 map whose 2x2 windows each have a single maximum and a single minimum.
FOUR_BY_FOUR = np.array([[1, 3, 2, 9],
                         [5, 6, 1, 7],
                         [4, 2, 8, 0],
                         [3, 1, 6, 5]], dtype=float)[None, None]


def _naive_pool(x, kernel, stride, padding, reduce, fill):
    """One window at a time, straight from the definition (floor mode)."""
    n, c, h, w = x.shape
    padded = np.full((n, c, h + 2 * padding, w + 2 * padding), fill)
    padded[:, :, padding:padding + h, padding:padding + w] = x
    out_h, out_w = (h + 2 * padding - kernel) // stride + 1, (w + 2 * padding - kernel) // stride + 1
    out = np.empty((n, c, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = reduce(padded[:, :, i * stride:i * stride + kernel, j * stride:j * stride + kernel],
                                     axis=(2, 3))
    return out


# --------------------------------------------------------------------------- hand examples
def test_four_by_four_to_two_by_two():
    np.testing.assert_array_equal(F.max_pool2d(FOUR_BY_FOUR, 2)[0, 0], [[6, 9], [4, 8]])
    np.testing.assert_array_equal(F.min_pool2d(FOUR_BY_FOUR, 2)[0, 0], [[1, 1], [1, 0]])
    np.testing.assert_array_equal(F.avg_pool2d(FOUR_BY_FOUR, 2)[0, 0], [[15 / 4, 19 / 4], [10 / 4, 19 / 4]])


def test_max_pool_gradient_goes_to_the_maximum():
    grad = backward_of("max_pool2d", np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), FOUR_BY_FOUR, 2)[0, 0]
    expected = np.zeros((4, 4))
    expected[1, 1], expected[0, 3], expected[2, 0], expected[2, 2] = 1, 2, 3, 4
    np.testing.assert_array_equal(grad, expected)


def test_ties_send_the_gradient_to_the_first_maximum():
    x = np.zeros((1, 1, 2, 2))
    np.testing.assert_array_equal(backward_of("max_pool2d", np.ones((1, 1, 1, 1)), x, 2)[0, 0], [[1, 0], [0, 0]])
    x = np.array([[[[0.0, 5.0], [5.0, 5.0]]]])
    np.testing.assert_array_equal(backward_of("max_pool2d", np.ones((1, 1, 1, 1)), x, 2)[0, 0], [[0, 1], [0, 0]])
    np.testing.assert_array_equal(backward_of("min_pool2d", np.ones((1, 1, 1, 1)), -x, 2)[0, 0], [[0, 1], [0, 0]])


def test_avg_pool_gradient_is_shared_equally():
    grad = backward_of("avg_pool2d", np.ones((1, 1, 2, 2)), FOUR_BY_FOUR, 2)
    np.testing.assert_array_equal(grad, np.full((1, 1, 4, 4), 0.25))


def test_avg_pool_divisor_follows_pytorch_at_the_border():
    x = np.ones((1, 1, 3, 3))
    # padding counts in the mean (count_include_pad=True): the corner window holds 1 real pixel of 4
    np.testing.assert_allclose(F.avg_pool2d(x, 2, 2, padding=1)[0, 0], [[0.25, 0.5], [0.5, 1.0]])
    np.testing.assert_allclose(F.avg_pool2d(x, 2, 2, padding=1, count_include_pad=False)[0, 0], np.ones((2, 2)))
    # ceil_mode's extra window divides by what it covers: 1 pixel
    np.testing.assert_allclose(F.avg_pool2d(x, 2, 2, ceil_mode=True)[0, 0], np.ones((2, 2)))


# ------------------------------------------------------------------------ naive reference
@settings(max_examples=40, deadline=None)
@given(kernel=st.integers(1, 4), stride=st.integers(1, 3), padding=st.integers(0, 2), size=st.integers(4, 9),
       seed=st.integers(0, 2**16))
def test_fast_pooling_equals_a_naive_loop(kernel, stride, padding, size, seed):
    padding = min(padding, kernel // 2)
    x = np.random.default_rng(seed).normal(size=(2, 3, size, size + 1))
    np.testing.assert_allclose(F.max_pool2d(x, kernel, stride, padding),
                               _naive_pool(x, kernel, stride, padding, np.max, -np.inf))
    np.testing.assert_allclose(F.min_pool2d(x, kernel, stride, padding),
                               _naive_pool(x, kernel, stride, padding, np.min, np.inf))
    np.testing.assert_allclose(F.avg_pool2d(x, kernel, stride, padding),
                               _naive_pool(x, kernel, stride, padding, np.mean, 0.0))


@settings(max_examples=40, deadline=None)
@given(kernel=st.integers(1, 4), stride=st.integers(1, 3), padding=st.integers(0, 2), size=st.integers(4, 9),
       ceil_mode=st.booleans(), count_include_pad=st.booleans(), seed=st.integers(0, 2**16))
def test_the_library_loop_versions_equal_the_fast_ones(kernel, stride, padding, size, ceil_mode, count_include_pad,
                                                       seed):
    padding = min(padding, kernel // 2)
    x = np.random.default_rng(seed).normal(size=(2, 3, size + 1, size)).astype(np.float32)
    args = (kernel, stride, padding, ceil_mode)
    np.testing.assert_array_equal(F.max_pool2d_naive(x, *args), F.max_pool2d(x, *args))
    np.testing.assert_allclose(F.avg_pool2d_naive(x, *args, count_include_pad),
                               F.avg_pool2d(x, *args, count_include_pad), rtol=1e-5, atol=1e-6)



@settings(max_examples=40, deadline=None)
@given(kernel=st.integers(1, 4), stride=st.integers(1, 3), padding=st.integers(0, 2), size=st.integers(4, 9),
       ceil_mode=st.booleans(), count_include_pad=st.booleans(), ties=st.booleans(), seed=st.integers(0, 2**16))
def test_the_public_gradients_equal_the_reference_loops(kernel, stride, padding, size, ceil_mode, count_include_pad,
                                                        ties, seed):
    padding = min(padding, kernel // 2)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 3, size + 1, size))
    if ties:  # whole windows of equal values, as after a ReLU: both must pick the first maximum
        x = np.maximum(np.round(x), 0)
    args = (kernel, stride, padding, ceil_mode)
    for name, extra in (("max", ()), ("avg", (count_include_pad,))):
        output, ctx = getattr(F, f"{name}_pool2d_forward")(x, *args, *extra)
        expected, reference_ctx = getattr(F, f"{name}_pool2d_naive_forward")(x, *args, *extra)
        np.testing.assert_allclose(output, expected, rtol=1e-12, atol=1e-12)
        grad_output = rng.normal(size=output.shape)
        np.testing.assert_allclose(getattr(F, f"{name}_pool2d_backward")(grad_output, ctx),
                                   getattr(F, f"{name}_pool2d_naive_backward")(grad_output, reference_ctx),
                                   rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(batch=st.integers(1, 3), height=st.integers(2, 9), width=st.integers(2, 9), padding=st.integers(0, 1),
       ceil_mode=st.booleans(), ties=st.booleans(), dtype=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 2**16))
def test_fused_2x2_loop_and_numpy_views_equal_the_reference_loops(batch, height, width, padding, ceil_mode, ties,
                                                                  dtype, seed):
    """2x2 windows at stride 2 run in fused numba loops (fast/pooling_fused.py), forward and backward, where numba
    is installed."""
    pytest.importorskip("numba")
    x = np.random.default_rng(seed).normal(size=(batch, 2, height, width)).astype(dtype)
    if ties:  # whole windows of zeros, as after a ReLU: the first maximum wins
        x = np.maximum(np.round(x), 0).astype(dtype)
    expected, reference_ctx = F.max_pool2d_naive_forward(x, 2, 2, padding, ceil_mode)
    grad_output = np.random.default_rng(seed + 1).normal(size=expected.shape).astype(dtype)
    for enabled in (True, False):
        with fused_loops(enabled):
            output, ctx = F.max_pool2d_forward(x, 2, 2, padding, ceil_mode)
            grad_input = F.max_pool2d_backward(grad_output, ctx)
        assert output.dtype == dtype
        np.testing.assert_array_equal(output, expected)
        np.testing.assert_array_equal(grad_input, F.max_pool2d_naive_backward(grad_output, reference_ctx))

# --------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("kernel, stride, padding, ceil_mode", [(2, 2, 0, False), (3, 1, 1, False),
                                                                 (3, 2, 1, True), (2, 3, 0, True)])
@pytest.mark.parametrize("name", ["max", "min", "avg"])
def test_backward_matches_numerical_gradient(name, kernel, stride, padding, ceil_mode):
    rng = np.random.default_rng(1)
    x = rng.permutation(2 * 2 * 5 * 6).reshape(2, 2, 5, 6) / 7.0  # distinct values: no ties for max/min
    forward = getattr(F, f"{name}_pool2d")
    args = (kernel, stride, padding, ceil_mode)
    grad_output = rng.normal(size=forward(x, *args).shape)
    assert_gradient(lambda v: forward(v, *args), backward_of(f"{name}_pool2d", grad_output, x, *args), x, grad_output,
                    h=1e-4)


def test_forward_with_ctx_equals_the_plain_forward_and_keeps_float32():
    x = np.random.default_rng(2).normal(size=(2, 3, 7, 7)).astype(np.float32)
    output, ctx = F.max_pool2d_forward(x, 3, 2, 1, True)
    np.testing.assert_array_equal(output, F.max_pool2d(x, 3, 2, 1, True))
    grad = F.max_pool2d_backward(np.ones_like(output), ctx)
    assert grad.dtype == np.float32 and grad.shape == x.shape
    # every window sends its 1 to one pixel: the gradient adds up to the number of windows
    assert grad.sum() == output.size


@pytest.mark.parametrize("name", ["max", "min", "avg"])
def test_float32_stays_float32(name):
    x = np.ones((1, 1, 4, 4), np.float32)
    out = getattr(F, f"{name}_pool2d")(x, 2)
    assert out.dtype == np.float32
    assert backward_of(f"{name}_pool2d", np.ones_like(out), x, 2).dtype == np.float32
    assert getattr(F, f"{name}_pool2d")(x.astype(np.float64), 2).dtype == np.float64


def test_integer_images_become_float64():
    assert F.max_pool2d(np.arange(16, dtype=np.uint8).reshape(1, 1, 4, 4), 2).dtype == np.float64


# ------------------------------------------------------------------------------ PyTorch
@pytest.mark.torch
@settings(max_examples=40, deadline=None)
@given(kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)), stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       pad=st.tuples(st.integers(0, 2), st.integers(0, 2)), size=st.tuples(st.integers(4, 9), st.integers(4, 9)),
       ceil_mode=st.booleans(), float32=st.booleans(), ties=st.booleans(), seed=st.integers(0, 2**16))
def test_pooling_matches_pytorch(kernel, stride, pad, size, ceil_mode, float32, ties, seed):
    torch = import_torch()
    padding = (min(pad[0], kernel[0] // 2), min(pad[1], kernel[1] // 2))
    rng = np.random.default_rng(seed)
    dtype = np.float32 if float32 else np.float64
    # small integers give many ties, the case where the first maximum must win
    x = (rng.integers(-2, 3, (2, 3) + size) if ties else rng.normal(size=(2, 3) + size)).astype(dtype)
    for name in ("max", "avg"):
        x_torch = torch.tensor(x, requires_grad=True)
        y_torch = getattr(torch.nn.functional, f"{name}_pool2d")(x_torch, kernel, stride, padding, ceil_mode=ceil_mode)
        grad_output = rng.normal(size=tuple(y_torch.shape)).astype(dtype)
        y_torch.backward(torch.tensor(grad_output))
        y = getattr(F, f"{name}_pool2d")(x, kernel, stride, padding, ceil_mode)
        grad = backward_of(f"{name}_pool2d", grad_output, x, kernel, stride, padding, ceil_mode)
        assert y.dtype == grad.dtype == dtype
        tolerance = 1e-5 if float32 else 1e-12
        np.testing.assert_allclose(y, y_torch.detach().numpy(), rtol=tolerance, atol=tolerance)
        np.testing.assert_allclose(grad, x_torch.grad.numpy(), rtol=tolerance, atol=tolerance)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, error, message", [
    (lambda: F.max_pool2d(np.ones((4, 4)), 2), ValueError, r"input must have 4 dimensions, got 2 \(shape \(4, 4\)\)"),
    (lambda: F.max_pool2d(np.ones((1, 1, 2, 2)), 3), ValueError, "kernel 3x3 does not fit a 2x2 input with padding 0"),
    (lambda: F.avg_pool2d(np.ones((1, 1, 2, 2)), 3), ValueError, "kernel 3x3 does not fit a 2x2 input with padding 0"),
    (lambda: F.max_pool2d(np.ones((1, 1, 5, 5)), 3, padding=2), ValueError,
     r"padding must be at most half the kernel size \(PyTorch's rule\), got padding \(2, 2\) for kernel 3x3"),
    (lambda: F.max_pool2d(np.ones((1, 1, 5, 5)), 2, stride=0), ValueError, "stride must be positive, got 0"),
    (lambda: F.max_pool2d(np.ones((1, 1, 5, 5)), 2, padding=-1), ValueError, "padding must be at least 0, got -1"),
    (lambda: F.max_pool2d(np.ones((1, 1, 5, 5)), 2.5), TypeError, "kernel_size must be an int or a pair of ints"),
    (lambda: F.max_pool2d(np.full((1, 1, 4, 4), np.nan), 2), ValueError, "input contains NaN or infinity"),
    (lambda: F.min_pool2d(np.full((1, 1, 4, 4), np.nan), 2), ValueError, "input contains NaN or infinity"),
    (lambda: F.max_pool2d(np.array([["a"]]), 2), TypeError, "input must be a numeric array"),
    (lambda: backward_of("max_pool2d", np.ones((1, 1, 3, 3)), np.ones((1, 1, 4, 4)), 2), ValueError,
     r"grad_output must have the output's shape \(1, 1, 2, 2\), got \(1, 1, 3, 3\)"),
    (lambda: backward_of("avg_pool2d", np.ones((1, 1, 3, 3)), np.ones((1, 1, 4, 4)), 2), ValueError,
     r"grad_output must have the output's shape \(1, 1, 2, 2\), got \(1, 1, 3, 3\)"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------------- adaptive average pooling
def test_adaptive_windows_follow_pytorch_rule_by_hand():
    assert F.adaptive_windows(4, 2) == [(0, 2), (2, 4)]
    assert F.adaptive_windows(5, 2) == [(0, 3), (2, 5)]  # the middle pixel is in both windows
    assert F.adaptive_windows(7, 3) == [(0, 3), (2, 5), (4, 7)]
    assert F.adaptive_windows(6, 1) == [(0, 6)]


def test_adaptive_avg_pool_gives_one_size_for_any_input_and_global_means():
    rng = np.random.default_rng(5)
    for size in ((6, 6), (9, 13)):
        x = rng.normal(size=(2, 3) + size)
        assert F.adaptive_avg_pool2d(x, 2).shape == (2, 3, 2, 2)
        np.testing.assert_allclose(F.adaptive_avg_pool2d(x, 1)[:, :, 0, 0], x.mean(axis=(2, 3)), rtol=1e-12)
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(F.adaptive_avg_pool2d(x, 2), F.avg_pool2d(x, 2))  # 2 divides 4: plain pooling


@pytest.mark.parametrize("size, output_size", [((5, 6), 2), ((7, 4), (3, 2)), ((4, 4), 1), ((6, 5), (6, 5))])
def test_adaptive_avg_pool_backward_matches_numerical_gradient(size, output_size):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 2) + size)
    grad_output = rng.normal(size=F.adaptive_avg_pool2d(x, output_size).shape)
    assert_gradient(lambda v: F.adaptive_avg_pool2d(v, output_size),
                    backward_of("adaptive_avg_pool2d", grad_output, x, output_size), x, grad_output)


def test_adaptive_avg_pool_layer_has_no_parameters_and_keeps_float32():
    from cnnlab import nn
    layer = nn.AdaptiveAvgPool2d(1)
    x = np.ones((2, 4, 5, 7), np.float32)
    out = layer(x)
    assert out.shape == (2, 4, 1, 1) and out.dtype == np.float32 and layer.num_parameters == 0
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    np.testing.assert_allclose(layer.backward(np.ones_like(out)), np.full(x.shape, 1 / 35), rtol=1e-6)
    assert repr(layer) == "AdaptiveAvgPool2d(output_size=1)"


@pytest.mark.torch
@pytest.mark.parametrize("size, output_size", [((5, 6), 2), ((7, 9), (3, 4)), ((8, 8), 1), ((10, 3), (4, 2))])
def test_adaptive_avg_pool_matches_pytorch(size, output_size):
    torch = import_torch()
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 3) + size)
    x_torch = torch.tensor(x, requires_grad=True)
    y_torch = torch.nn.functional.adaptive_avg_pool2d(x_torch, output_size)
    grad_output = rng.normal(size=tuple(y_torch.shape))
    y_torch.backward(torch.tensor(grad_output))
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x, output_size), y_torch.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(backward_of("adaptive_avg_pool2d", grad_output, x, output_size), x_torch.grad.numpy(),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("call, message", [
    (lambda: F.adaptive_avg_pool2d(np.ones((1, 1, 3, 3)), 4), "output_size must be at most the input's 3x3, got 4x4"),
    (lambda: F.adaptive_avg_pool2d(np.ones((1, 1, 3, 3)), 0), "output_size must be"),
    (lambda: F.adaptive_avg_pool2d(np.ones((3, 3)), 1), "input must have 4 dimensions"),
])
def test_adaptive_avg_pool_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_2x2_backward_gives_numpys_bits_zeros_signs_included(dtype):
    """Once numba is loaded small arrays take the fused backward too (jit.ready_for): it must print as NumPy's does."""
    pytest.importorskip("numba")
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 7)).astype(dtype)
    grad_output = np.linspace(-1, 1, 2 * 3 * 3 * 3).reshape(2, 3, 3, 3).astype(dtype)  # negatives: -0.0 around
    grads = []
    for enabled in (True, False):
        with fused_loops(enabled):
            _, ctx = F.max_pool2d_forward(x, 2)
            grads.append(F.max_pool2d_backward(grad_output, ctx))
    assert np.signbit(grads[1]).any() and not np.signbit(grads[1][grads[1] != 0]).all()
    np.testing.assert_array_equal(grads[0].view(np.uint8), grads[1].view(np.uint8))
