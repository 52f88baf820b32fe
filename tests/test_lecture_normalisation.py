"""The lecture's batch normalisation slides (seed 004) and dropout (seed 001), as notebook 07 shows them.

- Training: z_hat = (z - mu) / sqrt(sigma^2 + eps) with the batch's mean and variance, then a learnable
  scale and shift ("learnable parameters to get the optimal dist.").
- Test: z_hat = (z - E(z)) / sqrt(Var(z) + eps) with the running statistics from training.
- Dropout zeroes units in training only; inverted dropout keeps the expectation.
"""
import numpy as np
import pytest

from cnnlab import functional as F
from cnnlab import nn

# The notebook's batch by hand: mu = 3, sigma^2 = ((-2)^2 + (-1)^2 + 0 + 3^2) / 4 = 3.5.
Z = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [6.0, 60.0]])
Z_HAT = np.array([-2.0, -1.0, 0.0, 3.0]) / np.sqrt(3.5 + 1e-5)


def test_training_uses_the_batch_statistics():
    running_mean, running_var = np.zeros(2), np.ones(2)
    output = F.batch_norm(Z, running_mean, running_var, training=True)
    np.testing.assert_allclose(output[:, 0], Z_HAT, rtol=1e-12)
    np.testing.assert_allclose(Z_HAT, [-1.0690, -0.5345, 0.0, 1.6036], atol=1e-4)
    # Ten times the input, the same z_hat (up to eps): batch norm ignores the input's scale.
    np.testing.assert_allclose(output[:, 1], Z_HAT, atol=1e-5)
    # The running statistics moved 10 % of the way, with the unbiased variance (as PyTorch).
    np.testing.assert_allclose(running_mean, [0.3, 3.0], rtol=1e-12)
    np.testing.assert_allclose(running_var, [0.9 + 0.1 * 14 / 3, 0.9 + 0.1 * 1400 / 3], rtol=1e-12)


def test_test_mode_uses_the_running_statistics():
    layer = nn.BatchNorm1d(2)
    rng = np.random.default_rng(0)
    for _ in range(50):
        layer(rng.normal([5.0, -2.0], [2.0, 0.5], size=(16, 2)))
    layer.eval()
    output = layer(Z)
    expected = (Z - layer.running_mean) / np.sqrt(layer.running_var + layer.eps)
    np.testing.assert_allclose(output, expected, rtol=1e-12)
    np.testing.assert_allclose(layer.running_mean, [5.0, -2.0], atol=0.5)


def test_the_learnable_scale_and_shift_can_undo_the_normalisation():
    layer = nn.BatchNorm1d(2)
    layer.weight.data[:] = np.sqrt(Z.var(axis=0) + layer.eps)
    layer.bias.data[:] = Z.mean(axis=0)
    np.testing.assert_allclose(layer(Z), Z, atol=1e-12)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_inverted_dropout_keeps_the_expectation(p):
    x = np.full((500, 500), 2.0)
    y = F.dropout(x, p, training=True, rng=0)
    assert abs(np.mean(y == 0) - p) < 0.01
    np.testing.assert_allclose(y[y != 0], 2.0 / (1 - p))
    assert abs(y.mean() - 2.0) < 0.03
    np.testing.assert_array_equal(F.dropout(x, p, training=False), x)
