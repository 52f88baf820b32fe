"""Exercise checks for notebook 06, initialisation.

Each check calls the student's function on a few cases, compares with the lecture's formula and
says in words what is wrong. The typical slips are diagnosed by name: a forgotten square root,
only the fan-in in the denominator, Uniform(0, r) instead of Uniform(-r, r), a normal distribution,
a transposed weight, comparing only the first two filters.
"""
import math

import numpy as np

from ..checks import Hint, call, exercise, expect, expect_returned


def _lecture_range(fan_in, fan_out):
    # The slide's formula, kept here only to judge answers: the notebook computes it with cnnlab.nn.init.
    return math.sqrt(6.0 / (fan_in + fan_out))


def _range_slips(fan_in, fan_out):
    """Typical wrong versions of r, each with the advice that fixes it."""
    return {
        6.0 / (fan_in + fan_out): "you forgot the square root: r = sqrt(6 / (in + out)).",
        math.sqrt(6.0 / fan_in): "only the fan-in is in the denominator (that is He's uniform range for ReLU); "
                                 "Xavier adds both: in + out.",
        math.sqrt(6.0 / fan_out): "only the fan-out is in the denominator; Xavier adds both: in + out.",
        math.sqrt(6.0) / (fan_in + fan_out): "the square root covers the whole fraction: sqrt(6 / (in + out)).",
        math.sqrt(2.0 / (fan_in + fan_out)): "sqrt(2 / (in + out)) is the standard deviation of Glorot's *normal* "
                                             "version; the uniform range has a 6.",
        math.sqrt(6.0 / (fan_in * fan_out)): "add the fans, do not multiply them: in + out.",
    }


_RANGE_CASES = [(784, 10), (256, 256), (3 * 5 * 5, 6 * 5 * 5), (1, 1)]


@exercise("06.1 The lecture's range r")
def check_xavier_range(xavier_range):
    """Check ``xavier_range(fan_in, fan_out)`` returns r = sqrt(6 / (fan_in + fan_out))."""
    for fan_in, fan_out in _RANGE_CASES:
        answer = call(xavier_range, fan_in, fan_out)
        expect_returned(answer, "r")
        expect(np.ndim(answer) == 0, f"return one number, got an array of shape {np.shape(answer)}.")
        answer = float(answer)
        right = _lecture_range(fan_in, fan_out)
        if math.isclose(answer, right, rel_tol=1e-9):
            continue
        slips = _range_slips(fan_in, fan_out)
        for wrong, advice in slips.items():
            if math.isclose(answer, wrong, rel_tol=1e-9):
                raise Hint(f"for in={fan_in}, out={fan_out} you returned {answer:.6g}, expected {right:.6g}: {advice}")
        raise Hint(f"for in={fan_in}, out={fan_out} you returned {answer:.6g}, expected sqrt(6 / {fan_in + fan_out}) "
                   f"= {right:.6g}.")
    return f"r = sqrt(6 / (784 + 10)) = {_lecture_range(784, 10):.4f} for the lecture's MNIST layer."


@exercise("06.2 Xavier/Glorot uniform by hand")
def check_xavier_uniform(xavier_uniform):
    """Check ``xavier_uniform(fan_in, fan_out, rng)`` returns a (fan_out, fan_in) sample of Uniform(-r, r)."""
    fan_in, fan_out = 300, 200
    r = _lecture_range(fan_in, fan_out)
    weight = call(xavier_uniform, fan_in, fan_out, np.random.default_rng(0))
    expect_returned(weight, "the weights")
    weight = np.asarray(weight)
    if weight.shape == (fan_in, fan_out):
        raise Hint(f"the weight has shape {weight.shape}: a layer stores (out, in), as PyTorch's Linear.weight, "
                   f"so expected ({fan_out}, {fan_in}).")
    expect(weight.shape == (fan_out, fan_in), f"the weight has shape {weight.shape}, expected ({fan_out}, {fan_in}).")
    expect(np.issubdtype(weight.dtype, np.floating), f"the weights are of dtype {weight.dtype}: expected floats.")
    expect(np.isfinite(weight).all(), "the weights contain NaN or infinity.")
    expect(np.ptp(weight) > 0, "all weights are equal: sample them at random, or the neurons stay identical.")
    again = np.asarray(call(xavier_uniform, fan_in, fan_out, np.random.default_rng(0)))
    expect(np.array_equal(weight, again), "two calls with generators seeded alike gave different weights: draw from "
                                          "the `rng` argument (rng.uniform), not from np.random.")
    expect(weight.min() < 0, "every weight is non-negative: sample Uniform(-r, r), not Uniform(0, r).")
    spread = weight.std()
    # A normal sample has about 4.6 % of its values beyond two standard deviations; a uniform one has none.
    if np.mean(np.abs(weight) > 2 * spread) > 0.02:
        raise Hint("the weights look normally distributed (they have tails): the lecture samples Uniform(-r, r), "
                   "e.g. rng.uniform(-r, r, size=(out, in)).")
    half_width = np.abs(weight).max()
    # The largest of 60,000 uniform draws lies within 0.1 % of r; other widths come from a wrong formula.
    if not 0.99 * r < half_width <= r * (1 + 1e-9):
        for wrong, advice in _range_slips(fan_in, fan_out).items():
            if abs(half_width / wrong - 1) < 0.01:
                raise Hint(f"the weights fill [-{half_width:.4f}, {half_width:.4f}], expected r = {r:.4f}: {advice}")
        raise Hint(f"the weights fill [-{half_width:.4f}, {half_width:.4f}], expected r = sqrt(6 / (in + out)) "
                   f"= {r:.4f}.")
    # Uniform(-r, r) has standard deviation r / sqrt(3); 60,000 draws pin it to well under 1 %.
    expected_std = r / math.sqrt(3)
    expect(abs(weight.std() / expected_std - 1) < 0.03,
           f"the weights' standard deviation is {weight.std():.4f}, expected r / sqrt(3) = {expected_std:.4f} for "
           "Uniform(-r, r): are they spread over the whole range?")
    expect(abs(weight.mean()) < 0.02 * r, f"the weights' mean is {weight.mean():.4f}, expected about 0.")
    return f"min {weight.min():.4f}, max {weight.max():.4f}, inside [-r, r] with r = {r:.4f}; std = r / sqrt(3)."


def _filters(shape, rng):
    # Every filter a copy of one random filter; the input channels within a filter differ on purpose.
    one = rng.standard_normal(shape[1:])
    return np.broadcast_to(one, shape).copy()


@exercise("06.3 Are all filters identical?")
def check_all_filters_identical(all_filters_identical):
    """Check ``all_filters_identical(weight)`` tells a symmetric weight (all output units alike) from a broken one."""
    rng = np.random.default_rng(1)
    same = _filters((4, 3, 3, 3), rng)
    last_differs = same.copy()
    last_differs[-1, 2, 1, 1] += 0.5
    rounding = same.copy()
    rounding[2] += 1e-15  # a matrix product may order sums differently per row: still the same filter
    cases = [
        (same, True, "four copies of one 3x3x3 filter (its input channels differ from each other)",
         "the filters are the slices weight[k] along the first axis (out_channels); do not compare input channels."),
        (last_differs, False, "the same, with one weight of the last filter changed",
         "compare every filter with the first, not only the first two."),
        (rounding, True, "the same, with filter 2 off by 1e-15 (rounding)",
         "allow for rounding, e.g. np.allclose(weight, weight[:1], rtol=0, atol=1e-12)."),
        (same[:1], True, "a single filter", "one filter is trivially identical to itself."),
        (rng.standard_normal((8, 5)), False, "a random Linear weight of shape (8, 5)",
         "make it work for any number of dimensions: filters are weight[k] for each k."),
        (np.zeros((8, 5)), True, "an all-zero Linear weight", "all-zero rows are identical."),
    ]
    for weight, right, what, advice in cases:
        answer = call(all_filters_identical, weight.copy())
        expect_returned(answer, "True or False")
        expect(np.ndim(answer) == 0, f"return one True or False, got an array of shape {np.shape(answer)}: "
                                     "reduce it with .all() or np.allclose.")
        expect(bool(answer) == right, f"for {what} you said {bool(answer)}, expected {right}: {advice}")
    return "you can now watch the symmetry: filters that start identical stay identical."


_GOOD_INIT = {
    "tanh": {"xavier_uniform", "xavier_normal"},
    "sigmoid": {"xavier_uniform", "xavier_normal"},
    "relu": {"kaiming_uniform", "kaiming_normal"},
    "leaky_relu": {"kaiming_uniform", "kaiming_normal"},
}
_WHY = {
    "xavier": "Xavier keeps the variance of a layer's output equal to its input's when the activation is "
              "about linear near 0 (tanh, sigmoid's middle)",
    "kaiming": "ReLU sets half the values to zero and so halves the variance each layer; He's sqrt(2 / in) "
               "doubles the weights' variance to make up for it",
}


@exercise("06.4 Pick the initialisation for the activation")
def check_choose_init(choose_init):
    """Check ``choose_init(activation)`` returns an ``cnnlab.nn.init`` name suited to each activation."""
    for activation, good in _GOOD_INIT.items():
        answer = call(choose_init, activation)
        expect(isinstance(answer, str), f"return the name of an initialiser as a string, got {answer!r}.")
        name = answer.strip().rstrip("_").lower()
        if name in good:
            continue
        if name in ("zeros", "zero", "constant", "ones"):
            raise Hint(f"for {activation!r} you chose {answer!r}: equal weights never break the symmetry.")
        family = "kaiming" if activation in ("relu", "leaky_relu") else "xavier"
        raise Hint(f"for {activation!r} you chose {answer!r}, expected one of {sorted(good)}: {_WHY[family]}.")
    return "Xavier for tanh and sigmoid, He (kaiming) for the ReLU family."
