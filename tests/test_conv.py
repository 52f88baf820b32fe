"""conv2d and conv_transpose2d: against PyTorch, against the loop versions, against numerical gradients."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cnnlab.functional as F
import cnnlab.functional.fast.conv as fast_conv
from cnnlab.functional.fast import conv_fused, jit
from _contract import backward_of
from _fused_loops import fused_loops
from _numgrad import assert_gradient

SETTINGS = settings(max_examples=40, deadline=None)
TOLERANCE = {np.float32: dict(rtol=1e-4, atol=1e-4), np.float64: dict(rtol=1e-10, atol=1e-10)}


@st.composite
def conv_cases(draw, transpose=False):
    """Small random convolution problems: shapes, strides, paddings (ints, pairs, strings), dtype."""
    batch, in_channels, out_channels = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(st.sampled_from([1, 2, 3, (1, 2), (2, 1)]))
    stride_pair = (stride, stride) if isinstance(stride, int) else stride
    if transpose:
        padding = draw(st.sampled_from([0, 1, 2, (0, 1), (2, 1)]))
        output_padding = tuple(draw(st.integers(0, s - 1)) for s in stride_pair)
        size = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    else:
        padding = draw(st.sampled_from([0, 1, 2, (1, 0), (0, 2), "valid", "same"]))
        if padding == "same":
            stride, stride_pair = 1, (1, 1)
        output_padding = None
        pads = (0, 0) if isinstance(padding, str) else ((padding, padding) if isinstance(padding, int) else padding)
        minimum = [max(1, k - 2 * p) for k, p in zip(kernel, pads)]
        size = (draw(st.integers(minimum[0], 8)), draw(st.integers(minimum[1], 8)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    with_bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, in_channels) + size).astype(dtype)
    weight_shape = (in_channels, out_channels) + kernel if transpose else (out_channels, in_channels) + kernel
    weight = rng.standard_normal(weight_shape).astype(dtype)
    bias = rng.standard_normal(out_channels).astype(dtype) if with_bias else None
    return dict(x=x, weight=weight, bias=bias, stride=stride, padding=padding, output_padding=output_padding, rng=rng)


def _conv_args(case):
    return case["x"], case["weight"], case["bias"], case["stride"], case["padding"]


def _transpose_args(case):
    return _conv_args(case) + (case["output_padding"],)


def _transpose_output_fits(case):
    x, weight = case["x"], case["weight"]
    stride = case["stride"] if isinstance(case["stride"], tuple) else (case["stride"],) * 2
    padding = case["padding"] if isinstance(case["padding"], tuple) else (case["padding"],) * 2
    sizes = [(n - 1) * s - 2 * p + k + o for n, s, p, k, o in
             zip(x.shape[2:], stride, padding, weight.shape[2:], case["output_padding"])]
    return min(sizes) >= 1


# ---------------------------------------------------------------------------------------------
# Fast path against the reference loops: no reference library needed
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(conv_cases())
def test_conv2d_matches_naive_loops(case):
    fast = F.conv2d(*_conv_args(case))
    naive = F.conv2d_naive(*_conv_args(case))
    assert fast.dtype == case["x"].dtype
    np.testing.assert_allclose(fast, naive, **TOLERANCE[case["x"].dtype.type])


@SETTINGS
@given(conv_cases(transpose=True))
def test_conv_transpose2d_matches_naive_scatter(case):
    assume(_transpose_output_fits(case))
    fast = F.conv_transpose2d(*_transpose_args(case))
    naive = F.conv_transpose2d_naive(*_transpose_args(case))
    assert fast.dtype == case["x"].dtype
    np.testing.assert_allclose(fast, naive, **TOLERANCE[case["x"].dtype.type])


def _assert_same_gradients(fast, reference, dtype):
    for ours, expected in zip(fast, reference):
        if expected is None:
            assert ours is None
        else:
            np.testing.assert_allclose(ours, expected, **TOLERANCE[dtype])


@SETTINGS
@given(conv_cases())
def test_conv2d_fast_path_matches_the_reference_loops_forward_and_backward(case):
    output, ctx = F.conv2d_forward(*_conv_args(case))
    expected, reference_ctx = F.conv2d_naive_forward(*_conv_args(case))
    grad_output = case["rng"].standard_normal(output.shape).astype(output.dtype)
    np.testing.assert_allclose(output, expected, **TOLERANCE[output.dtype.type])
    _assert_same_gradients(F.conv2d_backward(grad_output, ctx), F.conv2d_naive_backward(grad_output, reference_ctx),
                           output.dtype.type)


FUSED_CASES = [  # kernel, padding, channels, filters, size, needs_input_grad
    ((3, 3), 1, 1, 8, (9, 7), (False, True, True)),   # a first layer: no image gradient
    ((3, 3), 0, 3, 5, (6, 6), (True, True, True)),    # an odd number of filters goes two at a time, the last alone
    ((3, 3), 2, 2, 1, (4, 5), (True, False, True)),   # one filter; no weight gradient
    ((3, 3), (1, 0), 4, 2, (3, 3), (True, True, False)),  # no bias gradient
    ((3, 3), (0, 2), 2, 3, (5, 4), (True, True, True)),
    ((3, 3), "same", 2, 3, (5, 6), (True, True, True)),
    ((5, 5), 2, 3, 4, (8, 7), (True, True, True)),    # other sizes: one kernel row at a time
    ((5, 5), 4, 1, 3, (3, 3), (True, True, True)),
    ((1, 1), 0, 3, 2, (4, 4), (True, True, True)),
    ((2, 2), "same", 2, 3, (5, 5), (True, True, True)),  # uneven padding, as PyTorch
    ((3, 5), (2, 1), 2, 5, (6, 8), (True, True, True)),
    ((2, 7), (1, 3), 2, 3, (5, 9), (True, True, True)),  # wider than 5: the weight gradient's rows in two passes
]


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel, padding, channels, filters, size, needs", FUSED_CASES)
def test_fused_loops_and_im2col_equal_the_reference_loops(enabled, dtype, kernel, padding, channels, filters, size,
                                                          needs):
    """Stride 1 runs in fused numba loops (fast/conv_fused.py) where numba is installed, 3x3 in its own loops."""
    with fused_loops(True):
        if enabled and not jit.available():
            pytest.skip("numba is not installed")
    rng = np.random.default_rng(channels * 10 + filters)
    x = rng.standard_normal((3, channels) + size).astype(dtype)
    weight = rng.standard_normal((filters, channels) + kernel).astype(dtype)
    bias = rng.standard_normal(filters).astype(dtype)
    expected, reference_ctx = F.conv2d_naive_forward(x, weight, bias, 1, padding, needs_input_grad=needs)
    grad_output = rng.standard_normal(expected.shape).astype(dtype)
    with fused_loops(enabled):
        output, ctx = F.conv2d_forward(x, weight, bias, 1, padding, needs_input_grad=needs)
        grads = F.conv2d_backward(grad_output, ctx)
        plain = F.conv2d(x, weight, bias, 1, padding)
    assert isinstance(ctx.saved["cols"], conv_fused.Framed) == enabled  # the path under test was taken
    assert output.dtype == dtype and all(g is None or g.dtype == dtype for g in grads)
    np.testing.assert_allclose(output, expected, **TOLERANCE[dtype])
    np.testing.assert_allclose(plain, expected, **TOLERANCE[dtype])
    _assert_same_gradients(grads, F.conv2d_naive_backward(grad_output, reference_ctx), dtype)


@pytest.mark.parametrize("kernel, stride, padding", [(3, 2, 1), (3, 1, 3), (2, 1, 2), ((1, 3), (1, 2), 0)])
def test_strided_convolutions_and_padding_beyond_the_kernel_stay_on_im2col(kernel, stride, padding):
    """The input gradient pads grad_output by k - 1 - padding: the fused loops need stride 1 and padding below k."""
    rng = np.random.default_rng(3)
    kernel = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    x, weight = rng.standard_normal((2, 2, 7, 7)), rng.standard_normal((3, 2) + kernel)
    with fused_loops(True):
        output, ctx = F.conv2d_forward(x, weight, None, stride, padding)
    assert not isinstance(ctx.saved["cols"], conv_fused.Framed)
    np.testing.assert_allclose(output, F.conv2d_naive(x, weight, None, stride, padding), **TOLERANCE[np.float64])


@SETTINGS
@given(conv_cases(transpose=True))
def test_conv_transpose2d_fast_path_matches_the_reference_loops_forward_and_backward(case):
    assume(_transpose_output_fits(case))
    output, ctx = F.conv_transpose2d_forward(*_transpose_args(case))
    expected, reference_ctx = F.conv_transpose2d_naive_forward(*_transpose_args(case))
    grad_output = case["rng"].standard_normal(output.shape).astype(output.dtype)
    np.testing.assert_allclose(output, expected, **TOLERANCE[output.dtype.type])
    _assert_same_gradients(F.conv_transpose2d_backward(grad_output, ctx),
                           F.conv_transpose2d_naive_backward(grad_output, reference_ctx), output.dtype.type)


def test_batch_chunks_give_the_same_numbers(monkeypatch):
    """A tiny chunk budget splits the batch into single images; results must not change."""
    rng = np.random.default_rng(3)
    x, weight, bias = rng.standard_normal((5, 2, 6, 7)), rng.standard_normal((3, 2, 3, 2)), rng.standard_normal(3)
    grad = rng.standard_normal((5, 3, 3, 4))
    whole = F.conv2d(x, weight, bias, 2, 1), backward_of("conv2d", grad, x, weight, bias, 2, 1)
    weight_t = rng.standard_normal((2, 3, 3, 2))
    grad_t = rng.standard_normal(F.conv_transpose2d(x, weight_t, bias, 2, 1, 1).shape)
    whole_t = (F.conv_transpose2d(x, weight_t, bias, 2, 1, 1),
               backward_of("conv_transpose2d", grad_t, x, weight_t, bias, 2, 1, 1))
    monkeypatch.setattr(fast_conv, "CHUNK_BYTES", 1)
    assert len(fast_conv.chunks(5, 100)) == 5
    chunked = F.conv2d(x, weight, bias, 2, 1), backward_of("conv2d", grad, x, weight, bias, 2, 1)
    chunked_t = (F.conv_transpose2d(x, weight_t, bias, 2, 1, 1),
                 backward_of("conv_transpose2d", grad_t, x, weight_t, bias, 2, 1, 1))
    for a, b in zip([whole[0], *whole[1], whole_t[0], *whole_t[1]],
                    [chunked[0], *chunked[1], chunked_t[0], *chunked_t[1]]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cache_bytes", [0, 2**40])
def test_layer_cache_with_and_without_kept_patches(monkeypatch, cache_bytes):
    """Large inputs keep only the input for backward and rebuild the patches: same gradients either way."""
    monkeypatch.setattr(fast_conv, "CACHE_BYTES", cache_bytes)
    monkeypatch.setattr(fast_conv, "CHUNK_BYTES", 500)
    rng = np.random.default_rng(4)
    x, weight, bias = rng.standard_normal((5, 2, 6, 7)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    output, ctx = F.conv2d_forward(x, weight, bias, 1, "same")
    assert all(cols is None for cols in ctx.saved["cols"]) == (cache_bytes == 0)
    grad = rng.standard_normal(output.shape)
    _, reference_ctx = F.conv2d_naive_forward(x, weight, bias, 1, "same")
    for ours, expected in zip(F.conv2d_backward(grad, ctx), F.conv2d_naive_backward(grad, reference_ctx)):
        np.testing.assert_allclose(ours, expected, **TOLERANCE[np.float64])


def test_backward_can_skip_the_input_gradient():
    rng = np.random.default_rng(9)
    x, weight, bias = rng.standard_normal((3, 1, 6, 6)), rng.standard_normal((4, 1, 3, 3)), rng.standard_normal(4)
    output, ctx = F.conv2d_forward(x, weight, bias, 1, 1, needs_input_grad=(False, True, True))
    grad = rng.standard_normal(output.shape)
    grad_input, grad_weight, grad_bias = F.conv2d_backward(grad, ctx)
    assert grad_input is None
    expected = backward_of("conv2d", grad, x, weight, bias, 1, 1)
    np.testing.assert_allclose(grad_weight, expected[1], rtol=1e-12)
    np.testing.assert_allclose(grad_bias, expected[2], rtol=1e-12)


def test_non_contiguous_arrays_give_the_same_numbers():
    """Fortran-ordered and sliced inputs (views) must not change any result."""
    rng = np.random.default_rng(10)
    x, weight, bias = rng.standard_normal((3, 2, 7, 6)), rng.standard_normal((4, 2, 3, 2)), rng.standard_normal(4)
    weight_t = rng.standard_normal((2, 4, 3, 2))
    grad = rng.standard_normal(F.conv2d(x, weight, bias, 2, 1).shape)
    grad_t = rng.standard_normal(F.conv_transpose2d(x, weight_t, bias, 2, 1).shape)
    views = dict(x=np.asfortranarray(x), weight=np.asfortranarray(weight), weight_t=np.asfortranarray(weight_t),
                 grad=np.asfortranarray(grad), grad_t=np.asfortranarray(grad_t))
    for contiguous, strided in [
        (F.conv2d(x, weight, bias, 2, 1), F.conv2d(views["x"], views["weight"], bias, 2, 1)),
        (F.conv_transpose2d(x, weight_t, bias, 2, 1), F.conv_transpose2d(views["x"], views["weight_t"], bias, 2, 1)),
        *zip(backward_of("conv2d", grad, x, weight, bias, 2, 1),
             backward_of("conv2d", views["grad"], views["x"], views["weight"], bias, 2, 1)),
        *zip(backward_of("conv_transpose2d", grad_t, x, weight_t, bias, 2, 1),
             backward_of("conv_transpose2d", views["grad_t"], views["x"], views["weight_t"], bias, 2, 1)),
    ]:
        np.testing.assert_allclose(strided, contiguous, rtol=1e-12, atol=1e-12)
    sliced = np.repeat(x, 2, axis=3)[:, :, :, ::2]  # a strided view equal to x
    np.testing.assert_allclose(F.conv2d(sliced, weight, bias, 1, "same"), F.conv2d(x, weight, bias, 1, "same"),
                               rtol=1e-12)


def test_chunks_are_equal_sized():
    sizes = [c.stop - c.start for c in fast_conv.chunks(64, fast_conv.CHUNK_BYTES // 13 + 1)]
    assert sum(sizes) == 64 and max(sizes) - min(sizes) <= 1


# ---------------------------------------------------------------------------------------------
# Numerical gradients (centred differences)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (2, 0)), (1, "same")])
def test_conv2d_backward_matches_numerical_gradients(stride, padding):
    rng = np.random.default_rng(11)
    x, weight, bias = rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((3, 2, 2, 3)), rng.standard_normal(3)
    grad_output = rng.standard_normal(F.conv2d(x, weight, bias, stride, padding).shape)
    grad_input, grad_weight, grad_bias = backward_of("conv2d", grad_output, x, weight, bias, stride, padding)
    tolerance = dict(rtol=1e-6, atol=1e-8)
    assert_gradient(lambda v: F.conv2d(v, weight, bias, stride, padding), grad_input, x, grad_output, **tolerance)
    assert_gradient(lambda v: F.conv2d(x, v, bias, stride, padding), grad_weight, weight, grad_output, **tolerance)
    assert_gradient(lambda v: F.conv2d(x, weight, v, stride, padding), grad_bias, bias, grad_output, **tolerance)


@pytest.mark.parametrize("stride, padding, output_padding", [(1, 0, 0), (2, 1, 1), ((2, 3), (0, 1), (1, 2)), (3, 0, 0)])
def test_conv_transpose2d_backward_matches_numerical_gradients(stride, padding, output_padding):
    rng = np.random.default_rng(12)
    x, weight, bias = rng.standard_normal((2, 2, 3, 4)), rng.standard_normal((2, 3, 3, 2)), rng.standard_normal(3)
    args = (stride, padding, output_padding)
    grad_output = rng.standard_normal(F.conv_transpose2d(x, weight, bias, *args).shape)
    grad_input, grad_weight, grad_bias = backward_of("conv_transpose2d", grad_output, x, weight, bias, *args)
    tolerance = dict(rtol=1e-6, atol=1e-8)
    assert_gradient(lambda v: F.conv_transpose2d(v, weight, bias, *args), grad_input, x, grad_output, **tolerance)
    assert_gradient(lambda v: F.conv_transpose2d(x, v, bias, *args), grad_weight, weight, grad_output, **tolerance)
    assert_gradient(lambda v: F.conv_transpose2d(x, weight, v, *args), grad_bias, bias, grad_output, **tolerance)


def test_weight_gradient_on_a_large_image():
    """Images with 1024 or more outputs take the other orientation of the weight-gradient product."""
    rng = np.random.default_rng(13)
    x, weight = rng.standard_normal((2, 2, 33, 34)), rng.standard_normal((3, 2, 3, 3))
    grad = rng.standard_normal((2, 3, 33, 34))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    patches = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))  # (N, C, H, W, 3, 3)
    expected = np.einsum("nfhw,nchwij->fcij", grad, patches)
    np.testing.assert_allclose(backward_of("conv2d", grad, x, weight, padding=1)[1], expected, rtol=1e-10)


def test_no_bias_gives_no_bias_gradient():
    x, weight = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
    assert backward_of("conv2d", np.ones((1, 1, 2, 2)), x, weight)[2] is None
    assert backward_of("conv_transpose2d", np.ones((1, 1, 4, 4)), x, weight)[2] is None


def test_conv_transpose2d_is_the_gradient_of_conv2d():
    """<conv2d(x, w), y> = <x, conv_transpose2d(y, w)>: the two are adjoint (transposed) maps."""
    rng = np.random.default_rng(5)
    x, weight = rng.standard_normal((2, 3, 7, 8)), rng.standard_normal((4, 3, 3, 2))
    y = rng.standard_normal(F.conv2d(x, weight, stride=2, padding=1).shape)
    left = np.sum(F.conv2d(x, weight, stride=2, padding=1) * y)
    right = np.sum(x * F.conv_transpose2d(y, weight, stride=2, padding=1))
    assert left == pytest.approx(right, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------------------------

def test_float32_agrees_with_float64_to_float32_precision():
    rng = np.random.default_rng(6)
    x, weight, bias = rng.standard_normal((4, 3, 12, 12)), rng.standard_normal((5, 3, 3, 3)), rng.standard_normal(5)
    grad = rng.standard_normal((4, 5, 12, 12))
    single = [F.conv2d(x.astype(np.float32), weight.astype(np.float32), bias.astype(np.float32), padding=1)]
    single += backward_of("conv2d", grad.astype(np.float32), x.astype(np.float32), weight.astype(np.float32),
                          bias.astype(np.float32), padding=1)
    double = [F.conv2d(x, weight, bias, padding=1)] + list(backward_of("conv2d", grad, x, weight, bias, padding=1))
    for s, d in zip(single, double):
        assert s.dtype == np.float32 and d.dtype == np.float64
        # Sums of up to ~600 products of unit-sized numbers: a few float32 epsilons of the sum's scale.
        np.testing.assert_allclose(s, d, rtol=1e-5, atol=1e-4 * np.abs(d).max())


def test_integer_arrays_become_float64():
    output = F.conv2d(np.ones((1, 1, 3, 3), dtype=np.uint8), np.ones((1, 1, 2, 2), dtype=np.int64))
    assert output.dtype == np.float64
    np.testing.assert_array_equal(output, np.full((1, 1, 2, 2), 4.0))


def test_mixed_float32_and_float64_give_float64():
    assert F.conv2d(np.ones((1, 1, 3, 3), np.float32), np.ones((1, 1, 2, 2))).dtype == np.float64


# ---------------------------------------------------------------------------------------------
# PyTorch: values and autograd gradients
# ---------------------------------------------------------------------------------------------

def _torch_compare(torch_function, ours, ours_backward, args, extra, case):
    torch = pytest.importorskip("torch")
    x, weight, bias = case["x"], case["weight"], case["bias"]
    tensors = [torch.tensor(a, requires_grad=True) if a is not None else None for a in (x, weight, bias)]
    expected = torch_function(*tensors, *extra)
    output = ours(*args)
    tolerance = TOLERANCE[x.dtype.type]
    np.testing.assert_allclose(output, expected.detach().numpy(), **tolerance)
    grad_output = case["rng"].standard_normal(output.shape).astype(x.dtype)
    expected.backward(torch.tensor(grad_output))
    for ours_grad, tensor in zip(ours_backward(grad_output, *args), tensors):
        if tensor is None:
            assert ours_grad is None
        else:
            np.testing.assert_allclose(ours_grad, tensor.grad.numpy(), **tolerance)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@SETTINGS
@given(conv_cases())
def test_conv2d_matches_torch_values_and_gradients(case):
    torch = pytest.importorskip("torch")
    _torch_compare(torch.nn.functional.conv2d, F.conv2d, lambda g, *a: backward_of("conv2d", g, *a), _conv_args(case),
                   (case["stride"], case["padding"]), case)


@pytest.mark.torch
@SETTINGS
@given(conv_cases(transpose=True))
def test_conv_transpose2d_matches_torch_values_and_gradients(case):
    torch = pytest.importorskip("torch")
    assume(_transpose_output_fits(case))
    _torch_compare(torch.nn.functional.conv_transpose2d, F.conv_transpose2d,
                   lambda g, *a: backward_of("conv_transpose2d", g, *a),
                   _transpose_args(case), (case["stride"], case["padding"], case["output_padding"]), case)


@pytest.mark.torch
def test_same_padding_with_an_even_kernel_is_uneven_like_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x, weight = rng.standard_normal((1, 1, 5, 6)), rng.standard_normal((1, 1, 2, 4))
    ours = F.conv2d(x, weight, padding="same")
    assert ours.shape == x.shape
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(weight), padding="same").numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-12)
    # Extra zeros at the bottom and right: top-left output uses no padding row above it.
    np.testing.assert_allclose(ours[0, 0, 0, 1], np.sum(x[0, 0, 0:2, 0:4] * weight[0, 0]))


# ---------------------------------------------------------------------------------------------
# Bad input: a clear message naming the argument
# ---------------------------------------------------------------------------------------------

GOOD_X, GOOD_W = np.ones((2, 3, 5, 5)), np.ones((8, 3, 3, 3))


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.conv2d(np.ones((3, 5, 5)), GOOD_W), ValueError,
     r"input must have 4 dimensions, got 3 \(shape \(3, 5, 5\)\)"),
    (lambda: F.conv2d(GOOD_X, np.ones((3, 3, 3))), ValueError, r"weight must have 4 dimensions, got 3"),
    (lambda: F.conv2d(GOOD_X, np.ones((8, 1, 3, 3))), ValueError,
     r"input has 3 channels but weight expects 1 \(weight shape \(8, 1, 3, 3\)\)"),
    (lambda: F.conv2d(GOOD_X, GOOD_W, bias=np.ones(3)), ValueError,
     r"bias must have one value per output channel \(8\), got shape \(3,\)"),
    (lambda: F.conv2d(GOOD_X, np.ones((1, 3, 7, 7))), ValueError,
     r"kernel 7x7 does not fit a 5x5 input with padding 0"),
    (lambda: F.conv2d(GOOD_X, np.ones((1, 3, 8, 8)), padding=1), ValueError,
     r"kernel 8x8 does not fit a 5x5 input with padding 1"),
    (lambda: F.conv2d(GOOD_X, GOOD_W, stride=0), ValueError, r"stride must be positive, got 0"),
    (lambda: F.conv2d(GOOD_X, GOOD_W, stride=(1, -2)), ValueError, r"stride must be positive, got \(1, -2\)"),
    (lambda: F.conv2d(GOOD_X, GOOD_W, padding=-1), ValueError, r"padding must be at least 0, got -1"),
    (lambda: F.conv2d(GOOD_X, GOOD_W, padding="full"), ValueError,
     r"padding must be an int, a pair of ints, 'valid' or 'same', got 'full'"),
    (lambda: F.conv2d(GOOD_X, GOOD_W, stride=2, padding="same"), ValueError, r"padding='same' needs stride 1"),
    (lambda: F.conv2d(GOOD_X, GOOD_W, padding=1.5), TypeError, r"padding must be an int or a pair of ints, got 1.5"),
    (lambda: F.conv2d(np.full((2, 3, 5, 5), np.nan), GOOD_W), ValueError, r"input contains NaN or infinity"),
    (lambda: F.conv2d(GOOD_X, np.full((8, 3, 3, 3), np.inf)), ValueError, r"weight contains NaN or infinity"),
    (lambda: F.conv2d(np.full((2, 3, 5, 5), "a"), GOOD_W), TypeError,
     r"input must be a numeric array, got an array of dtype <U1"),
    (lambda: F.conv2d(GOOD_X, np.array([[[[object()]]]])), TypeError, r"weight must be a numeric array"),
    (lambda: backward_of("conv2d", np.ones((2, 8, 4, 4)), GOOD_X, GOOD_W), ValueError,
     r"grad_output must have the output's shape \(2, 8, 3, 3\), got \(2, 8, 4, 4\)"),
    (lambda: F.conv_transpose2d(GOOD_X, np.ones((8, 3, 3, 3))), ValueError,
     r"input has 3 channels but weight expects 8 \(weight shape \(8, 3, 3, 3\)\); "
     r"weight is laid out \(in_channels, out_channels"),
    (lambda: F.conv_transpose2d(GOOD_X, np.ones((3, 2, 3, 3)), stride=2, output_padding=2), ValueError,
     r"output_padding must be smaller than the stride \(2, 2\), got \(2, 2\)"),
    (lambda: F.conv_transpose2d(GOOD_X, np.ones((3, 2, 3, 3)), padding="same"), ValueError,
     r"padding must be an int or a pair of ints for conv_transpose2d"),
    (lambda: F.conv_transpose2d(np.ones((1, 3, 1, 1)), np.ones((3, 2, 1, 1)), padding=1), ValueError,
     r"conv_transpose2d output would be -1x-1"),
    (lambda: F.conv_transpose2d(GOOD_X, np.ones((3, 2, 3, 3)), stride=0), ValueError, r"stride must be positive"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()
