"""Exercise checks for notebook 05, Lecture Ex. 3.1: a three-layer CNN on MNIST.

Each check runs the student's function on a small case, compares it with cnnlab's own layers and
training step, and names the usual slip: a forgotten bias in a parameter count, a missing Flatten or
pooling layer, a loss returned after the update, ``zero_grad`` forgotten or called too late, no ``step``.
"""
import copy

import numpy as np

import cnnlab.nn as nn
from cnnlab import optim

from ..checks import Hint, call, exercise, expect, expect_returned

__all__ = ["check_conv_parameters", "check_build_network", "check_train_step", "reference_network", "lenet5",
           "check_lenet_c5_parameters"]


# ------------------------------------------------------------------------------------- 05.11 counting
_COUNT_CASES = [(1, 8, 3), (8, 16, 3), (3, 6, 5), (2, 4, 1)]


@exercise("05.11 Parameters of a convolution layer")
def check_conv_parameters(conv_parameters):
    """``conv_parameters(in_channels, out_channels, kernel_size)`` counts weights and biases."""
    for c_in, c_out, k in _COUNT_CASES:
        answer = call(conv_parameters, c_in, c_out, k)
        expect_returned(answer, "the count")
        expected = nn.Conv2d(c_in, c_out, k, rng=0).num_parameters
        if answer == expected:
            continue
        slips = {
            c_out * c_in * k * k: "you counted the weights but not the biases: every filter has one bias too.",
            c_out * (k * k + 1): "each filter spans *every* input channel: it has in_channels x k x k weights.",
            c_out * (c_in * k + 1): "the kernel is k x k: square the kernel size.",
            c_in * k * k + 1: "that is one filter; the layer has out_channels of them.",
            c_out * c_in * (k * k + 1): "one bias per filter (output channel), not one per input channel.",
        }
        hint = slips.get(answer, "count each filter's weights (in_channels x k x k), add its bias, "
                                 "and multiply by the number of filters.")
        raise Hint(f"conv_parameters({c_in}, {c_out}, {k}) gave {answer}, expected {expected}: {hint}")
    return ("8 x (1 x 3 x 3) + 8 = 80 and 16 x (8 x 3 x 3) + 16 = 1,168; the lecture's six 5x5x3 filters "
            "have 6 x 75 + 6 = 456.")


# ------------------------------------------------------------------------------- 05.12 the network
def reference_network(rng=0, dtype=np.float32, conv=nn.Conv2d, relu=nn.ReLU, pool=nn.MaxPool2d, linear=nn.Linear):
    """The network of Lecture Ex. 3.1, as the notebook builds it (used to judge the student's).

    ``conv``, ``relu``, ``pool`` and ``linear`` build the layers, called as ``nn.Conv2d``, ``nn.ReLU``,
    ``nn.MaxPool2d`` and ``nn.Linear`` are: a student's own layers, drawing from the same generator, start
    from the same weights as the library's.
    """
    rng = np.random.default_rng(rng)  # one generator for all layers, so each draws different numbers
    return nn.Sequential(
        conv(1, 8, 3, padding=1, rng=rng, dtype=dtype), relu(), pool(2),
        conv(8, 16, 3, padding=1, rng=rng, dtype=dtype), relu(), pool(2),
        nn.Flatten(), linear(16 * 7 * 7, 10, rng=rng, dtype=dtype))


_KINDS = [nn.Conv2d, nn.ReLU, nn.MaxPool2d, nn.Conv2d, nn.ReLU, nn.MaxPool2d, nn.Flatten, nn.Linear]


def _kinds(model):
    return [type(layer).__name__ for layer in model.children()]


@exercise("05.12 Assemble the network")
def check_build_network(build_network):
    """``build_network(rng)`` returns Lecture Ex. 3.1's Sequential: (conv, ReLU, max pool) twice, flatten, linear."""
    model = call(build_network, 0)
    expect(model is not None, "build_network returned None: did you forget to `return` the Sequential?")
    expect(isinstance(model, nn.Module),
           f"build_network returned a {type(model).__name__}; return nn.Sequential(layer1, layer2, ...).")
    x = np.zeros((2, 1, 28, 28), dtype=np.float32)
    try:
        output = model(x)
    except ValueError as error:
        message = str(error).rstrip(".") + "."
        if "3136" in message:
            message += " 3136 = 16 x 14 x 14: did you forget the second MaxPool2d (14x14 -> 7x7)?"
        elif "12544" in message or "6272" in message:
            message += " Each MaxPool2d(2) halves the height and width: 28 -> 14 -> 7."
        raise Hint(f"a batch of two 1x28x28 digits does not go through: {message}") from None
    expect(output.ndim == 2,
           f"your network outputs shape {output.shape}: did you forget Flatten before the Linear layer?")
    expect(output.shape == (2, 10),
           f"your network outputs shape {output.shape}, expected (2, 10): one score per digit 0-9.")
    kinds = _kinds(model)
    expected = [k.__name__ for k in _KINDS]
    if kinds.count("ReLU") < 2:
        raise Hint("each convolution needs its ReLU: without the non-linearity, two convolutions in a row are "
                   "just one bigger linear filter.")
    if kinds.count("MaxPool2d") < 2:
        raise Hint("use a MaxPool2d(2) after each ReLU: the plan is (convolution -> ReLU -> pooling) twice.")
    expect(kinds == expected, f"your layers are {kinds}; the plan of attack is {expected}.")
    conv1, conv2 = model[0], model[3]
    expect(conv1.out_channels == 8 and conv2.out_channels == 16,
           f"use 8 filters in the first convolution and 16 in the second (got {conv1.out_channels} and "
           f"{conv2.out_channels}).")
    expect(conv1.padding == (1, 1) and conv2.padding == (1, 1),
           "use padding=1 with the 3x3 kernels, so each convolution keeps the 28x28 (then 14x14) size.")
    return (f"{' -> '.join(kinds)}: {model.num_parameters:,} parameters, output {output.shape}. "
            "Softmax is not a layer here: CrossEntropyLoss applies it (stably) inside the loss.")


# --------------------------------------------------------------------------- 05.13 one training step
def _tiny_problem():
    rng = np.random.default_rng(3)
    x = rng.random((16, 1, 8, 8), dtype=np.float32)
    y = (x[:, 0, :, :4].mean(axis=(1, 2)) > x[:, 0, :, 4:].mean(axis=(1, 2))).astype(np.int64)  # left brighter?
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0, dtype=np.float32), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(32, 2, rng=1, dtype=np.float32))
    return model, x, y


def _reference_step(model, x, y, lr):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    model.backward(loss_fn.backward())
    optimizer.step()
    return float(loss)


@exercise("05.13 One training step")
def check_train_step(train_step):
    """``train_step(model, loss_fn, optimizer, x, y)``: forward, loss, zero_grad, backward, step; returns the loss."""
    lr = 0.5
    reference, x, y = _tiny_problem()
    student = copy.deepcopy(reference)
    stale = 1.0  # an old gradient left over from a previous step: zero_grad must clear it
    for p in student.parameters():
        p.grad = np.full_like(p.data, stale)
    before = [p.data.copy() for p in student.parameters()]
    expected_loss = _reference_step(reference, x, y, lr)

    answer = call(train_step, student, nn.CrossEntropyLoss(), optim.SGD(student.parameters(), lr=lr), x, y)
    expect(answer is not None, "train_step returned None: return the loss (a number) so the loop can show it.")
    expect(np.size(answer) == 1,
           f"train_step returned an array of shape {np.shape(answer)}: return the loss, one number.")
    moved = any(not np.array_equal(p.data, b) for p, b in zip(student.parameters(), before))
    grads = [p.grad for p in student.parameters()]
    if not moved:
        if all(g is None for g in grads):
            raise Hint("the parameters did not change and their gradients are empty: did you call "
                       "optimizer.zero_grad() *after* backward? It throws the gradients away before step uses them.")
        raise Hint("the parameters did not change: did you call optimizer.step()?")
    right = all(np.allclose(p.data, q.data, rtol=1e-5, atol=1e-6)
                for p, q in zip(student.parameters(), reference.parameters()))
    if not right:
        if any(g is not None for g in grads):
            raise Hint("the parameters moved, but not by lr x gradient of this batch: did you call "
                       "optimizer.zero_grad() before backward? Gradients add up, so the last step's gradient was "
                       "still there. The order is forward -> loss -> zero_grad -> backward -> step.")
        raise Hint("the parameters moved, but not by lr x gradient of this batch: the order is "
                   "forward -> loss -> zero_grad -> backward -> step.")
    expect(np.isclose(float(np.ravel(answer)[0]), expected_loss, rtol=1e-5),
           f"train_step returned {float(np.ravel(answer)[0]):.4f}, but the loss of this batch before the step is "
           f"{expected_loss:.4f}: return the loss you computed in the forward pass.")
    losses = [float(np.ravel(call(train_step, student, nn.CrossEntropyLoss(), optim.SGD(student.parameters(), lr=lr),
                                  x, y))[0]) for _ in range(15)]
    expect(losses[-1] < losses[0], f"the loss did not go down over 15 steps ({losses[0]:.3f} -> {losses[-1]:.3f}): "
                                   "did you call optimizer.zero_grad() and optimizer.step()?")
    return (f"one step is forward, loss, zero_grad, backward, step; the tiny problem's loss fell from "
            f"{losses[0]:.2f} to {losses[-1]:.2f} in 15 more.")


# ------------------------------------------------------------------------------------ 05.10 LeNet-5
def lenet5(rng=0, dtype=np.float32):
    """LeNet-5 (LeCun et al., 1998) for 1x28x28 digits, in today's layers.

    The paper pads the digits to 32x32 (here ``padding=2``), squashes with a scaled tanh (here ``Tanh``),
    subsamples by averaging 2x2 windows with a learned weight and bias per map (here ``AvgPool2d``, which
    learns nothing), connects C3 to only some of S2's maps (1,516 parameters; here all of them, 2,416) and
    scores the ten digits with radial basis units (here ``Linear``).
    """
    rng = np.random.default_rng(rng)
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2, rng=rng, dtype=dtype), nn.Tanh(), nn.AvgPool2d(2),      # C1, S2
        nn.Conv2d(6, 16, 5, rng=rng, dtype=dtype), nn.Tanh(), nn.AvgPool2d(2),                # C3, S4
        nn.Conv2d(16, 120, 5, rng=rng, dtype=dtype), nn.Tanh(), nn.Flatten(),                 # C5
        nn.Linear(120, 84, rng=rng, dtype=dtype), nn.Tanh(), nn.Linear(84, 10, rng=rng, dtype=dtype))  # F6, output


@exercise("05.10 Parameters of LeNet-5's C5 layer")
def check_lenet_c5_parameters(c5_parameters):
    """``c5_parameters()`` returns the count of LeNet-5's C5: 120 filters of 5x5 over 16 maps, plus biases."""
    answer = call(c5_parameters)
    expect_returned(answer, "the count")
    expected = lenet5()[6].num_parameters
    slips = {
        120 * 16 * 25: "you counted the weights but not the 120 biases.",
        120 * (25 + 1): "each C5 filter spans all 16 maps of S4: 16 x 5 x 5 weights per filter.",
        16 * 25 + 1: "that is one filter; C5 has 120 of them.",
        120 * (16 * 5 + 1): "the kernel is 5 x 5: 25 weights per map, not 5.",
        120 * 16 * 26: "one bias per filter, not one per input map.",
    }
    expect(answer == expected, f"c5_parameters() gave {answer}: " + slips.get(
        answer, "count one filter's weights (16 x 5 x 5), add its bias, and multiply by the 120 filters."))
    return (f"120 x (16 x 5 x 5) + 120 = {expected:,}: C5 holds most of LeNet-5's {lenet5().num_parameters:,} "
            "parameters, as the dense layer holds most of Lecture Ex. 3.1's.")
