"""gradcheck finds right backward passes right and wrong ones wrong."""
import numpy as np
import pytest

import cnnlab
import cnnlab.nn as nn
from cnnlab.gradcheck import GradcheckResult, numerical_gradient


def test_numerical_gradient_of_a_known_function():
    x = np.array([1.0, -2.0, 3.0])
    grad = numerical_gradient(lambda: float(np.sum(x ** 3)), x)
    np.testing.assert_allclose(grad, 3 * np.array([1.0, 4.0, 9.0]), rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])  # restored


def test_a_right_layer_passes_and_reports_every_array():
    result = cnnlab.gradcheck(nn.Linear(4, 3, rng=0), np.random.default_rng(0).normal(size=(2, 4)))
    assert isinstance(result, GradcheckResult) and result
    assert set(result.errors) == {"input", "weight", "bias"}
    assert result.max_error < 1e-8
    text = str(result)
    assert "backward is right" in text and "d/dweight: relative error" in text and "< 1e-06" in text


class WrongLinear(nn.Linear):
    """A classic mistake: the weight gradient transposed the wrong way and scaled by the batch size."""

    def backward(self, grad_output):
        grad_input = super().backward(grad_output)
        self.weight.grad = self.weight.grad / len(grad_output)
        return grad_input


class WrongReLU(nn.ReLU):
    def backward(self, grad_output):
        return grad_output  # forgot the derivative: the gradient of max(0, x) is 0 below 0


def test_wrong_backward_passes_are_caught():
    x = np.random.default_rng(1).normal(size=(3, 4))
    result = cnnlab.gradcheck(WrongLinear(4, 2, rng=0), x)
    assert not result and result.errors["weight"] > 1e-2 and result.errors["input"] < 1e-8
    assert "WRONG" in str(result)
    assert not cnnlab.gradcheck(WrongReLU(), x)


def test_gradcheck_works_on_float32_layers_without_changing_them():
    layer = nn.Conv2d(1, 2, 3, rng=0).float()
    before = layer.weight.data.copy()
    result = cnnlab.gradcheck(layer, np.random.default_rng(0).random((1, 1, 4, 4), dtype=np.float32))
    assert result
    assert layer.weight.dtype == np.float32 and np.array_equal(layer.weight.data, before)


def test_gradcheck_of_functional_ops_finds_the_backward_by_name():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(1, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    result = cnnlab.gradcheck(cnnlab.functional.conv2d, (x, w, b), stride=2, padding=1)
    assert result and set(result.errors) == {"input", "weight", "bias"}


def test_gradcheck_of_a_loss_module():
    rng = np.random.default_rng(0)
    result = cnnlab.gradcheck(nn.CrossEntropyLoss(), (rng.normal(size=(4, 5)), np.array([0, 4, 2, 2])))
    assert result and list(result.errors) == ["input"]
    assert cnnlab.gradcheck(nn.MSELoss(), (rng.normal(size=(3, 2)), rng.normal(size=(3, 2))))


def test_max_checks_samples_large_arrays():
    result = cnnlab.gradcheck(nn.Linear(50, 40, rng=0), np.random.default_rng(0).normal(size=(2, 50)), max_checks=20)
    assert result


def test_missing_backward_is_explained():
    with pytest.raises(ValueError, match="pass backward="):
        cnnlab.gradcheck(np.sin, np.ones(3))
    assert cnnlab.gradcheck(np.sin, np.linspace(0, 1, 5), backward=lambda g, x: g * np.cos(x))
