"""The arrays printed on the lecture slides, typed in once so notebooks and tests share them.

Each name says which slide deck it comes from (the files in ``shared/seeds``). Values the slides
print as *results* are kept too (prefixed ``SLIDE_``), exactly as printed, so a notebook can compare
them with what cnnlab computes and say where a slide is wrong.
"""
import numpy as np

__all__ = [
    "KERNEL_2X2", "image_100x100", "SMILEY", "FEATURE_DETECTOR", "SLIDE_FEATURE_MAP",
    "SLIDE_MAX_POOLED", "EDGE_IMAGE", "VERTICAL_EDGE_FILTER", "SLIDE_EDGE_STRIDE_1",
    "SLIDE_EDGE_STRIDE_2", "POOLING_4X4", "UPSAMPLING_2X2", "SLIDE_NEAREST_4X4",
]

# --- deck 000: a 2x2 kernel on a 100x100 image -------------------------------------------------
KERNEL_2X2 = np.array([[2.0, 0.0],
                       [0.0, 2.0]])
_TOP_LEFT_2X2 = np.array([[1.0, 1.0],
                          [3.0, 4.0]])


def image_100x100(seed=0):
    """The lecture's 100x100 image: small random integers, with the slide's top-left patch.

    Only the top-left 2x2 patch ``[[1, 1], [3, 4]]`` survives on the slide; the rest is drawn from
    a seeded generator, so every run (and every student) sees the same image.

    Returns
    -------
    image : ndarray, shape (100, 100), float64 with integer values 0..9
    """
    image = np.random.default_rng(seed).integers(0, 10, size=(100, 100)).astype(float)
    image[:2, :2] = _TOP_LEFT_2X2
    return image


# --- deck 002: the 7x7 smiley, the 3x3 feature detector and max pooling --------------------------
SMILEY = np.array([[0, 0, 0, 0, 0, 0, 0],
                   [0, 1, 0, 0, 0, 1, 0],
                   [0, 0, 0, 0, 0, 0, 0],
                   [0, 0, 0, 1, 0, 0, 0],
                   [0, 1, 0, 0, 0, 1, 0],
                   [0, 0, 1, 1, 1, 0, 0],
                   [0, 0, 0, 0, 0, 0, 0]], dtype=float)
FEATURE_DETECTOR = np.array([[0, 0, 1],
                             [1, 0, 0],
                             [0, 1, 1]], dtype=float)
#: The 5x5 feature map as the slide prints it.
SLIDE_FEATURE_MAP = np.array([[0, 1, 0, 0, 0],
                              [0, 1, 1, 1, 0],
                              [1, 0, 1, 2, 1],
                              [1, 4, 2, 1, 0],
                              [0, 0, 1, 2, 1]], dtype=float)
#: The slide's max pooling of the feature map, 2x2 windows with stride 2 (5x5 to 3x3).
SLIDE_MAX_POOLED = np.array([[1, 1, 0],
                             [4, 2, 1],
                             [0, 2, 1]], dtype=float)

# --- deck 004: a grayscale edge and a vertical-edge filter ---------------------------------------
EDGE_IMAGE = np.array([[50, 50, 0, 0, 0]] * 5, dtype=float)
VERTICAL_EDGE_FILTER = np.array([[1, 0, -1]] * 3, dtype=float)
SLIDE_EDGE_STRIDE_1 = np.array([[150, 150, 0]] * 3, dtype=float)
SLIDE_EDGE_STRIDE_2 = np.array([[150, 0], [150, 0]], dtype=float)

# --- deck 003 (its CS231n figure) and deck 004: pooling a 4x4 input to 2x2 -----------------------
#: The numbers of the CS231n max-pooling figure the lecture shows (they did not survive in the text).
POOLING_4X4 = np.array([[1, 1, 2, 4],
                        [5, 6, 7, 8],
                        [3, 2, 1, 0],
                        [1, 2, 3, 4]], dtype=float)

# --- deck 004: upsampling a 2x2 input to 4x4 -----------------------------------------------------
UPSAMPLING_2X2 = np.array([[20, 45],
                           [10, 43]], dtype=float)
SLIDE_NEAREST_4X4 = np.array([[20, 20, 45, 45],
                              [20, 20, 45, 45],
                              [10, 10, 43, 43],
                              [10, 10, 43, 43]], dtype=float)
