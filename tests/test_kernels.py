"""The named kernels of the lectures: the slides' numbers, and what each kernel is for."""
import numpy as np
import pytest

import cnnlab
from cnnlab import kernels


def test_the_slide_table_values():
    """Lecture 003's kernel table, entry by entry (the fractions as printed on the slide)."""
    np.testing.assert_array_equal(kernels.IDENTITY, [[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(kernels.EDGE_DIAGONAL, [[1, 0, -1], [0, 0, 0], [-1, 0, 1]])
    np.testing.assert_array_equal(kernels.EDGE_LAPLACE_4, [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    np.testing.assert_array_equal(kernels.EDGE_LAPLACE_8, [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
    assert kernels.EDGE_DETECTORS == (kernels.EDGE_DIAGONAL, kernels.EDGE_LAPLACE_4, kernels.EDGE_LAPLACE_8)
    np.testing.assert_array_equal(kernels.SHARPEN, [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    np.testing.assert_allclose(kernels.BOX_BLUR * 9, np.ones((3, 3)), rtol=1e-15)
    np.testing.assert_allclose(kernels.GAUSSIAN_BLUR_3 * 16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]], rtol=1e-15)
    binomial = [[1, 4, 6, 4, 1], [4, 16, 24, 16, 4], [6, 24, 36, 24, 6], [4, 16, 24, 16, 4], [1, 4, 6, 4, 1]]
    np.testing.assert_allclose(kernels.GAUSSIAN_BLUR_5 * 256, binomial, rtol=1e-15)
    unsharp = np.array(binomial)
    unsharp[2, 2] = -476
    np.testing.assert_allclose(kernels.UNSHARP_MASK_5 * -256, unsharp, rtol=1e-15)
    np.testing.assert_array_equal(kernels.SOBEL_X, [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    np.testing.assert_array_equal(kernels.VERTICAL_EDGE, [[1, 0, -1]] * 3)
    np.testing.assert_array_equal(kernels.SMILEY_FEATURE_DETECTOR, [[0, 0, 1], [1, 0, 0], [0, 1, 1]])


def test_unsharp_masking_is_twice_the_image_minus_its_blur():
    """-476 = 36 - 2 * 256: 'amount 1' unsharp masking is image + (image - blur) = 2 * identity - Gaussian."""
    identity_5 = np.zeros((5, 5))
    identity_5[2, 2] = 1
    np.testing.assert_allclose(kernels.UNSHARP_MASK_5, 2 * identity_5 - kernels.GAUSSIAN_BLUR_5, atol=1e-15)


@pytest.mark.parametrize("name, total", [
    ("identity", 1), ("sharpen", 1), ("box blur", 1), ("Gaussian blur 3x3", 1), ("Gaussian blur 5x5", 1),
    ("unsharp masking 5x5", 1), ("emboss", 1), ("edge detection (diagonal)", 0),
    ("edge detection (Laplace, 4 neighbours)", 0), ("edge detection (Laplace, 8 neighbours)", 0),
    ("Sobel x (vertical edges)", 0), ("Sobel y (horizontal edges)", 0), ("vertical edge", 0), ("edge enhance", 0),
])
def test_weights_sum_to_what_the_kernel_keeps_of_a_flat_image(name, total):
    """Sum 1: a flat grey region stays as it was; sum 0: a flat region becomes 0 (only changes show)."""
    kernel = kernels.KERNELS[name]
    assert kernel.sum() == pytest.approx(total, abs=1e-12)
    flat = np.full((9, 9), 0.5)
    np.testing.assert_allclose(cnnlab.correlate2d(flat, kernel), 0.5 * total, atol=1e-12)


def test_sobel_directions():
    """Sobel x answers a left-to-right step (a vertical edge) and ignores a top-to-bottom one; Sobel y the reverse."""
    vertical_edge = np.zeros((6, 6))
    vertical_edge[:, :3] = 1.0  # bright on the left
    horizontal_edge = vertical_edge.T.copy()
    assert np.abs(cnnlab.correlate2d(vertical_edge, kernels.SOBEL_X)).max() == 4.0
    assert np.abs(cnnlab.correlate2d(horizontal_edge, kernels.SOBEL_X)).max() == 0.0
    assert np.abs(cnnlab.correlate2d(horizontal_edge, kernels.SOBEL_Y)).max() == 4.0
    assert np.abs(cnnlab.correlate2d(vertical_edge, kernels.SOBEL_Y)).max() == 0.0
    np.testing.assert_array_equal(kernels.SOBEL_Y, kernels.SOBEL_X.T)


def test_identity_keeps_the_image():
    image = np.random.default_rng(0).random((8, 7))
    np.testing.assert_array_equal(cnnlab.correlate2d(image, kernels.IDENTITY, padding="same"), image)


def test_gallery_dict_and_descriptions():
    assert set(kernels.KERNELS) == set(kernels.DESCRIPTIONS)
    for name, kernel in kernels.KERNELS.items():
        assert kernel.dtype == np.float64 and kernel.ndim == 2, name
        assert len(kernels.DESCRIPTIONS[name]) > 20, name
    listed = {id(getattr(kernels, n)) for n in kernels.__all__ if isinstance(getattr(kernels, n), np.ndarray)}
    assert listed == {id(k) for k in kernels.KERNELS.values()}


def test_kernels_are_read_only():
    with pytest.raises(ValueError, match="read-only"):
        kernels.SHARPEN[1, 1] = 9
    editable = kernels.SHARPEN.copy()
    editable[1, 1] = 9
    assert kernels.SHARPEN[1, 1] == 5
