"""The named kernels of the lectures, as read-only float64 arrays.

Use them with :func:`cnnlab.correlate2d` (or ``conv2d`` after adding batch and channel axes)::

    import cnnlab
    from cnnlab import kernels
    edges = cnnlab.correlate2d(photo, kernels.SOBEL_X, padding="same")

``KERNELS`` maps a display name to each array (for galleries and dropdowns) and
``DESCRIPTIONS`` says in one sentence what each one does. The arrays are read-only so that an
experiment in one notebook cell cannot silently change the kernel for every later cell: take
``kernels.SHARPEN.copy()`` to edit one.
"""
import numpy as np

__all__ = [
    "IDENTITY",
    "EDGE_DIAGONAL",
    "EDGE_LAPLACE_4",
    "EDGE_LAPLACE_8",
    "EDGE_DETECTORS",
    "SOBEL_X",
    "SOBEL_Y",
    "SHARPEN",
    "BOX_BLUR",
    "GAUSSIAN_BLUR_3",
    "GAUSSIAN_BLUR_5",
    "UNSHARP_MASK_5",
    "EDGE_ENHANCE",
    "EMBOSS",
    "VERTICAL_EDGE",
    "SMILEY_FEATURE_DETECTOR",
    "KERNELS",
    "DESCRIPTIONS",
]


def _kernel(rows, scale=1.0):
    array = np.asarray(rows, dtype=np.float64) * scale
    array.setflags(write=False)
    return array


# The table of the "Convolutions" slides, in its order (the lecture "Convolutional Neural Networks & Deep
# Learning").
IDENTITY = _kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
EDGE_DIAGONAL = _kernel([[1, 0, -1], [0, 0, 0], [-1, 0, 1]])
EDGE_LAPLACE_4 = _kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
EDGE_LAPLACE_8 = _kernel([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
EDGE_DETECTORS = (EDGE_DIAGONAL, EDGE_LAPLACE_4, EDGE_LAPLACE_8)
SHARPEN = _kernel([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
BOX_BLUR = _kernel(np.ones((3, 3)), 1 / 9)
GAUSSIAN_BLUR_3 = _kernel([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16)
_BINOMIAL_5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])
GAUSSIAN_BLUR_5 = _kernel(_BINOMIAL_5, 1 / 256)
# Unsharp masking: image + (image - blurred) = 2 * identity - Gaussian; the slide writes it as -1/256 times
# the binomial kernel with -476 = 36 - 2 * 256 in the centre.
UNSHARP_MASK_5 = _kernel(_BINOMIAL_5 - np.pad([[512]], 2), -1 / 256)

# Sobel (the "Plan of Attack" lecture shows the first one): a smoothed horizontal difference, so it lights up vertical
# edges; its transpose does the same for horizontal edges.
SOBEL_X = _kernel([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
SOBEL_Y = _kernel([[1, 2, 1], [0, 0, 0], [-1, -2, -1]])

# The classic image-editor kernels named in the "Plan of Attack" lecture (sharpen and blur are above).
EDGE_ENHANCE = _kernel([[0, 0, 0], [-1, 1, 0], [0, 0, 0]])
EMBOSS = _kernel([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])

# Lecture 004's vertical-edge filter on the 50 50 0 0 0 image.
VERTICAL_EDGE = _kernel([[1, 0, -1]] * 3)

# Lecture 002's 3x3 "feature detector" slid over the 7x7 smiley image.
SMILEY_FEATURE_DETECTOR = _kernel([[0, 0, 1], [1, 0, 0], [0, 1, 1]])

KERNELS = {
    "identity": IDENTITY,
    "edge detection (diagonal)": EDGE_DIAGONAL,
    "edge detection (Laplace, 4 neighbours)": EDGE_LAPLACE_4,
    "edge detection (Laplace, 8 neighbours)": EDGE_LAPLACE_8,
    "Sobel x (vertical edges)": SOBEL_X,
    "Sobel y (horizontal edges)": SOBEL_Y,
    "sharpen": SHARPEN,
    "box blur": BOX_BLUR,
    "Gaussian blur 3x3": GAUSSIAN_BLUR_3,
    "Gaussian blur 5x5": GAUSSIAN_BLUR_5,
    "unsharp masking 5x5": UNSHARP_MASK_5,
    "edge enhance": EDGE_ENHANCE,
    "emboss": EMBOSS,
    "vertical edge": VERTICAL_EDGE,
    "smiley feature detector": SMILEY_FEATURE_DETECTOR,
}

DESCRIPTIONS = {
    "identity": "A single 1 in the centre: every pixel is copied unchanged.",
    "edge detection (diagonal)": "Opposite corners subtracted: responds where brightness changes along the diagonals.",
    "edge detection (Laplace, 4 neighbours)": "Four neighbours minus four times the centre: zero on flat or evenly "
                                              "sloping regions, large at edges and fine detail.",
    "edge detection (Laplace, 8 neighbours)": "Eight times the centre minus all eight neighbours: like the "
                                              "4-neighbour Laplacian, also sensitive to diagonal edges (and noise).",
    "Sobel x (vertical edges)": "Left column minus right column, the middle row counted twice: a smoothed "
                                "horizontal derivative that lights up vertical edges.",
    "Sobel y (horizontal edges)": "Top row minus bottom row, the middle column counted twice: lights up "
                                  "horizontal edges.",
    "sharpen": "The image plus its Laplacian edges (5 in the centre, -1 around): edges get more contrast.",
    "box blur": "The plain average of the 3x3 neighbourhood (weights 1/9, summing to 1).",
    "Gaussian blur 3x3": "A weighted average, the centre counted most (1 2 1 times 1 2 1, over 16): a smoother "
                         "blur than the box.",
    "Gaussian blur 5x5": "The binomial 1 4 6 4 1 times itself, over 256: a wider, smoother blur.",
    "unsharp masking 5x5": "Twice the image minus its 5x5 Gaussian blur: sharpens by adding back what blurring "
                           "removes.",
    "edge enhance": "The pixel minus its left neighbour: keeps only where brightness changes from left to right.",
    "emboss": "Bottom-right minus top-left, plus the pixel: edges look raised, as if lit from one side.",
    "vertical edge": "Left column minus right column: a large value where a bright region meets a dark one on "
                     "its right.",
    "smiley feature detector": "The 3x3 pattern of the lecture's example: the feature map is largest where the "
                               "image matches it.",
}
