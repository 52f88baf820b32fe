"""Checks of notebook 05's fast layers, and Lecture Ex. 3.1 trained with the student's own layers.

A notebook cannot import another, so notebook 05 asks once more, vectorised (a loop version is too slow to
train with), for what notebooks 01-04 taught: conv2d forward and backward, max pooling forward and backward,
ReLU and softmax cross-entropy. The convolution and pooling checks are the same as in 01 and 04
(``..layer_checks``: the same cases, the same computed mistakes), plus a count of the lines Python runs in the
student's cell. :func:`check_own_layers` then holds the student's network to the library's, layer by layer
on one batch (the first layer whose output or gradient differs is named), and trains both from the same seed:
the losses of the first steps must agree, and so must the accuracies.
"""
import numpy as np

import cnnlab.functional as F
from cnnlab import nn, optim
from cnnlab.training import evaluate, fit

from ..checks import Hint, call, exercise, expect, expect_close, expect_shape
from ..layer_checks import (RESHAPE_CASES, as_array, conv_backward_verdict, conv_forward_verdict, lines_run,
                            max_pool_backward_reshape_verdict)
from .exercises import reference_network

__all__ = ["check_conv2d_fast", "check_conv2d_backward_fast", "check_max_pool_fast", "check_relu_and_cross_entropy",
           "check_own_layers", "OWN_LAYERS_MIN_ACCURACY"]


# ------------------------------------------------------------------------------ convolution
@exercise("05.5 conv2d forward, vectorised")
def check_conv2d_fast(conv2d_fast):
    """``conv2d_fast(x, weight, bias, stride=1, padding=0)`` equals ``F.conv2d``, with no loop over positions."""
    return conv_forward_verdict(conv2d_fast)


@exercise("05.6 conv2d backward, vectorised")
def check_conv2d_backward_fast(conv2d_backward_fast):
    """``conv2d_backward_fast(grad_output, x, weight, stride=1, padding=0)`` returns
    ``(grad_input, grad_weight, grad_bias)`` as ``F.conv2d_backward`` and centred differences, with no loop over
    the output positions."""
    return conv_backward_verdict(conv2d_backward_fast, vectorised=True)


# ------------------------------------------------------------------------------ max pooling
def _max_pool_forward_verdict(max_pool_forward_fast):
    rng = np.random.default_rng(57)
    for shape, k in RESHAPE_CASES:
        x = rng.normal(size=shape)
        right = F.max_pool2d(x, k)
        what = f"max_pool_forward_fast(x of shape {shape}, k={k})"
        answer = call(max_pool_forward_fast, x.copy(), k)
        rounded_up = shape[:2] + (-(-shape[2] // k), -(-shape[3] // k))  # what windows over the leftovers give
        if np.shape(answer) == rounded_up != right.shape:
            raise Hint(f"{what}: the leftover rows and columns made windows of their own; no window of MaxPool2d({k}) "
                       "reaches past the input, so drop them first: x[:, :, :H // k * k, :W // k * k].")
        expect_shape(answer, right.shape, what, "H // k windows down and W // k across; keep N and C.")
        answer = as_array(answer, "the pooled maps")
        expect(not np.allclose(answer, F.avg_pool2d(x, k)), f"{what}: you took each window's average; take its max.")
        expect_close(answer, right, what, "reshape to (N, C, H // k, k, W // k, k) and take the max over axes 3 and 5.")
    x = rng.normal(size=(2, 3, 24, 24))
    _, lines = lines_run(max_pool_forward_fast, x, 2)
    expect(lines < 12 * 12, f"the numbers are right, but Python ran {lines} lines of your code for the 144 windows of "
                            "a 24x24 map: it still loops over them. One reshape and one max do them all.")


@exercise("05.7 Max pooling forward and backward, vectorised")
def check_max_pool_fast(max_pool_forward_fast, max_pool_backward_fast):
    """``max_pool_forward_fast(x, k)`` and ``max_pool_backward_fast(grad_output, x, k)``, stride ``k``,
    equal ``F.max_pool2d`` and ``F.max_pool2d_backward``."""
    _max_pool_forward_verdict(max_pool_forward_fast)
    return "the forward pass equals F.max_pool2d; the backward pass " + max_pool_backward_reshape_verdict(
        max_pool_backward_fast, "max_pool_backward_fast")


# ------------------------------------------------------------------- ReLU and the loss
def _relu_verdict(relu_forward, relu_backward):
    x = np.random.default_rng(58).normal(size=(2, 3, 4, 4))
    x[0, 0, 0, :2] = 0.0  # at exactly 0 the gradient is 0, as PyTorch's
    grad_output = np.random.default_rng(59).normal(size=x.shape)
    expect_close(as_array(call(relu_forward, x.copy()), "the activations"), F.relu(x), "relu_forward(x)",
                 "np.maximum(x, 0): negatives become 0, the rest pass unchanged.")
    answer = as_array(call(relu_backward, grad_output.copy(), x.copy()), "the input's gradient")
    expect(not np.allclose(answer, x > 0), "relu_backward returned the mask alone: multiply it by grad_output, "
                                           "grad_output * (x > 0) (the chain rule).")
    expect(not np.allclose(answer, grad_output), "relu_backward let every gradient through: where x <= 0 the ReLU is "
                                                 "flat, so its gradient there is 0: grad_output * (x > 0).")
    expect(not np.allclose(answer, grad_output * (x >= 0)), "at x = 0 exactly the gradient is 0 (PyTorch's choice): "
                                                            "use x > 0, not x >= 0.")
    _, ctx = F.relu_forward(x)
    expect_close(answer, F.relu_backward(grad_output, ctx), "relu_backward", "grad_output * (x > 0).")


def _cross_entropy_mistakes(scores, labels):
    """Wrong (loss, grad) pairs the usual slips give, each with its hint."""
    n = len(labels)
    probabilities = F.softmax(scores, dim=1)
    one_hot = np.eye(scores.shape[1])[labels]
    loss = F.cross_entropy(scores, labels)
    return [
        ((loss * n, probabilities - one_hot), "you summed the loss over the batch and did not divide the gradient: "
                                              "the loss is the batch mean, so divide both by N."),
        ((loss, probabilities - one_hot), "the gradient misses 1 / N: the loss is the mean over the N images, so its "
                                          "gradient is (y - t) / N."),
        ((loss, probabilities / n), "the gradient forgot the target: it is (y - t) / N, the probabilities minus the "
                                    "one-hot target."),
        ((loss * n, (probabilities - one_hot) / n), "the loss is summed over the batch: average it (the gradient "
                                                    "(y - t) / N is of the mean)."),
    ]


def _cross_entropy_verdict(softmax_cross_entropy):
    rng = np.random.default_rng(60)
    scores, labels = rng.normal(size=(5, 4)), rng.integers(0, 4, 5)
    answer = call(softmax_cross_entropy, scores.copy(), labels.copy())
    expect(isinstance(answer, (tuple, list)) and len(answer) == 2,
           "softmax_cross_entropy returns two things, as a tuple: the loss (a number) and its gradient (N, classes).")
    loss, grad = float(np.ravel(answer[0])[0]), as_array(answer[1], "the gradient")
    for (wrong_loss, wrong_grad), advice in _cross_entropy_mistakes(scores, labels):
        expect(not (np.isclose(loss, wrong_loss) and grad.shape == wrong_grad.shape and np.allclose(grad, wrong_grad)),
               advice)
    expect(np.isclose(loss, F.cross_entropy(scores, labels)), f"the loss is {loss:.6g}, expected "
           f"{F.cross_entropy(scores, labels):.6g}: the mean over the batch of -log(softmax(scores)[n, labels[n]]).")
    _, ctx = F.cross_entropy_forward(scores, labels)
    expect_close(grad, F.cross_entropy_backward(np.ones(()), ctx), "the gradient",
                 "(softmax(scores) - one_hot(labels)) / N, softmax over each row (axis 1).")
    large = np.array([[1000.0, 0.0, -1000.0], [0.0, 800.0, 790.0]])
    with np.errstate(all="ignore"):
        loss, grad = call(softmax_cross_entropy, large.copy(), np.array([0, 2]))
    expect(np.isfinite(loss) and np.all(np.isfinite(grad)),
           "scores of 1000 gave inf or nan: exp(1000) overflows. Subtract each row's maximum before exp (the softmax "
           "does not change), and take the log of the softmax as scores - max - log(sum(exp(scores - max))).")
    expect(np.isclose(float(np.ravel(loss)[0]), F.cross_entropy(large, np.array([0, 2]))),
           "with scores of 1000 the loss is wrong: compute log-softmax as shifted - log(sum(exp(shifted))), with "
           "shifted = scores - each row's max, instead of the log of a softmax that rounded to 0.")


@exercise("05.8 ReLU and softmax cross-entropy, forward and backward")
def check_relu_and_cross_entropy(relu_forward, relu_backward, softmax_cross_entropy):
    """``relu_forward(x)``, ``relu_backward(grad_output, x)`` and ``softmax_cross_entropy(scores, labels)``, which
    returns ``(loss, grad_scores)``, equal cnnlab's ``F.relu`` and ``F.cross_entropy`` pairs."""
    _relu_verdict(relu_forward, relu_backward)
    _cross_entropy_verdict(softmax_cross_entropy)
    return ("ReLU passes the gradient where x > 0; the loss is the batch mean of -log softmax, its gradient "
            "(y - t) / N, and scores of 1000 stay finite.")


# ------------------------------------------------------------- the network, layer by layer
def _close(own, library):
    """float32 layers that agree up to rounding (a sum in another order)."""
    own, library = np.asarray(own, dtype=float), np.asarray(library, dtype=float)
    scale = max(float(np.abs(library).max()), 1e-12)
    return own.shape == library.shape and np.allclose(own, library, rtol=1e-4, atol=1e-5 * scale)


def _layer_name(index, layer):
    return f"layer {index} ({type(layer).__name__})"


def _compare_forward(own, library, x, y, own_loss):
    """Run one batch through both networks side by side; name the first layer whose output differs."""
    b = x
    for index, (mine, theirs) in enumerate(zip(own.children(), library.children())):
        a, b = call(mine, b), theirs(b)  # both from the library's input: the first layer that differs is named
        expect(_close(a, b), f"the output of {_layer_name(index, mine)} differs from the library's "
                             f"{type(theirs).__name__} on the same batch and weights: check its forward.")
    loss, library_loss = call(own_loss), nn.CrossEntropyLoss()
    mine, theirs = call(loss, b, y), library_loss(b, y)
    expect(np.isclose(float(mine), float(theirs), rtol=1e-4),
           f"your loss is {float(mine):.5f} on the first batch, the library's {float(theirs):.5f}: check "
           "softmax_cross_entropy.")
    return loss, library_loss


def _compare_backward(own, library, loss, library_loss):
    """Backpropagate both from their losses, layer by layer from the top; name the first gradient that differs."""
    expect(_close(call(loss.backward), library_loss.backward()),
           "the gradient your loss hands back differs from nn.CrossEntropyLoss's: it is (y - t) / N.")
    h = library_loss.backward()
    layers = list(zip(own.children(), library.children()))
    for index in reversed(range(len(layers))):
        mine, theirs = layers[index]
        g, h = call(mine.backward, h), theirs.backward(h)  # both from the library's gradient, as forward
        for (name, p), q in zip(mine.named_parameters(), theirs.parameters()):
            expect(p.grad is not None, f"{_layer_name(index, mine)} left {name}.grad empty: its backward must add "
                                       f"the gradient with self.{name}.accumulate_grad(...).")
            expect(_close(p.grad, q.grad), f"the gradient of {name} in {_layer_name(index, mine)} differs from the "
                                           "library's: check what its backward accumulates.")
        if index:
            expect(_close(g, h), f"the gradient {_layer_name(index, mine)} passes back to its input differs from the "
                                 "library's: check its backward.")


def _parameters_match(own, library):
    expect(all(isinstance(layer, nn.Module) for layer in own.children()),
           "each of your classes must build an nn.Module (a subclass with forward and backward).")
    for index, (mine, theirs) in enumerate(zip(own.children(), library.children())):
        mine_shapes = [p.shape for p in mine.parameters()]
        expect(mine_shapes == [p.shape for p in theirs.parameters()],
               f"{_layer_name(index, mine)} registers parameters of shapes {mine_shapes}, the library's "
               f"{[p.shape for p in theirs.parameters()]}: keep the weight and the bias as Parameters (self.weight = "
               "library.weight, ...), so the optimizer sees them.")
        expect(all(np.array_equal(p.data, q.data) for p, q in zip(mine.parameters(), theirs.parameters())),
               f"{_layer_name(index, mine)} starts from other weights than the library's: take them from the library "
               "layer drawn with the same rng, as MyLinear does.")


def _train(model, loss_fn, optimizer, x, y, x_val, y_val, seed):
    history = fit(model, loss_fn, optimizer, x, y, epochs=1, batch_size=32, seed=seed, progress=None)
    return history.iteration_loss, evaluate(model, x_val, y_val)


#: What one epoch on the notebook's slice of 1,500 digits must reach.
OWN_LAYERS_MIN_ACCURACY = 0.8
_STEPS_COMPARED = 5


@exercise("05.9 Train the network with your own layers")
def check_own_layers(x, y, x_val, y_val, layers, lr=3e-3, seed=0, min_accuracy=OWN_LAYERS_MIN_ACCURACY):
    """Lecture Ex. 3.1's network built from the student's own layers, held to the library's and trained beside it.

    Parameters
    ----------
    x, y : ndarray, shapes (N, 1, 28, 28) and (N,)
        The digits to train on, one epoch of batches of 32.
    x_val, y_val : ndarray, shapes (M, 1, 28, 28) and (M,)
        The digits to measure the accuracy on.
    layers : dict
        The student's classes: ``conv`` (``conv(in_channels, out_channels, kernel_size, padding=..., rng=...,
        dtype=...)``, as ``nn.Conv2d``), ``relu``, ``pool`` (``pool(kernel_size)``), ``linear`` (as ``nn.Linear``),
        ``loss`` (``loss()(scores, labels)``, then ``.backward()``) and ``optimizer`` (``optimizer(params, lr=...)``).
    min_accuracy : float
        What the student's network must reach (one epoch on 1,500 digits gives the library's layers about 85%).
    """
    parts = {key: layers[key] for key in ("conv", "relu", "pool", "linear")}
    library, own = reference_network(seed), call(reference_network, seed, **parts)
    _parameters_match(own, library)
    loss, library_loss = _compare_forward(own, library, x[:32], y[:32], layers["loss"])
    _compare_backward(own, library, loss, library_loss)

    library, own = reference_network(seed), reference_network(seed, **parts)
    library_losses, library_accuracy = _train(library, nn.CrossEntropyLoss(), optim.Adam(library.parameters(), lr=lr),
                                              x, y, x_val, y_val, seed)
    start = [p.data.copy() for p in own.parameters()]
    own_losses, own_accuracy = _train(own, layers["loss"](), call(layers["optimizer"], own.parameters(), lr=lr),
                                      x, y, x_val, y_val, seed)
    expect(any(not np.array_equal(p.data, s) for p, s in zip(own.parameters(), start)),
           "no weight changed: does your optimizer's step write the new weights into p.data?")
    first, theirs = np.array(own_losses[:_STEPS_COMPARED]), np.array(library_losses[:_STEPS_COMPARED])
    if not np.allclose(first, theirs, rtol=1e-3):
        step = int(np.argmax(~np.isclose(first, theirs, rtol=1e-3))) + 1
        raise Hint(f"the layers agree on one batch, but the loss of step {step} is {first[step - 1]:.4f}, the "
                   f"library's {theirs[step - 1]:.4f}: the optimizer's step differs from optim.Adam's (check MyAdam "
                   "and your adam_step), or a gradient is not cleared by zero_grad.")
    expect(own_accuracy >= min_accuracy,
           f"your network reached {own_accuracy:.1%} after one epoch (at least {min_accuracy:.0%} expected), the "
           f"library's layers {library_accuracy:.1%}.")
    expect(abs(own_accuracy - library_accuracy) <= 0.01,
           f"your network reached {own_accuracy:.1%}, the library's {library_accuracy:.1%} from the same start: the "
           "same maths should give the same accuracy (within a point).")
    return (f"every layer's output and gradient agrees with the library's, the first {_STEPS_COMPARED} losses too, "
            f"and one epoch on {len(y):,} digits gives {own_accuracy:.1%} of the {len(y_val):,} validation digits with "
            f"your layers, {library_accuracy:.1%} with the library's.")
