"""Exercise check for notebook 00, the warm-up that shows how exercises and checks work.

The warm-up is the sum of products at the heart of convolution: one output cell of a kernel
placed over an image patch. The usual slips are named: adding without multiplying, multiplying
without adding (an array comes back instead of one number), and a matrix product instead of the
element-wise one.
"""
import numpy as np

from ..checks import call, exercise, expect, expect_returned

#: The lecture's 2x2 kernel on the top-left corner of the 100x100 image: 1x2 + 1x0 + 3x0 + 4x2 = 10.
PATCH = np.array([[1.0, 1.0], [3.0, 4.0]])
KERNEL = np.array([[2.0, 0.0], [0.0, 2.0]])


@exercise("0.1 Warm-up: the sum of products")
def check_sum_of_products(sum_of_products):
    """Check ``sum_of_products(patch, kernel)`` on the lecture's example and on a random pair."""
    answer = call(sum_of_products, PATCH, KERNEL)
    expect_returned(answer, "the sum")
    expect(np.ndim(answer) == 0,
           f"you returned an array of shape {np.shape(answer)}: multiply element by element, then add them all "
           "up into one number.")
    answer = float(answer)
    expect(answer != float(np.sum(PATCH + KERNEL)), "you added the numbers without multiplying them pairwise.")
    expect(answer != float(np.sum(PATCH @ KERNEL)),
           "that is the sum of a matrix product (`@`); a kernel multiplies element by element (`*`).")
    expect(answer == 10.0, f"expected 1x2 + 1x0 + 3x0 + 4x2 = 10, got {answer:g}.")
    rng = np.random.default_rng(0)
    patch, kernel = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    other = float(call(sum_of_products, patch, kernel))
    expect(np.isclose(other, np.sum(patch * kernel)),
           "right on the lecture's 2x2 example, wrong on a random 3x3 pair: does your code assume a 2x2 kernel?")
    return "1x2 + 1x0 + 3x0 + 4x2 = 10: this is one output cell of a convolution."
