"""Checks of notebook 05's build-it-yourself exercises: the dense layer, SGD with momentum and Adam.

Each check runs the student's function on small random arrays, compares it with cnnlab's reference
(``F.linear_forward`` / ``F.linear_backward``, ``optim.SGD``, ``optim.Adam`` stepping the same parameter
with the same gradients) and, for the backward pass, with a numerical gradient (``cnnlab.gradcheck``).
Where the answer differs, the check computes the usual mistakes and names the one that matches:
a transposed weight, a bias gradient not summed over the batch, a weight gradient of swapped shape,
momentum written as ``v = mu v + lr g``, a forgotten bias correction, epsilon inside the square root.
"""
import numpy as np

import cnnlab.functional as F
from cnnlab import optim
from cnnlab.gradcheck import gradcheck
from cnnlab.nn import Parameter

from ..checks import Hint, call, exercise, expect, expect_close, expect_returned

__all__ = ["check_linear_forward", "check_linear_backward", "check_sgd_momentum_step", "check_adam_step"]


def _matches(answer, expected):
    """True when ``answer`` has ``expected``'s shape and values.

    ``expected`` may be a function computing a mistaken variant: one whose shapes do not fit
    (a transposed product of a non-square weight) matches nothing.
    """
    if callable(expected):
        try:
            expected = expected()
        except ValueError:
            return False
    answer = np.asarray(answer)
    return answer.shape == np.shape(expected) and np.allclose(answer, expected, rtol=1e-6, atol=1e-9)


def _linear_case(batch, in_features, out_features, seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((batch, in_features)), rng.standard_normal((out_features, in_features)),
            rng.standard_normal(out_features))


def _call_shapes(function, *args, advice):
    """Call the student's function; a matrix product whose shapes do not fit becomes a hint."""
    try:
        return call(function, *args)
    except ValueError as error:
        if "matmul" in str(error) or "shapes" in str(error) or "broadcast" in str(error):
            raise Hint(f"the shapes do not fit ({error}). {advice}") from None
        raise


# ------------------------------------------------------------------------------ the dense layer
_WEIGHT_ADVICE = ("weight has shape (out_features, in_features), PyTorch's layout, so the product is x @ weight.T: "
                  "(N, in) @ (in, out) = (N, out).")


@exercise("05.1 The dense layer, forward")
def check_linear_forward(linear_forward):
    """``linear_forward(x, weight, bias)`` returns ``x @ weight.T + bias``, shape (N, out_features)."""
    for batch, n_in, n_out, seed in [(3, 4, 4, 0), (5, 6, 3, 1)]:  # square first: a transposed weight still runs
        x, weight, bias = _linear_case(batch, n_in, n_out, seed)
        answer = _call_shapes(linear_forward, x, weight, bias, advice=_WEIGHT_ADVICE)
        expect_returned(answer, "the output")
        expected = F.linear(x, weight, bias)
        if _matches(answer, lambda x=x, weight=weight, bias=bias: x @ weight + bias):
            raise Hint(f"you multiplied by weight, not by its transpose: {_WEIGHT_ADVICE}")
        if _matches(answer, x @ weight.T):
            raise Hint("the output misses the bias: add bias, one number per output feature (it broadcasts "
                       "over the batch).")
        expect_close(answer, expected, f"linear_forward on x {x.shape}, weight {weight.shape}",
                     "compute x @ weight.T + bias.")
    return "y = x W^T + b: one weighted sum of all inputs per output feature, for every image of the batch."


@exercise("05.2 The dense layer, backward")
def check_linear_backward(linear_backward):
    """``linear_backward(grad_output, x, weight)`` returns ``(grad_x, grad_weight, grad_bias)``."""
    for batch, n_in, n_out, seed in [(4, 4, 4, 2), (5, 6, 3, 3)]:
        x, weight, bias = _linear_case(batch, n_in, n_out, seed)
        grad_output = np.random.default_rng(seed + 10).standard_normal((batch, n_out))
        answer = _call_shapes(linear_backward, grad_output, x, weight,
                              advice="grad_x = grad_output @ weight: (N, out) @ (out, in); grad_weight = "
                                     "grad_output.T @ x: (out, N) @ (N, in).")
        expect_returned(answer, "(grad_x, grad_weight, grad_bias)")
        expect(isinstance(answer, (tuple, list)) and len(answer) == 3,
               "return three gradients, as a tuple: grad_x, grad_weight, grad_bias.")
        grad_x, grad_weight, grad_bias = (np.asarray(a) for a in answer)
        _, ctx = F.linear_forward(x, weight, bias)
        expected_x, expected_weight, expected_bias = F.linear_backward(grad_output, ctx)

        if _matches(grad_x, lambda g=grad_output, weight=weight: g @ weight.T) and not _matches(grad_x, expected_x):
            raise Hint("grad_x uses the transposed weight: the forward multiplied by weight.T, so backward "
                       "multiplies by weight, grad_x = grad_output @ weight, shape (N, in_features).")
        expect_close(grad_x, expected_x, "grad_x", "grad_x = grad_output @ weight.")
        if _matches(grad_weight, x.T @ grad_output):
            raise Hint(f"grad_weight has shape {grad_weight.shape}, the weight's transpose: a gradient has the shape "
                       f"of its parameter, {weight.shape} = (out_features, in_features), so it is grad_output.T @ x.")
        expect_close(grad_weight, expected_weight, "grad_weight",
                     "each weight W[o, i] meets input i and output error o in every image: grad_output.T @ x.")
        if _matches(grad_bias, grad_output):
            raise Hint(f"grad_bias has shape {grad_bias.shape}: one row per image. The same bias serves every image "
                       "of the batch, so its gradient is summed over the batch: grad_output.sum(axis=0).")
        if _matches(grad_bias, grad_output.mean(axis=0)):
            raise Hint("grad_bias is the batch mean; sum over the batch instead (the loss already divides by N, "
                       "so grad_output carries the 1/N): grad_output.sum(axis=0).")
        expect_close(grad_bias, expected_bias, "grad_bias", "grad_bias = grad_output.sum(axis=0).")

    x, weight, bias = _linear_case(3, 5, 2, 4)
    result = gradcheck(F.linear, (x, weight, bias), backward=lambda g, x, w, b: tuple(call(linear_backward, g, x, w)))
    expect(result.passed, f"your gradients differ from the numerical ones:\n{result}")
    return (f"it agrees with F.linear_backward and with centred differences (relative error below "
            f"{result.threshold:.0e}).")


# ------------------------------------------------------------------------------------ optimizers
def _gradients(shape, steps, scale, seed):
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal(shape) for _ in range(steps)]


_LEARNING_RATES = (0.1, 0.1, 0.02)  # the third step after a learning-rate drop, as notebook 05 trains


@exercise("05.3 One step of SGD with momentum")
def check_sgd_momentum_step(sgd_momentum_step):
    """``sgd_momentum_step(weight, grad, velocity, lr, momentum)`` returns ``(new_weight, new_velocity)``.

    Compared over three steps, the last after a learning-rate drop, with ``optim.SGD(momentum=...)``.
    """
    momentum, shape = 0.9, (3, 4)
    start = np.random.default_rng(5).standard_normal(shape)
    parameter = Parameter(start.copy())
    reference = optim.SGD([parameter], lr=_LEARNING_RATES[0], momentum=momentum)
    weight, velocity = start.copy(), np.zeros(shape)
    for step, (lr, grad) in enumerate(zip(_LEARNING_RATES, _gradients(shape, 3, 1.0, 6)), start=1):
        reference.lr = lr
        parameter.grad = grad.copy()
        previous_weight = parameter.data.copy()
        reference.step()
        expected_weight, expected_velocity = parameter.data, reference.state[id(parameter)]
        answer = call(sgd_momentum_step, weight.copy(), grad.copy(), velocity.copy(), lr, momentum)
        expect_returned(answer, "(new_weight, new_velocity)")
        expect(isinstance(answer, (tuple, list)) and len(answer) == 2,
               "return two arrays, as a tuple: the new weight and the new velocity.")
        weight, velocity = (np.asarray(a, dtype=float) for a in answer)
        if _matches(velocity, lr * expected_velocity) or _matches(velocity, -lr * expected_velocity):
            raise Hint("your velocity holds lr x PyTorch's: you wrote v = mu v + lr g (the form of Sutskever et al. "
                       "and CS231n). PyTorch keeps v = mu v + g and steps w - lr v; the two agree only while lr stays "
                       "fixed, and differ after a learning-rate drop.")
        if _matches(velocity, grad) and step > 1:
            raise Hint("the velocity forgot the previous steps: v = momentum x (the velocity you were given) + grad.")
        if _matches(weight, previous_weight - lr * grad) and step > 1:
            raise Hint("the weight moved by lr x this step's gradient: step with the velocity, w - lr v.")
        expect_close(velocity, expected_velocity, f"the velocity after step {step}", "v = momentum x v + grad.")
        expect_close(weight, expected_weight, f"the weight after step {step}", "w = w - lr x v (the new v).")
    return ("three steps agree with optim.SGD(momentum=0.9), also after the learning rate dropped: v = mu v + g, "
            "w = w - lr v.")


@exercise("05.4 One step of Adam")
def check_adam_step(adam_step):
    """``adam_step(weight, grad, m, v, t, lr, beta1, beta2, eps)`` returns ``(new_weight, new_m, new_v)``.

    ``t`` counts the steps from 1. Compared over three steps with ``optim.Adam``; the gradients are
    small (about 1e-3), where a misplaced epsilon shows.
    """
    lr, beta1, beta2, eps, shape = 0.01, 0.9, 0.999, 1e-8, (2, 5)
    start = np.random.default_rng(7).standard_normal(shape)
    parameter = Parameter(start.copy())
    reference = optim.Adam([parameter], lr=lr, betas=(beta1, beta2), eps=eps)
    weight, m, v = start.copy(), np.zeros(shape), np.zeros(shape)
    for t, grad in enumerate(_gradients(shape, 3, 1e-3, 8), start=1):
        parameter.grad = grad.copy()
        previous = weight.copy()
        m_expected = beta1 * m + (1 - beta1) * grad
        v_expected = beta2 * v + (1 - beta2) * grad ** 2
        reference.step()
        answer = call(adam_step, weight.copy(), grad.copy(), m.copy(), v.copy(), t, lr, beta1, beta2, eps)
        expect_returned(answer, "(new_weight, new_m, new_v)")
        expect(isinstance(answer, (tuple, list)) and len(answer) == 3,
               "return three arrays, as a tuple: the new weight, m and v.")
        new_weight, new_m, new_v = (np.asarray(a, dtype=float) for a in answer)
        expect_close(new_m, m_expected, f"m after step {t}", "m = beta1 m + (1 - beta1) grad (the running mean).")
        if _matches(new_v, beta2 * v + (1 - beta2) * grad):
            raise Hint("v is the running mean of the *squared* gradient: v = beta2 v + (1 - beta2) grad ** 2.")
        expect_close(new_v, v_expected, f"v after step {t}", "v = beta2 v + (1 - beta2) grad ** 2.")
        m_hat, v_hat = m_expected / (1 - beta1 ** t), v_expected / (1 - beta2 ** t)
        mistakes = {
            "no bias correction": previous - lr * m_expected / (np.sqrt(v_expected) + eps),
            "m only": previous - lr * m_hat / (np.sqrt(v_expected) + eps),
            "v only": previous - lr * m_expected / (np.sqrt(v_hat) + eps),
            "eps inside": previous - lr * m_hat / np.sqrt(v_hat + eps),
        }
        found = next((name for name, wrong in mistakes.items() if _matches(new_weight, wrong)), None)
        if found == "no bias correction":
            raise Hint(f"the step forgot the bias correction: m and v start at 0, so early on they are too small; "
                       f"divide m by (1 - beta1 ** t) and v by (1 - beta2 ** t) (at t = {t}: "
                       f"{1 - beta1 ** t:.3g} and {1 - beta2 ** t:.3g}).")
        if found == "m only":
            raise Hint("you corrected m but not v: divide v by (1 - beta2 ** t) too (at t = 1 that is 0.001, "
                       "a factor of about 32 on sqrt(v)).")
        if found == "v only":
            raise Hint("you corrected v but not m: divide m by (1 - beta1 ** t) too.")
        if found == "eps inside":
            raise Hint("epsilon went inside the square root: PyTorch adds it after, "
                       "w - lr m_hat / (sqrt(v_hat) + eps); with gradients of 1e-3 sqrt(v_hat + eps) is 0.5% larger.")
        expect_close(new_weight, parameter.data, f"the weight after step {t}",
                     "w = w - lr m_hat / (sqrt(v_hat) + eps), m_hat = m / (1 - beta1 ** t), "
                     "v_hat = v / (1 - beta2 ** t).")
        weight, m, v = new_weight, new_m, new_v
    moved = np.abs(weight - start).max() / lr
    return ("three steps agree with optim.Adam. The gradients were about 1e-3, yet no weight moved more than "
            f"{moved:.1f} x lr in three steps: Adam's step is about lr whatever the gradient's size.")
