"""Every convolution example of the lectures, computed with cnnlab and held to the arithmetic.

Each docstring names its lecture by topic (convolution discussion, CNN hands-on, plan of attack, CNNs and deep
learning, padding and stride).

Where a slide prints a number that the arithmetic does not give, the test holds the correct value
and its docstring names the slide's.
"""
import numpy as np
import pytest

import cnnlab
import cnnlab.functional as F
from cnnlab import kernels

TWO_BY_TWO = np.array([[2, 0], [0, 2]])


def test_2x2_kernel_on_the_100x100_image_gives_10():
    """Convolution discussion: kernel [[2, 0], [0, 2]] on the image's top-left [[1, 1], [3, 4]]: 1*2 + 1*0 + 3*0 + 4*2
    = 10."""
    image = np.zeros((100, 100))
    image[:2, :2] = [[1, 1], [3, 4]]
    feature_map = cnnlab.correlate2d(image, TWO_BY_TWO)
    assert feature_map.shape == (99, 99)
    assert feature_map[0, 0] == 10
    assert 1 * 2 + 1 * 0 + 3 * 0 + 4 * 2 == 10


def test_the_slides_12_10_30_42_are_pixels_with_their_kernel_weights():
    """The first lecture's later slides print "12 10 / 30 42" (and "10 2 0 / 3 4 2") over the image.

    Notebook 01 reads them as the figure draws them: each image cell holds its pixel with the kernel's
    weight written small beside it, so "12" is pixel 1 under weight 2, "10" pixel 1 under weight 0,
    "30" pixel 3 under weight 0 and "42" pixel 4 under weight 2. They are not outputs: the only output
    on those slides is the 10 of the sum 1*2 + 1*0 + 3*0 + 4*2. "10 2 0 / 3 4 2" is that result 10
    written over the first pixel and the kernel's 2 0 / 0 2 drawn one step to the right (stride 1),
    its bottom-left 0 hidden by the pixel 4.
    """
    corner = np.array([[1, 1], [3, 4]])
    as_drawn = [[f"{pixel}{weight}" for pixel, weight in zip(pixel_row, weight_row)]
                for pixel_row, weight_row in zip(corner, TWO_BY_TWO)]
    assert as_drawn == [["12", "10"], ["30", "42"]]
    assert cnnlab.correlate2d(corner, TWO_BY_TWO)[0, 0] == 10
    # Read as outputs instead, the top-left would be 12 by the slide's own sum 10: it cannot be.
    assert cnnlab.correlate2d(corner, TWO_BY_TWO)[0, 0] != 12
    # Every output of [[2, 0], [0, 2]] is 2 * (top-left + bottom-right) of its patch.
    patches = np.random.default_rng(0).integers(0, 256, size=(200, 2, 2))
    outputs = np.array([cnnlab.correlate2d(patch, TWO_BY_TWO)[0, 0] for patch in patches])
    np.testing.assert_array_equal(outputs, 2 * (patches[:, 0, 0] + patches[:, 1, 1]))


SMILEY = np.array([
    [0, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 1, 0, 0, 0],
    [0, 1, 0, 0, 0, 1, 0],
    [0, 0, 1, 1, 1, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
])
SLIDE_FEATURE_MAP = np.array([
    [0, 1, 0, 0, 0],
    [0, 1, 1, 1, 0],
    [1, 0, 1, 2, 1],
    [1, 4, 2, 1, 0],
    [0, 0, 1, 2, 1],
])


def test_smiley_feature_map():
    """Plan of attack: the 7x7 smiley image with the 3x3 feature detector gives a 5x5 feature map.

    The slide's printed map agrees with the arithmetic in 24 of 25 cells. It disagrees in one:
    row 3, column 3 (counting from 1; index [2, 2]), where the slide prints 1 but the patch there,
    [[0, 0, 0], [0, 1, 0], [0, 0, 0]], has its only 1 under the detector's centre weight 0, so the
    value is 0. The 4 at row 4, column 2 (the best match) is right.
    """
    feature_map = cnnlab.correlate2d(SMILEY, kernels.SMILEY_FEATURE_DETECTOR)
    expected = SLIDE_FEATURE_MAP.copy()
    expected[2, 2] = 0
    np.testing.assert_array_equal(feature_map, expected)
    disagreements = np.argwhere(feature_map != SLIDE_FEATURE_MAP)
    np.testing.assert_array_equal(disagreements, [[2, 2]])
    np.testing.assert_array_equal(SMILEY[2:5, 2:5], [[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert np.unravel_index(feature_map.argmax(), feature_map.shape) == (3, 1) and feature_map.max() == 4
    # The same numbers from the batched layer maths and from the loop version.
    batched = F.conv2d(SMILEY[None, None], kernels.SMILEY_FEATURE_DETECTOR[None, None])
    np.testing.assert_array_equal(batched[0, 0], expected)
    np.testing.assert_array_equal(cnnlab.correlate2d_naive(SMILEY, kernels.SMILEY_FEATURE_DETECTOR), expected)


GRAYSCALE = np.array([[50, 50, 0, 0, 0]] * 5)


def test_vertical_edge_filter_stride_1():
    """Padding and stride: 50 50 0 0 0 with [[1, 0, -1]] * 3: 3 * (50*1 + 50*0 + 0*-1) = 150 where the bright
    half ends."""
    result = cnnlab.correlate2d(GRAYSCALE, kernels.VERTICAL_EDGE)
    np.testing.assert_array_equal(result, [[150, 150, 0]] * 3)
    assert 3 * (50 * 1 + 50 * 0 + 0 * -1) == 150 and 3 * (50 * 1 + 0 * 0 + 0 * -1) == 150


def test_vertical_edge_filter_stride_2():
    """Padding and stride, "2 pixels down": stride 2 skips every other position, a 2x2 result."""
    result = cnnlab.correlate2d(GRAYSCALE, kernels.VERTICAL_EDGE, stride=2)
    np.testing.assert_array_equal(result, [[150, 0], [150, 0]])
    assert cnnlab.output_size(5, 3, stride=2) == 2


def test_output_size_examples():
    """CNNs and deep learning: N = 7, F = 3: stride 1 -> 5, stride 2 -> 3, stride 3 -> 2.33 (does not fit);
    padding 1 -> 7."""
    assert cnnlab.output_size(7, 3, stride=1) == 5
    assert cnnlab.output_size(7, 3, stride=2) == 3
    with pytest.raises(ValueError, match=r"\(7 - 3 \+ 2\*0\)/3 \+ 1 = 2\.33 is not a whole number"):
        cnnlab.output_size(7, 3, stride=3)
    # "pad with 1 pixel border => what is the output?" 7x7: the size is kept.
    assert cnnlab.output_size(7, 3, stride=1, padding=1) == 7
    assert cnnlab.output_size(7, 3, stride=2, padding=1) == 4
    assert cnnlab.output_size(7, 3, stride=3, padding=1) == 3  # padding makes stride 3 fit
    for stride, padding, size in [(1, 0, 5), (2, 0, 3), (1, 1, 7), (2, 1, 4), (3, 1, 3)]:
        assert cnnlab.correlate2d(np.ones((7, 7)), np.ones((3, 3)), stride, padding).shape == (size, size)


def test_valid_and_same():
    """CNN hands-on: "valid" shrinks by kernel - 1, "same" keeps the size."""
    image, kernel = np.ones((32, 32)), np.ones((5, 5))
    assert cnnlab.correlate2d(image, kernel, padding="valid").shape == (28, 28)
    assert cnnlab.correlate2d(image, kernel, padding="same").shape == (32, 32)


def test_six_5x5x3_filters_on_a_32x32x3_image():
    """CNN hands-on: filters extend the full depth; six 5x5x3 filters give six 28x28 maps, a 28x28x6 volume."""
    rng = np.random.default_rng(0)
    image = rng.random((1, 3, 32, 32))
    filters = rng.standard_normal((6, 3, 5, 5))
    activation_maps = F.conv2d(image, filters)
    assert activation_maps.shape == (1, 6, 28, 28)
    # One number of one map: the 5x5x3 patch times the filter, summed over all 75 products.
    assert activation_maps[0, 2, 10, 4] == pytest.approx(np.sum(image[0, :, 10:15, 4:9] * filters[2]), rel=1e-12)


def test_why_not_fully_connected_parameter_counts():
    """CNNs and deep learning, "why not use FCs": counts with channels and biases.

    - Fully connected, a 200x200x3 image into 5 neurons: 200 * 200 * 3 * 5 = 600,000 weights (the
      slide's "120,000 x 5") plus 5 biases = 600,005 parameters.
    - 100 filters of 5x5: the slide's "5 x 5 x 100 = 2500" counts one channel and no biases. On the
      same 3-channel image each filter is 5x5x3: 7,500 weights + 100 biases = 7,600 parameters
      (2,600 for a grayscale image), whatever the image size.
    """
    fc_weight, fc_bias = np.zeros((5, 200 * 200 * 3)), np.zeros(5)
    assert fc_weight.size == 120_000 * 5 == 600_000
    assert fc_weight.size + fc_bias.size == 600_005
    conv_weight, conv_bias = np.zeros((100, 3, 5, 5)), np.zeros(100)
    assert 5 * 5 * 100 == 2500
    assert conv_weight.size + conv_bias.size == 7_600
    assert np.zeros((100, 1, 5, 5)).size + 100 == 2_600
    # The same filters work on any image size: the count does not grow with the image.
    assert F.conv2d(np.zeros((1, 3, 20, 30)), conv_weight, conv_bias).shape == (1, 100, 16, 26)
    assert (fc_weight.size + fc_bias.size) / (conv_weight.size + conv_bias.size) == pytest.approx(78.95, abs=0.01)


def test_convolution_formula_flips_the_kernel():
    """CNN hands-on: s(t) = sum_a x(a) w(t - a). In 1-D with x = [1, 2, 3] and w = [1, 0, -1]:
    s(2) = x(0) w(2) + x(1) w(1) + x(2) w(0) = -1 + 0 + 3 = 2 (at 'valid' position 0), whereas the
    cross-correlation sums x(a) w(a) = 1 - 3 = -2."""
    x, w = np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 0.0, -1.0]])
    assert cnnlab.convolve2d(x, w)[0, 0] == 2.0
    assert cnnlab.correlate2d(x, w)[0, 0] == -2.0
    assert np.convolve(x[0], w[0], mode="valid")[0] == 2.0
