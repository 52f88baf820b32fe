"""interpolate: the lecture's 2x2 to 4x4 map, hand-made bilinear values, PyTorch, gradients, bad input."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlab import functional as F
from _contract import backward_of
from _numgrad import assert_gradient
from _torch_reference import import_torch

LECTURE_MAP = np.array([[20.0, 45.0], [10.0, 43.0]])[None, None]


def test_nearest_copies_each_pixel_into_a_block():
    expected = [[20, 20, 45, 45], [20, 20, 45, 45], [10, 10, 43, 43], [10, 10, 43, 43]]
    np.testing.assert_array_equal(F.interpolate(LECTURE_MAP, scale_factor=2)[0, 0], expected)
    np.testing.assert_array_equal(F.interpolate(LECTURE_MAP, size=(4, 4), mode="nearest")[0, 0], expected)


def test_nearest_backward_sums_each_block():
    grad = backward_of("interpolate", np.ones((1, 1, 4, 4)), LECTURE_MAP, scale_factor=2)
    np.testing.assert_array_equal(grad, np.full((1, 1, 2, 2), 4.0))


def test_bilinear_by_hand():
    # align_corners=True: output pixel j sits at input coordinate j * (2 - 1) / (4 - 1) = j / 3
    row = F.interpolate(np.array([[[[0.0, 3.0]]]]), size=(1, 4), mode="bilinear", align_corners=True)[0, 0, 0]
    np.testing.assert_allclose(row, [0, 1, 2, 3])
    # align_corners=False: coordinate (j + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to the edges
    row = F.interpolate(np.array([[[[0.0, 4.0]]]]), scale_factor=2, mode="bilinear", align_corners=False)[0, 0, 0]
    np.testing.assert_allclose(row, [0, 1, 3, 4])
    # the centre of the lecture's map: the mean of its four pixels
    centre = F.interpolate(LECTURE_MAP, size=(3, 3), mode="bilinear", align_corners=True)[0, 0, 1, 1]
    assert centre == pytest.approx((20 + 45 + 10 + 43) / 4)


def test_linear_mode_for_sequences():
    np.testing.assert_allclose(F.interpolate(np.array([[[0.0, 2.0]]]), size=3, mode="linear", align_corners=True),
                               [[[0, 1, 2]]])


def test_float32_stays_float32():
    x = LECTURE_MAP.astype(np.float32)
    for mode in ("nearest", "bilinear"):
        y = F.interpolate(x, scale_factor=2, mode=mode)
        assert y.dtype == np.float32
        assert backward_of("interpolate", np.ones_like(y), x, scale_factor=2, mode=mode).dtype == np.float32


@pytest.mark.parametrize("mode, align_corners", [("nearest", None), ("bilinear", False), ("bilinear", True)])
@pytest.mark.parametrize("resize", [{"scale_factor": 2}, {"size": (5, 3)}, {"scale_factor": 0.5}])
def test_backward_matches_numerical_gradient(mode, align_corners, resize):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 2, 4, 4))
    grad_output = rng.normal(size=F.interpolate(x, mode=mode, align_corners=align_corners, **resize).shape)
    assert_gradient(lambda v: F.interpolate(v, mode=mode, align_corners=align_corners, **resize),
                    backward_of("interpolate", grad_output, x, mode=mode, align_corners=align_corners, **resize),
                    x, grad_output)


@pytest.mark.torch
@settings(max_examples=40, deadline=None)
@given(size=st.tuples(st.integers(1, 7), st.integers(1, 7)), mode=st.sampled_from(["nearest", "bilinear"]),
       align_corners=st.booleans(), by_size=st.booleans(), out=st.tuples(st.integers(1, 12), st.integers(1, 12)),
       factor=st.sampled_from([0.5, 0.75, 1.5, 2.0, 2.5, 3.0]), float32=st.booleans(), seed=st.integers(0, 2**16))
def test_interpolate_matches_pytorch(size, mode, align_corners, by_size, out, factor, float32, seed):
    torch = import_torch()
    dtype = np.float32 if float32 else np.float64
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 3) + size).astype(dtype)
    resize = {"size": out} if by_size else {"scale_factor": factor}
    if not by_size and min(int(s * factor) for s in size) < 1:
        return
    corners = align_corners if mode == "bilinear" else None
    x_torch = torch.tensor(x, requires_grad=True)
    y_torch = torch.nn.functional.interpolate(x_torch, mode=mode, align_corners=corners, **resize)
    grad_output = rng.normal(size=tuple(y_torch.shape)).astype(dtype)
    y_torch.backward(torch.tensor(grad_output))
    y = F.interpolate(x, mode=mode, align_corners=corners, **resize)
    grad = backward_of("interpolate", grad_output, x, mode=mode, align_corners=corners, **resize)
    tolerance = 1e-5 if float32 else 1e-12
    np.testing.assert_allclose(y, y_torch.detach().numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(grad, x_torch.grad.numpy(), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.interpolate(LECTURE_MAP), ValueError, "give exactly one of size or scale_factor"),
    (lambda: F.interpolate(LECTURE_MAP, size=4, scale_factor=2), ValueError,
     "give exactly one of size or scale_factor"),
    (lambda: F.interpolate(LECTURE_MAP, scale_factor=2, mode="bicubic"), ValueError,
     "mode must be one of 'nearest', 'linear', 'bilinear', got 'bicubic'"),
    (lambda: F.interpolate(LECTURE_MAP, scale_factor=2, align_corners=True), ValueError,
     "align_corners can only be set with mode 'linear' or 'bilinear'"),
    (lambda: F.interpolate(LECTURE_MAP[0], scale_factor=2, mode="bilinear"), ValueError,
     "input must have 4 dimensions, got 3"),
    (lambda: F.interpolate(LECTURE_MAP, size=(4, 0)), ValueError, "size must be a positive int or 2 positive ints"),
    (lambda: F.interpolate(LECTURE_MAP, scale_factor=-1), ValueError, "scale_factor must be a positive number"),
    (lambda: F.interpolate(LECTURE_MAP, scale_factor=0.1), ValueError, "makes an empty output"),
    (lambda: F.interpolate(LECTURE_MAP * np.nan, scale_factor=2), ValueError, "input contains NaN"),
    (lambda: backward_of("interpolate", np.ones((1, 1, 3, 3)), LECTURE_MAP, scale_factor=2), ValueError,
     r"grad_output must have the output's shape \(1, 1, 4, 4\), got \(1, 1, 3, 3\)"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()
