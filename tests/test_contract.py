"""The one contract of cnnlab.functional: Context, needs_input_grad, and the new flatten and linear ops."""
import numpy as np
import pytest

import cnnlab.functional as F
from _contract import backward_of
from _numgrad import assert_gradient


def test_flatten_forward_and_backward_give_the_shapes_back():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    flat, ctx = F.flatten_forward(x)
    np.testing.assert_array_equal(flat, x.reshape(2, 12))
    np.testing.assert_array_equal(F.flatten_backward(flat * 2, ctx), x * 2)
    assert F.flatten(x, start_dim=0).shape == (24,) and F.flatten(x, 1, 2).shape == (2, 6, 2)


def test_linear_is_x_times_w_transposed_plus_b_with_its_three_gradients():
    rng = np.random.default_rng(0)
    x, weight, bias = rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)
    output, ctx = F.linear_forward(x, weight, bias)
    np.testing.assert_allclose(output, x @ weight.T + bias)
    grad_output = rng.normal(size=(4, 2))
    grad_input, grad_weight, grad_bias = F.linear_backward(grad_output, ctx)
    assert_gradient(lambda v: F.linear(v, weight, bias), grad_input, x, grad_output)
    assert_gradient(lambda v: F.linear(x, v, bias), grad_weight, weight, grad_output)
    assert_gradient(lambda v: F.linear(x, weight, v), grad_bias, bias, grad_output)
    assert F.linear_backward(grad_output, F.linear_forward(x, weight)[1])[2] is None


@pytest.mark.torch
def test_linear_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, weight, bias, grad_output = (rng.normal(size=s) for s in ((5, 4), (3, 4), (3,), (5, 3)))
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
    expected = torch.nn.functional.linear(*tensors)
    expected.backward(torch.tensor(grad_output))
    np.testing.assert_allclose(F.linear(x, weight, bias), expected.detach().numpy(), rtol=1e-12)
    for ours, tensor in zip(backward_of("linear", grad_output, x, weight, bias), tensors):
        np.testing.assert_allclose(ours, tensor.grad.numpy(), rtol=1e-12)


def test_needs_input_grad_skips_exactly_the_gradients_not_needed():
    rng = np.random.default_rng(2)
    x, weight, bias = rng.normal(size=(2, 3, 6, 6)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    grad_output = rng.normal(size=(2, 4, 6, 6))
    full = backward_of("conv2d", grad_output, x, weight, bias, padding=1)
    for needs in [(False, True, True), (True, False, True), (True, True, False), (False, False, True)]:
        grads = backward_of("conv2d", grad_output, x, weight, bias, padding=1, needs_input_grad=needs)
        for needed, grad, expected in zip(needs, grads, full):
            if needed:
                np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-12)
            else:
                assert grad is None
    assert backward_of("relu", np.ones(3), np.ones(3), needs_input_grad=(False,)) is None


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.relu_backward(np.ones(3), np.ones(3)), TypeError,
     "relu_backward needs the ctx returned by relu_forward, got ndarray"),
    (lambda: F.relu_backward(np.ones(3), F.sigmoid_forward(np.ones(3))[1]), TypeError,
     "relu_backward needs the ctx returned by relu_forward, got one from sigmoid"),
    (lambda: F.conv2d_forward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), needs_input_grad=(True, False)), ValueError,
     r"needs_input_grad must hold one bool per input of conv2d \(input, weight, bias\), got \(True, False\)"),
    (lambda: F.linear(np.ones((2, 3)), np.ones((4, 2))), ValueError,
     r"input has 3 features but weight expects 2 \(weight shape \(4, 2\)\)"),
    (lambda: F.flatten(np.ones((2, 3)), start_dim=2), ValueError, "start_dim must be an axis of the 2-D input, got 2"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()
