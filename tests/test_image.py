"""correlate2d, convolve2d and output_size on single 2-D images: against SciPy, the loop version and by hand."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage, signal

import cnnlab
import cnnlab.functional as F

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def image_and_kernel(draw):
    kernel_shape = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    image_shape = (draw(st.integers(kernel_shape[0], 12)), draw(st.integers(kernel_shape[1], 12)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return rng.standard_normal(image_shape).astype(dtype), rng.standard_normal(kernel_shape).astype(dtype)


def _tolerance(dtype):
    return dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)


@SETTINGS
@given(image_and_kernel(), st.sampled_from(["valid", "same", "full"]))
def test_correlate2d_and_convolve2d_match_scipy(case, mode):
    image, kernel = case
    # SciPy's 'full' is our padding of kernel - 1 on every side.
    padding = (kernel.shape[0] - 1, kernel.shape[1] - 1) if mode == "full" else mode
    ours_correlation = cnnlab.correlate2d(image, kernel, padding=padding)
    ours_convolution = cnnlab.convolve2d(image, kernel, padding=padding)
    assert ours_correlation.dtype == image.dtype
    image64, kernel64 = image.astype(np.float64), kernel.astype(np.float64)
    np.testing.assert_allclose(ours_correlation, signal.correlate2d(image64, kernel64, mode), **_tolerance(image.dtype))
    np.testing.assert_allclose(ours_convolution, signal.convolve2d(image64, kernel64, mode), **_tolerance(image.dtype))


@SETTINGS
@given(image_and_kernel(), st.sampled_from([1, 2, 3, (1, 2), (3, 1)]), st.sampled_from([0, 1, 2, (0, 1)]))
def test_correlate2d_matches_loops_and_conv2d(case, stride, padding):
    image, kernel = case
    fast = cnnlab.correlate2d(image, kernel, stride, padding)
    np.testing.assert_allclose(fast, cnnlab.correlate2d_naive(image, kernel, stride, padding),
                               **_tolerance(image.dtype))
    batched = F.conv2d(image[None, None], kernel[None, None], stride=stride, padding=padding)[0, 0]
    np.testing.assert_allclose(fast, batched, **_tolerance(image.dtype))


def test_correlate2d_same_matches_scipy_ndimage_for_odd_kernels():
    rng = np.random.default_rng(0)
    image, kernel = rng.standard_normal((20, 17)), rng.standard_normal((3, 5))
    np.testing.assert_allclose(cnnlab.correlate2d(image, kernel, padding="same"),
                               ndimage.correlate(image, kernel, mode="constant", cval=0.0), rtol=1e-12, atol=1e-12)


def test_convolve2d_flips_the_kernel():
    """s(t) = sum_a x(a) w(t - a): a single bright pixel convolved with w reproduces w itself, upright."""
    image = np.zeros((5, 5))
    image[2, 2] = 1.0
    kernel = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(cnnlab.convolve2d(image, kernel, padding="same")[1:4, 1:4], kernel)
    # Cross-correlation reproduces it rotated by 180 degrees.
    np.testing.assert_array_equal(cnnlab.correlate2d(image, kernel, padding="same")[1:4, 1:4], kernel[::-1, ::-1])
    np.testing.assert_array_equal(cnnlab.convolve2d(image, kernel), cnnlab.correlate2d(image, kernel[::-1, ::-1]))


def test_same_padding_with_an_even_kernel():
    """No centre: correlate2d pads the extra zeros after (bottom/right), convolve2d before (top/left)."""
    image = np.arange(1.0, 17.0).reshape(4, 4)
    kernel = np.array([[1.0, 0.0], [0.0, 0.0]])  # picks the pixel under its top-left corner
    np.testing.assert_array_equal(cnnlab.correlate2d(image, kernel, padding="same"), image)
    shifted = cnnlab.convolve2d(image, kernel, padding="same")  # flipped: picks the pixel under the bottom-right
    np.testing.assert_array_equal(shifted, image)
    ones = np.ones((2, 2))
    # Correlation 'same' of a 2x2 box: the last row and column see only the bottom/right zero padding.
    same = cnnlab.correlate2d(image, ones, padding="same")
    assert same[0, 0] == 1 + 2 + 5 + 6 and same[3, 3] == 16
    same = cnnlab.convolve2d(image, ones, padding="same")
    assert same[0, 0] == 1 and same[3, 3] == 11 + 12 + 15 + 16


def test_integer_images_become_float64():
    image = np.array([[0, 255], [255, 0]], dtype=np.uint8)
    result = cnnlab.correlate2d(image, np.array([[1, 1], [1, 1]]))
    assert result.dtype == np.float64 and result[0, 0] == 510.0  # uint8 arithmetic would have wrapped to 254


@pytest.mark.parametrize("n, kernel, stride, padding, expected", [
    (7, 3, 1, 0, 5), (7, 3, 2, 0, 3), (7, 3, 1, 1, 7), (7, 3, 2, 1, 4),
    (32, 5, 1, 0, 28), (5, 3, 2, 0, 2), (1, 1, 1, 0, 1),
])
def test_output_size(n, kernel, stride, padding, expected):
    assert cnnlab.output_size(n, kernel, stride, padding) == expected
    assert isinstance(cnnlab.output_size(n, kernel, stride, padding), int)
    # The arrays agree with the formula.
    assert cnnlab.correlate2d(np.ones((n, n)), np.ones((kernel, kernel)), stride, padding).shape == (expected, expected)


@pytest.mark.parametrize("call, error, message", [
    (lambda: cnnlab.output_size(7, 3, stride=3), ValueError,
     r"^\(7 - 3 \+ 2\*0\)/3 \+ 1 = 2\.33 is not a whole number: the filter does not fit"),
    (lambda: cnnlab.output_size(3, 5), ValueError,
     r"the 5-wide filter is larger than the input \(3 pixels plus 0 of padding"),
    (lambda: cnnlab.output_size(7, 3, stride=0), ValueError, r"stride must be positive, got 0"),
    (lambda: cnnlab.output_size(7, 3, padding=-1), ValueError, r"padding must be at least 0, got -1"),
    (lambda: cnnlab.output_size(7.0, 3), TypeError, r"n must be an int, got 7.0"),
    (lambda: cnnlab.correlate2d(np.ones((3, 3, 3)), np.ones((2, 2))), ValueError,
     r"image must have 2 dimensions, got 3"),
    (lambda: cnnlab.correlate2d(np.ones((3, 3)), np.ones(2)), ValueError, r"kernel must have 2 dimensions, got 1"),
    (lambda: cnnlab.correlate2d(np.ones((3, 3)), np.ones((5, 5))), ValueError,
     r"kernel 5x5 does not fit a 3x3 image with padding 0"),
    (lambda: cnnlab.convolve2d(np.ones((3, 3)), np.ones((2, 2)), stride=-1), ValueError,
     r"stride must be positive, got -1"),
    (lambda: cnnlab.correlate2d(np.ones((3, 3)), np.ones((2, 2)), padding=(1, -1)), ValueError,
     r"padding must be at least 0"),
    (lambda: cnnlab.correlate2d(np.ones((3, 3)), np.ones((2, 2)), padding="full"), ValueError,
     r"padding must be an int, a pair of ints, 'valid' or 'same', got 'full'"),
    (lambda: cnnlab.correlate2d(np.ones((5, 5)), np.ones((3, 3)), stride=2, padding="same"), ValueError,
     r"padding='same' needs stride 1"),
    (lambda: cnnlab.correlate2d([[1.0, np.nan]], [[1.0]]), ValueError, r"image contains NaN or infinity"),
    (lambda: cnnlab.correlate2d([["a", "b"]], [[1.0]]), TypeError, r"image must be a numeric array"),
    (lambda: cnnlab.correlate2d(np.ones((3, 3)), [[1j]]), TypeError, r"kernel must be real"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()
