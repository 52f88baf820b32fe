"""Exercise checks for notebook 02, activation functions.

Each check calls the student's function, compares it with :mod:`cnnlab.functional` and says in
words what is wrong. The usual slips are named: PyTorch's default slope 0.01 where the lecture's
max(0.1x, x) uses 0.1, a derivative of 0 or x instead of the slope, an ``if x >= 0`` that fails on
arrays, and a "stable" sigmoid whose unused ``np.where`` branch still overflows. The build-it-yourself
pairs (ReLU and sigmoid, forward and backward) are compared with ``F.*_forward`` / ``F.*_backward`` and
with centred differences (:func:`cnnlab.gradcheck.gradcheck`), and their usual slips are computed and named.
"""
import math

import numpy as np

from ... import functional as F
from ...gradcheck import gradcheck
from ..checks import Hint, call, exercise, expect, expect_close, expect_returned, expect_shape

#: The point the lecture's activations are evaluated at by hand in exercise 02.3.
BY_HAND_X = -2.0


def _by_hand_answers():
    x = np.array([BY_HAND_X])
    return {
        "relu": float(F.relu(x)[0]),
        "leaky_relu": float(F.leaky_relu(x, negative_slope=0.1)[0]),
        "sigmoid": float(F.sigmoid(x)[0]),
        "tanh": float(F.tanh(x)[0]),
    }


@exercise("02.3 Four activations by hand at x = -2")
def check_by_hand(activations_at_minus_two):
    """Check the four numbers ReLU, leaky ReLU (slope 0.1), sigmoid and tanh at x = -2, to 2 decimals."""
    answer = call(activations_at_minus_two)
    expect(isinstance(answer, dict), "return a dict with the keys 'relu', 'leaky_relu', 'sigmoid' and 'tanh'.")
    right = _by_hand_answers()
    missing = [key for key in right if key not in answer]
    expect(not missing, f"your dict has no {', '.join(repr(k) for k in missing)}.")
    for key, value in right.items():
        expect(answer[key] is not None, f"{key} is still None: write its value at x = -2.")
        given = float(answer[key])
        if abs(given - value) <= 0.006:
            continue
        slips = {
            "relu": {-2.0: "ReLU is max(0, x): negative inputs give 0, not x."},
            "leaky_relu": {-0.02: "that is PyTorch's default slope 0.01; the lecture's max(0.1x, x) uses 0.1.",
                           0.2: "sign error: 0.1 * (-2) is negative.",
                           0.0: "that is plain ReLU; leaky ReLU lets 0.1 * x through for negative x."},
            "sigmoid": {1 / (1 + math.exp(-2)): "that is sigmoid(+2); at x = -2, exp(-x) = exp(2) = 7.39.",
                        -1 / (1 + math.exp(-2)): "a sigmoid is always between 0 and 1."},
            "tanh": {math.tanh(2): "tanh is odd: tanh(-2) = -tanh(2).",
                     1 / (1 + math.exp(-2)): "that is a sigmoid, not tanh = (e^{2x} - 1) / (e^{2x} + 1)."},
        }[key]
        for wrong, advice in slips.items():
            if abs(given - wrong) <= 0.006:
                raise Hint(f"{key}(-2) = {given:.4g}? {advice}")
        raise Hint(f"{key}(-2) = {given:.4g} is not right (to 2 decimals). Write the formula, then put x = -2 in.")
    return ("ReLU 0, leaky ReLU -0.2, sigmoid 1/(1 + e^2) = 0.119, tanh -0.964: "
            "the sigmoid is squashed close to 0, tanh close to -1.")


_X = np.array([-3.0, -1.5, -0.25, 0.5, 2.0, 7.0])


@exercise("02.4 Leaky ReLU and its derivative")
def check_leaky_relu(leaky_relu, leaky_relu_derivative):
    """Check ``leaky_relu(x, slope)`` and ``leaky_relu_derivative(x, slope)`` against cnnlab, on arrays."""
    for slope in (0.1, 0.01, 0.3):
        x = _X.copy()
        y = call(leaky_relu, x, slope)
        expect(np.array_equal(x, _X), "your leaky_relu changed its input array: compute a new array instead.")
        expect_shape(y, x.shape, "leaky_relu(x)", "Work element by element on the whole array.")
        right = F.leaky_relu(_X, negative_slope=slope)
        y = np.asarray(y, dtype=float)
        if not np.allclose(y, right):
            if np.allclose(y, F.leaky_relu(_X, negative_slope=0.01)):
                raise Hint(f"with slope={slope} you returned slope 0.01's values: use the `slope` argument.")
            if np.allclose(y, F.relu(_X)):
                raise Hint("negative inputs give 0: that is ReLU. Leaky ReLU keeps slope * x for x < 0.")
            if np.allclose(y[_X > 0], _X[_X > 0]) and not np.allclose(y[_X < 0], right[_X < 0]):
                raise Hint(f"wrong for negative x: at x = {_X[0]} expected {right[0]:.4g}, got {y[0]:.4g}.")
            expect_close(y, right, "leaky_relu(x)", "Positive inputs pass unchanged; negative ones are multiplied "
                         "by slope.")
        grad = call(leaky_relu_derivative, x, slope)
        expect_shape(grad, x.shape, "leaky_relu_derivative(x)", "Return one slope per element.")
        right_grad = F.leaky_relu_backward(np.ones_like(_X), F.leaky_relu_forward(_X, negative_slope=slope)[1])
        grad = np.asarray(grad, dtype=float)
        if not np.allclose(grad, right_grad):
            if np.allclose(grad, y):
                raise Hint("you returned leaky_relu(x) itself; the derivative is 1 for x > 0 and slope for x < 0.")
            if np.allclose(grad[_X < 0], 0):
                raise Hint("the derivative for x < 0 is the slope, not 0: that is what stops units from dying.")
            if np.allclose(grad[_X < 0], _X[_X < 0] * slope):
                raise Hint("the derivative of slope * x is slope, a constant, not slope * x.")
            expect_close(grad, right_grad, "leaky_relu_derivative(x)", "It is 1 for x > 0 and slope for x < 0.")
    return "the gradient never becomes exactly 0, so a leaky unit can always recover."


@exercise("02.5 A sigmoid that does not overflow")
def check_stable_sigmoid(sigmoid):
    """Check ``sigmoid(x)`` on arrays: equal to cnnlab's, finite at x = +-1000, no overflow warning."""
    x = np.array([-1000.0, -40.0, -2.0, 0.0, 2.0, 40.0, 1000.0])
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            y = call(sigmoid, x)
    except FloatingPointError as error:
        raise Hint(f"NumPy reported '{error}' for x = {x.tolist()}: exp(-x) at x = -1000 is exp(1000), which "
                   "overflows. Note np.where computes *both* branches; compute exp(-|x|) once, which is at most "
                   "1, and use it in both formulas.") from None
    except ValueError as error:
        if "truth value" in str(error):
            raise Hint("`if x >= 0` does not work on an array (which element?): use np.where or a boolean mask.") \
                from None
        raise
    expect_shape(y, x.shape, "sigmoid(x)", "Work element by element on the whole array.")
    y = np.asarray(y, dtype=float)
    expect(np.isfinite(y).all(), f"your sigmoid returned {y.tolist()}: NaN or infinity is not a probability.")
    expect(y[3] == 0.5, f"sigmoid(0) must be exactly 0.5, got {y[3]!r}.")
    expect(np.all(np.diff(y) >= 0), f"sigmoid must increase with x, got {y.tolist()}.")
    expect_close(y, F.sigmoid(x), "sigmoid(x)", "For x >= 0 use 1 / (1 + exp(-x)); for x < 0 use "
                 "exp(x) / (1 + exp(x)), the same value written so that exp never sees a large positive number.")
    return "no overflow at x = -1000, and sigmoid(-1000) is 0.0 because exp(-1000) underflows, harmlessly."


@exercise("02.6 Gradient through ten sigmoid layers")
def check_vanishing_gradient(largest_gradient_factor):
    """Check ``largest_gradient_factor(n)``: the largest product of n sigmoid derivatives, 0.25 ** n."""
    for layers in (1, 2, 10):
        answer = call(largest_gradient_factor, layers)
        expect_returned(answer)
        right = float(F.sigmoid_backward(np.ones(1), F.sigmoid_forward(np.zeros(1))[1])[0]) ** layers
        given = float(answer)
        if math.isclose(given, right, rel_tol=1e-9):
            continue
        if math.isclose(given, 0.25 * layers, rel_tol=1e-9):
            raise Hint("the chain rule multiplies the derivatives of the layers, it does not add them.")
        if math.isclose(given, 0.5 ** layers, rel_tol=1e-9):
            raise Hint("0.5 is sigmoid(0), the value; its derivative sigma(1 - sigma) at 0 is 0.25.")
        raise Hint(f"for {layers} layers you returned {given:.4g}, expected {right:.4g}: the sigmoid's derivative "
                   "sigma(x)(1 - sigma(x)) is largest at x = 0.")
    return f"through 10 sigmoid layers the gradient shrinks by at least {0.25 ** 10:.2e}: it vanishes."


# ------------------------------------------------------------------ build it yourself: forward and backward
#: Inputs of the build-it-yourself checks: exact zeros (where ReLU's derivative is a convention) among others.
_PAIR_X = np.array([[-2.0, -0.5, 0.0, 0.3], [1.5, 0.0, -1.2, 2.5], [-0.1, 0.8, 3.0, -3.0]])


def _forward_pair(forward, x, reference, name):
    """Run the student's ``forward(x)``; check it returns ``(out, cache)``, leaves ``x`` alone and is right."""
    given = x.copy()
    result = call(forward, given)
    expect(isinstance(result, tuple) and len(result) == 2,
           f"{name}_forward must return two things, `out, cache`: the output and what {name}_backward needs "
           f"(like cnnlab's `out, ctx = F.{name}_forward(x)`), got {type(result).__name__}.")
    out, cache = result
    expect(np.array_equal(given, x), f"your {name}_forward changed its input x: the layer before still owns it; "
                                     "compute a new array.")
    expect_close(out, reference(x), f"{name}_forward's out", f"out is {name}(x), element by element.")
    return cache


def _backward_result(backward, grad_output, cache, name):
    """Run the student's ``backward(grad_output, cache)``; check it leaves ``grad_output`` alone, has its shape."""
    given = grad_output.copy()
    grad = call(backward, given, cache)
    expect(np.array_equal(given, grad_output),
           f"your {name}_backward changed grad_output in place (e.g. `grad_output[x <= 0] = 0`): another branch of "
           "the network may still need it; multiply into a new array.")
    expect_shape(grad, grad_output.shape, f"{name}_backward's gradient", "One value per input: grad_output's shape.")
    return np.asarray(grad, dtype=float)


def _diagnose(grad, mistakes, right, what, advice):
    """Raise the hint of the first mistaken variant that ``grad`` equals, else compare with ``right``."""
    if np.allclose(grad, right):
        return
    for mistaken, hint in mistakes:
        if np.allclose(grad, mistaken):
            raise Hint(hint)
    expect_close(grad, right, what, advice)


def _numerical_agreement(forward, backward, x):
    """cnnlab.gradcheck of the student's pair at ``x`` (away from kinks); a Hint when they disagree."""
    result = gradcheck(lambda values: forward(values)[0], x,
                       backward=lambda grad_output, values: backward(grad_output, forward(values)[1]))
    expect(result.passed, f"your backward disagrees with centred differences of your forward: {result}")


@exercise("02.1 ReLU forward and backward")
def check_relu_pair(relu_forward, relu_backward):
    """Check the student's ``relu_forward(x) -> (out, cache)`` and ``relu_backward(grad_output, cache)``.

    Compared with ``F.relu_forward`` / ``F.relu_backward`` on inputs with exact zeros, and with centred
    differences away from 0. The usual slips are computed and named: no grad_output (the chain rule), the
    mask taken from grad_output instead of the input, ``x >= 0`` (1 at 0, where cnnlab and PyTorch use 0),
    no mask at all (``out >= 0`` is true everywhere) and the output's value as the local derivative. A mask
    from the output, ``out > 0``, is right: ``max(0, x) > 0`` exactly where ``x > 0``.
    """
    cache = _forward_pair(relu_forward, _PAIR_X, F.relu, "relu")
    grad_output = np.random.default_rng(2).normal(size=_PAIR_X.shape)
    grad = _backward_result(relu_backward, grad_output, cache, "relu")
    right = F.relu_backward(grad_output, F.relu_forward(_PAIR_X)[1])
    mask = (_PAIR_X > 0).astype(float)
    _diagnose(grad, [
        (mask, "you returned the mask (1 where x > 0) alone: the chain rule multiplies it by grad_output, the "
               "gradient that arrives from the layer after."),
        (grad_output * (grad_output > 0), "your mask comes from grad_output: whether the gradient passes depends on "
                                          "the *input* x of the forward pass (x > 0), not on the gradient's sign."),
        (grad_output * (_PAIR_X >= 0), "right except at x = 0: ReLU has no derivative there, and cnnlab and PyTorch "
                                       "use 0 (a mask x > 0, not x >= 0)."),
        (grad_output, "everything passes: no mask. (`out >= 0` is true everywhere, since max(0, x) is never "
                      "negative; `out > 0` works, it is exactly x > 0.)"),
        (grad_output * F.relu(_PAIR_X), "you multiplied by ReLU's output; the local derivative is 1 where x > 0 "
                                        "and 0 elsewhere, not the value max(0, x)."),
    ], right, "relu_backward's gradient", "It is grad_output where x > 0 and 0 elsewhere.")
    _numerical_agreement(relu_forward, relu_backward, _PAIR_X + np.where(_PAIR_X >= 0, 0.05, -0.05))
    return ("equal to F.relu_backward, and to centred differences (relative error below 1e-6): the gradient "
            "passes where the input was positive and stops elsewhere.")


@exercise("02.2 Sigmoid forward and backward")
def check_sigmoid_pair(sigmoid_forward, sigmoid_backward):
    """Check the student's ``sigmoid_forward(x) -> (out, cache)`` and ``sigmoid_backward(grad_output, cache)``.

    Compared with ``F.sigmoid_forward`` / ``F.sigmoid_backward`` and with centred differences. Named slips:
    s instead of s(1 - s), no grad_output, x(1 - x) of the input where s(1 - s) of the output belongs, the
    sigmoid applied once more to a cache that already holds s, and tanh's 1 - s^2.
    """
    x = 2.0 * _PAIR_X
    cache = _forward_pair(sigmoid_forward, x, F.sigmoid, "sigmoid")
    grad_output = np.random.default_rng(3).normal(size=x.shape)
    grad = _backward_result(sigmoid_backward, grad_output, cache, "sigmoid")
    s = F.sigmoid(x)
    right = F.sigmoid_backward(grad_output, F.sigmoid_forward(x)[1])
    _diagnose(grad, [
        (grad_output * s, "you multiplied by s = sigmoid(x), the value; the derivative is s (1 - s)."),
        (s * (1 - s), "you returned the local derivative s (1 - s) alone: the chain rule multiplies it by "
                      "grad_output."),
        (grad_output * x * (1 - x), "that is x (1 - x) of the input: s (1 - s) needs the sigmoid's output s, so "
                                    "keep s in the cache."),
        (grad_output * F.sigmoid(s) * (1 - F.sigmoid(s)), "you applied the sigmoid to the cache once more: it "
                                                           "already holds s, use it as it is."),
        (grad_output * (1 - s ** 2), "1 - s^2 is tanh's derivative; the sigmoid's is s (1 - s)."),
    ], right, "sigmoid_backward's gradient", "It is grad_output * s * (1 - s) with s the forward output.")
    _numerical_agreement(sigmoid_forward, sigmoid_backward, x)
    return ("equal to F.sigmoid_backward, and to centred differences (relative error below 1e-6); at most 0.25 "
            "of the gradient gets through, at x = 0.")
