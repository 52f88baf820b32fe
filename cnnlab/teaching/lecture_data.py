"""The arrays printed on the lecture slides, typed in once so notebooks and tests share them.

Each block says which lecture, and which slides of it, its numbers come from. Values the slides
print as *results* are kept too (prefixed ``SLIDE_``), exactly as printed, so a notebook can compare
them with what cnnlab computes and say where a slide is wrong. The course is built from five
lectures; by topic, with the title each opens with:

- the convolution discussion ("Discussion: Convolutions"): a 2x2 kernel on a 100x100 image,
  invariance, max pooling, image problem types, the sigmoid teaser, MSE against cross-entropy;
- the hands-on CNN lecture ("CNN Hands on"): convolution as a sum, activations, a 32x32x3 image
  and its filters, pooling, dropout, softmax, the objective functions;
- the plan of attack ("Plan of Attack", from Deep Learning A-Z by SuperDataScience): the 7x7 smiley,
  its feature detector and feature map, ReLU, max pooling, flattening, softmax and cross-entropy;
- the overview ("Convolutional Neural Networks & Deep Learning"): the kernel table, output size and
  padding, max pooling, the history of activation functions, initialization, terminology;
- the lecture on activations, batch normalization and image operations ("Activations (Basic
  Properties)", then "What is a convolution?", "Max Pooling", "Upsampling" and "Transposed
  Convolutions"): the grayscale edge, padding and stride, pooling, upsampling, transposed convolution.
"""
import numpy as np

__all__ = [
    "KERNEL_2X2", "image_100x100", "SMILEY", "FEATURE_DETECTOR", "SLIDE_FEATURE_MAP",
    "SLIDE_MAX_POOLED", "EDGE_IMAGE", "VERTICAL_EDGE_FILTER", "SLIDE_EDGE_STRIDE_1",
    "SLIDE_EDGE_STRIDE_2", "POOLING_4X4", "UPSAMPLING_2X2", "SLIDE_NEAREST_4X4",
]

# --- "Discussion: Convolutions", its first slides: a 2x2 kernel on a 100x100 image ---------------
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


# --- "Plan of Attack", Step 1 (convolution) and Step 2 (max pooling): the 7x7 smiley -------------
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

# --- "Activations (Basic Properties)", its convolution slides: a grayscale edge, a vertical-edge filter
EDGE_IMAGE = np.array([[50, 50, 0, 0, 0]] * 5, dtype=float)
VERTICAL_EDGE_FILTER = np.array([[1, 0, -1]] * 3, dtype=float)
SLIDE_EDGE_STRIDE_1 = np.array([[150, 150, 0]] * 3, dtype=float)
SLIDE_EDGE_STRIDE_2 = np.array([[150, 0], [150, 0]], dtype=float)

# --- pooling a 4x4 input to 2x2: the max-pooling figure of "Convolutional Neural Networks & Deep
# Learning" (CS231n's) and the "4x4 input to 2x2 output" slides of "Activations (Basic Properties)"
#: The numbers of CS231n's max-pooling figure, which both lectures show as a picture (its numbers did
#: not survive in the slides' text).
POOLING_4X4 = np.array([[1, 1, 2, 4],
                        [5, 6, 7, 8],
                        [3, 2, 1, 0],
                        [1, 2, 3, 4]], dtype=float)

# --- "Upsampling" in "Activations (Basic Properties)": a 2x2 input to 4x4 by nearest neighbour -----
UPSAMPLING_2X2 = np.array([[20, 45],
                           [10, 43]], dtype=float)
SLIDE_NEAREST_4X4 = np.array([[20, 20, 45, 45],
                              [20, 20, 45, 45],
                              [10, 10, 43, 43],
                              [10, 10, 43, 43]], dtype=float)
