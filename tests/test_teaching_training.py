"""The checks of notebook 05's exercises accept the solution and name the usual slips."""
import numpy as np
import pytest

import cnnlab.nn as nn
from cnnlab.teaching.checks import FAILED, NOT_DONE, PASSED, RESULTS
from cnnlab.teaching.exercises import training as ex


def outcome(check, function, capsys):
    check(function)
    return RESULTS[check.title], capsys.readouterr().out


def stub(*args):
    raise NotImplementedError("write it")


@pytest.mark.parametrize("answer, status, words", [
    (lambda i, o, k: o * (i * k * k + 1), PASSED, "= 80"),
    (lambda i, o, k: o * i * k * k, FAILED, "biases"),
    (lambda i, o, k: o * (k * k + 1), FAILED, "*every* input channel"),
    (lambda i, o, k: o * (i * k + 1), FAILED, "square the kernel size"),
    (stub, NOT_DONE, "write it"),
])
def test_conv_parameters(answer, status, words, capsys):
    result, text = outcome(ex.check_conv_parameters, answer, capsys)
    assert result == status and words in text


def _without(kind, replace_tail=None):
    def build(rng):
        layers = [layer for layer in ex.reference_network(rng).children() if not isinstance(layer, kind)]
        return nn.Sequential(*layers)
    return build


@pytest.mark.parametrize("build, status, words", [
    (ex.reference_network, PASSED, "9,098 parameters"),
    (_without(nn.Flatten), FAILED, "did you forget Flatten"),
    (_without(nn.ReLU), FAILED, "needs its ReLU"),
    (lambda rng: nn.Sequential(*list(ex.reference_network(rng).children())[:5], nn.Flatten(), nn.Linear(784, 10)),
     FAILED, "second MaxPool2d"),
    (lambda rng: None, FAILED, "return"),
])
def test_build_network(build, status, words, capsys):
    result, text = outcome(ex.check_build_network, build, capsys)
    assert result == status and words in text


def good(model, loss_fn, optimizer, x, y):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    model.backward(loss_fn.backward())
    optimizer.step()
    return loss


def no_zero_grad(model, loss_fn, optimizer, x, y):
    loss = loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    optimizer.step()
    return loss


def late_zero_grad(model, loss_fn, optimizer, x, y):
    loss = loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    optimizer.zero_grad()
    optimizer.step()
    return loss


def no_step(model, loss_fn, optimizer, x, y):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    model.backward(loss_fn.backward())
    return loss


def loss_after_step(model, loss_fn, optimizer, x, y):
    good(model, loss_fn, optimizer, x, y)
    return loss_fn(model(x), y)


@pytest.mark.parametrize("step, status, words", [
    (good, PASSED, "loss fell"),
    (no_zero_grad, FAILED, "zero_grad() before backward"),
    (late_zero_grad, FAILED, "*after* backward"),
    (no_step, FAILED, "optimizer.step()"),
    (loss_after_step, FAILED, "before the step"),
    (lambda *args: None, FAILED, "returned None"),
])
def test_train_step(step, status, words, capsys):
    result, text = outcome(ex.check_train_step, step, capsys)
    assert result == status and words in text


def test_reference_network_is_the_notebooks():
    net = ex.reference_network()
    assert net.num_parameters == 9098 and net(np.zeros((1, 1, 28, 28), np.float32)).shape == (1, 10)
