"""nn/chain.py: a layer after a ReLU or a max pooling skips the finite check of its input (and, backward, of
its gradient), and every array that could hold a new NaN or infinity is still checked."""
import numpy as np
import pytest

from cnnlab import nn
from cnnlab._validate import all_finite, known_finite
from cnnlab.nn import chain


def test_a_known_finite_array_is_not_read_and_the_trust_ends_with_the_block():
    bad = np.array([1.0, np.nan])
    with known_finite(bad):
        assert all_finite(bad)  # not read: the caller vouched for it
        assert not all_finite(bad.copy())  # any other array is read
    assert not all_finite(bad)


@pytest.mark.parametrize("layer, keeps", [
    (nn.ReLU(), True), (nn.MaxPool2d(2), True), (nn.MaxPool2d(3, stride=2), False),
    (nn.Flatten(), False),  # checks nothing itself: what it passes on was never read
    (nn.Conv2d(1, 1, 3), False), (nn.Linear(2, 2), False), (nn.LeakyReLU(5.0), False), (nn.AvgPool2d(2), False),
])
def test_only_layers_whose_outputs_are_their_inputs_values_keep_finite(layer, keeps):
    assert chain.keeps_finite(layer) == keeps


def _network():
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(2 * 2 * 2, 3, rng=1))


def test_nan_in_the_images_is_still_named():
    x = np.ones((2, 1, 4, 4))
    x[1, 0, 2, 2] = np.nan
    with pytest.raises(ValueError, match="input contains NaN or infinity"):
        _network()(x)


def test_an_overflow_inside_the_network_is_still_caught_by_the_layer_after_it():
    """A convolution can overflow to infinity (it sums): the ReLU after it checks its input."""
    net = _network()
    net[0].weight.data[...] = 1e308
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ValueError, match="input contains NaN"):
        net(np.full((2, 1, 4, 4), 1e308))


def test_an_overflowing_gradient_is_still_caught_in_backward():
    """The dense layer's input gradient overflows; the flatten passes it on unread; the pooling checks it."""
    net = _network()
    net(np.ones((2, 1, 4, 4)))
    net[4].weight.data[...] = 1e308
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ValueError, match="grad_output contains NaN"):
        net.backward(np.full((2, 3), 1e308))


def test_the_chain_gives_the_numbers_of_the_layers_called_one_by_one():
    net, x = _network(), np.random.default_rng(0).standard_normal((2, 1, 4, 4))
    grad = np.random.default_rng(1).standard_normal((2, 3))
    output, grad_input = net(x), None
    net.needs_input_grad = True
    output = net(x)
    grad_input = net.backward(grad)
    h = x
    for layer in net:
        h = layer(h)
    g = grad
    for layer in reversed(list(net)):
        g = layer.backward(g)
    np.testing.assert_array_equal(output, h)
    np.testing.assert_array_equal(grad_input, g)
