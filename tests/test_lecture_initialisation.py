"""The lecture's initialisation slides (seed 003), computed by cnnlab.

- "All weights = 0? No learning. All outputs are 0. Errors are not backpropagated. No updates."
- "Initialize to small random values to break symmetry. Recommended: sample from Uniform(-r, r),
  r = sqrt(6 / (in + out))."
"""
import math

import numpy as np
import pytest

from cnnlab import nn, optim
from cnnlab.nn import init

# Worked example used in notebook 06: the output layer of an MNIST network, 784 inputs and 10 outputs.
# sqrt(6 / 794) = 0.08692913816996..., which rounds to 0.0869 (not 0.0870).
R_784_10 = 0.0869291381699617


def test_lecture_range_for_784_inputs_and_10_outputs():
    assert math.sqrt(6 / (784 + 10)) == pytest.approx(R_784_10, rel=1e-15)
    weight = init.xavier_uniform_(np.empty((10, 784)), rng=np.random.default_rng(0))
    # 7,840 draws of Uniform(-r, r): the extremes sit within 0.1 % of r, never beyond it.
    assert np.abs(weight).max() <= R_784_10
    assert np.abs(weight).max() > 0.999 * R_784_10
    assert weight.min() < -0.999 * R_784_10
    assert weight.std() == pytest.approx(R_784_10 / math.sqrt(3), rel=0.03)


def test_lecture_range_for_a_convolution_counts_the_receptive_field():
    # 6 filters of 5x5 over 3 channels: in = 3 * 25 = 75, out = 6 * 25 = 150, r = sqrt(6 / 225).
    weight = init.xavier_uniform_(np.empty((6, 3, 5, 5)), rng=np.random.default_rng(1))
    r = math.sqrt(6 / 225)
    assert np.abs(weight).max() <= r
    assert np.abs(weight).max() > 0.99 * r


def _small_cnn(fill):
    """Conv(1->4, 3x3) -> ReLU -> Flatten -> Linear(4*6*6 -> 3), every weight and bias set by ``fill``."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, rng=rng), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3, rng=rng))
    for parameter in model.parameters():
        fill(parameter)
    return model


def _train(model, steps=5, lr=0.5):
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 1, size=(32, 1, 8, 8))
    labels = rng.integers(0, 3, size=32)
    loss_fn, optimizer = nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=lr)
    losses, conv_grads = [], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        model.backward(loss_fn.backward())
        conv_grads.append(model[0].weight.grad.copy())
        optimizer.step()
        losses.append(float(loss))
    return losses, conv_grads


def _max_filter_difference(weight):
    return float(np.abs(weight - weight[:1]).max())


def test_all_zero_weights_do_not_learn():
    model = _small_cnn(init.zeros_)
    losses, conv_grads = _train(model)
    # "Errors are not backpropagated": the hidden (convolution) weights get exactly zero gradient ...
    assert all(np.array_equal(g, np.zeros_like(g)) for g in conv_grads)
    # ... so "no updates": every filter is still all zeros, and the dense weights too.
    assert np.array_equal(model[0].weight.data, np.zeros((4, 1, 3, 3)))
    assert np.array_equal(model[3].weight.data, np.zeros((3, 144)))
    # The first loss is that of uniform guessing, ln 3; only the output bias can move it afterwards.
    assert losses[0] == pytest.approx(math.log(3), rel=1e-12)


def test_constant_weights_keep_every_filter_identical_while_the_loss_moves():
    model = _small_cnn(lambda p: init.constant_(p, 0.05))
    losses, conv_grads = _train(model)
    assert any(np.abs(g).max() > 0 for g in conv_grads)  # gradients flow, unlike all zeros ...
    assert _max_filter_difference(model[0].weight.data) < 1e-12  # ... but every filter gets the same update
    assert abs(losses[-1] - losses[0]) > 1e-3


def test_small_random_weights_break_the_symmetry():
    model = _small_cnn(lambda p: p)  # the layers' default random initialisation
    _train(model)
    assert _max_filter_difference(model[0].weight.data) > 1e-2


def test_relu_halves_the_variance_so_the_std_shrinks_by_about_0_71_per_layer():
    """Notebook 06: with Xavier's n_in Var(W) = 1, ReLU halves the second moment of the signal each layer.

    E[ReLU(z)^2] = E[z^2] / 2 for a symmetric z, and the next pre-activation's variance is that second moment,
    so the variance halves and the standard deviation shrinks by sqrt(1/2) = 0.707, not by 1/2.
    """
    rng = np.random.default_rng(0)  # the notebook's stack: 1,000 inputs, 10 layers of width 256
    x = rng.standard_normal((1000, 256))
    stds, second_moments = [], []
    for _ in range(10):
        layer = nn.Linear(256, 256, rng=rng)
        init.zeros_(layer.bias)
        init.xavier_uniform_(layer.weight, rng=rng)
        x = nn.ReLU()(layer(x))
        stds.append(x.std())
        second_moments.append(np.mean(x ** 2))
    std_factor = (stds[-1] / stds[0]) ** (1 / 9)
    moment_factor = (second_moments[-1] / second_moments[0]) ** (1 / 9)
    assert round(std_factor, 2) == 0.71 and abs(std_factor - math.sqrt(0.5)) < 0.02
    assert round(moment_factor, 2) == 0.51 and abs(moment_factor - 0.5) < 0.02
