"""Exercise checks for notebook 02, activation functions.

Each check calls the student's function, compares it with :mod:`cnnlab.functional` and says in
words what is wrong. The usual slips are named: PyTorch's default slope 0.01 where the lecture's
max(0.1x, x) uses 0.1, a derivative of 0 or x instead of the slope, an ``if x >= 0`` that fails on
arrays, and a "stable" sigmoid whose unused ``np.where`` branch still overflows.
"""
import math

import numpy as np

from ... import functional as F
from ..checks import Hint, call, exercise, expect, expect_close, expect_returned, expect_shape

#: The point the lecture's activations are evaluated at by hand in exercise 02.1.
BY_HAND_X = -2.0


def _by_hand_answers():
    x = np.array([BY_HAND_X])
    return {
        "relu": float(F.relu(x)[0]),
        "leaky_relu": float(F.leaky_relu(x, negative_slope=0.1)[0]),
        "sigmoid": float(F.sigmoid(x)[0]),
        "tanh": float(F.tanh(x)[0]),
    }


@exercise("02.1 Four activations by hand at x = -2")
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


@exercise("02.2 Leaky ReLU and its derivative")
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


@exercise("02.3 A sigmoid that does not overflow")
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


@exercise("02.4 Gradient through ten sigmoid layers")
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
