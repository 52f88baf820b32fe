"""Notebook 05's fast layers and Lecture Ex. 3.1 trained with the student's own layers (issue 12).

Each check accepts the right answer and names each typical mistake, computed as a student would make it.
"""
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import cnnlab.functional as F
from cnnlab import nn, optim
from cnnlab.datasets import load_mnist
from cnnlab.teaching.checks import FAILED, NOT_DONE, PASSED, RESULTS
from cnnlab.teaching.training import own_layers as own
from _teaching_helpers import outcome


# ------------------------------------------------------------------------------ right answers
def windows_of(x, kernel_shape, stride, padding):
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    return padded, sliding_window_view(padded, kernel_shape, axis=(2, 3))[:, :, ::stride, ::stride]


def conv2d_fast(x, weight, bias, stride=1, padding=0, flip=False, with_bias=True):
    _, windows = windows_of(x, weight.shape[2:], stride, padding)
    kernel = weight[..., ::-1, ::-1] if flip else weight
    out = np.einsum("ncyxij,fcij->nfyx", windows, kernel, optimize=True)
    return out + bias[:, None, None] if with_bias else out


def conv_stub(x, weight, bias, stride=1, padding=0):
    """The student version's stub: keyword arguments and all."""
    raise NotImplementedError("write it")


def conv2d_backward(grad_output, x, weight, stride=1, padding=0, mistake=None):
    padded, windows = windows_of(x, weight.shape[2:], stride, padding)
    grad_weight = np.einsum("nfyx,ncyxij->fcij", grad_output[:1] if mistake == "one image" else grad_output,
                            windows[:1] if mistake == "one image" else windows, optimize=True)
    grad_bias = {"mean": grad_output.mean(axis=(0, 2, 3)), "none": None}.get(mistake, grad_output.sum(axis=(0, 2, 3)))
    grad_padded = np.zeros(padded.shape)
    (kh, kw), (h_out, w_out) = weight.shape[2:], grad_output.shape[2:]
    for i in range(kh):
        for j in range(kw):
            grad_padded[:, :, i:i + stride * h_out:stride, j:j + stride * w_out:stride] += np.einsum(
                "nfyx,fc->ncyx", grad_output, weight[:, :, i, j], optimize=True)
    grad_input = grad_padded if mistake == "uncropped" else grad_padded[:, :, padding:padding + x.shape[2],
                                                                        padding:padding + x.shape[3]]
    return grad_input, grad_weight, grad_bias


def conv2d_backward_loops(grad_output, x, weight, stride=1, padding=0):
    """Right, but a Python loop over every output position."""
    padded, windows = windows_of(x, weight.shape[2:], stride, padding)
    grad_padded, grad_weight = np.zeros(padded.shape), np.zeros(weight.shape)
    kh, kw = weight.shape[2:]
    for n, f, y, x_ in np.ndindex(grad_output.shape):
        g = grad_output[n, f, y, x_]
        grad_weight[f] += g * windows[n, :, y, x_]
        grad_padded[n, :, y * stride:y * stride + kh, x_ * stride:x_ * stride + kw] += g * weight[f]
    return (grad_padded[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]], grad_weight,
            grad_output.sum(axis=(0, 2, 3)))


def blocks_of(x, k):
    n, c, h, w = x.shape
    return x[:, :, :h // k * k, :w // k * k].reshape(n, c, h // k, k, w // k, k)


def max_pool_forward(x, k, reduce=np.max):
    return reduce(blocks_of(x, k), axis=(3, 5))


def max_pool_backward(grad_output, x, k, share="first"):
    blocks = blocks_of(x, k)
    n, c, hk, _, wk, _ = blocks.shape
    if share == "first":
        flat = blocks.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, hk, wk, k * k)
        winners = np.eye(k * k)[flat.argmax(axis=-1)].reshape(n, c, hk, wk, k, k).transpose(0, 1, 2, 4, 3, 5)
    elif share == "every maximum":
        winners = blocks == blocks.max(axis=(3, 5), keepdims=True)
    else:  # the whole window
        winners = np.ones(blocks.shape)
    spread = (winners * grad_output[:, :, :, None, :, None]).reshape(n, c, hk * k, wk * k)
    grad_input = np.zeros(x.shape)
    grad_input[:, :, :hk * k, :wk * k] = spread
    return grad_input


def max_pool_forward_loops(x, k):
    out = np.zeros(x.shape[:2] + (x.shape[2] // k, x.shape[3] // k))
    for n, c, i, j in np.ndindex(out.shape):
        out[n, c, i, j] = x[n, c, i * k:i * k + k, j * k:j * k + k].max()
    return out


def relu_forward(x):
    return np.maximum(x, 0)


def relu_backward(grad_output, x):
    return grad_output * (x > 0)


def softmax_cross_entropy(scores, labels, stable=True, divide=True):
    shifted = scores - scores.max(axis=1, keepdims=True) if stable else scores
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(labels)
    grad = np.exp(log_softmax)
    grad[np.arange(n), labels] -= 1
    return -log_softmax[np.arange(n), labels].mean(), grad / n if divide else grad


# ------------------------------------------------------------------------------ 05.5 and 05.6
@pytest.mark.parametrize("answer, status, words", [
    (conv2d_fast, PASSED, "Python ran only"),
    (lambda x, w, b, stride=1, padding=0: conv2d_fast(x, w, b, stride, padding, flip=True), FAILED, "flipped"),
    (lambda x, w, b, stride=1, padding=0: conv2d_fast(x, w, b, stride, padding, with_bias=False), FAILED,
     "left out the bias"),
    (lambda x, w, b, stride=1, padding=0: conv2d_fast(x, w, b, 1, padding), FAILED, "forgot the stride"),
    (conv_stub, NOT_DONE, "write it"),
])
def test_conv2d_fast(answer, status, words, capsys):
    result, text = outcome(own.check_conv2d_fast, answer, capsys=capsys)
    assert result == status and words in text


def _backward_with(mistake):
    return lambda g, x, w, stride=1, padding=0: conv2d_backward(g, x, w, stride, padding, mistake)


@pytest.mark.parametrize("answer, status, words", [
    (_backward_with(None), PASSED, "Python ran only"),
    (_backward_with("one image"), FAILED, "one image's contribution only"),
    (_backward_with("mean"), FAILED, "grad_bias is a mean"),
    (_backward_with("none"), FAILED, "grad_bias is None"),
    (_backward_with("uncropped"), FAILED, "crop the padding back off"),
    (conv2d_backward_loops, FAILED, "still loops over them, too slow to train with"),
])
def test_conv2d_backward_fast(answer, status, words, capsys):
    result, text = outcome(own.check_conv2d_backward_fast, answer, capsys=capsys)
    assert result == status and words in text


# ------------------------------------------------------------------------------------ 05.7
@pytest.mark.parametrize("forward, backward, words", [
    (max_pool_forward, max_pool_backward, "the forward pass equals F.max_pool2d"),
    (lambda x, k: max_pool_forward(x, k, np.mean), max_pool_backward, "you took each window's average"),
    (max_pool_forward_loops, max_pool_backward, "it still loops over them"),
    (lambda x, k: F.max_pool2d(x, k, ceil_mode=True), max_pool_backward, "made windows of their own"),
    (max_pool_forward, lambda g, x, k: max_pool_backward(g, x, k, "whole window"), "only the maximum gets it"),
    (max_pool_forward, lambda g, x, k: max_pool_backward(g, x, k, "every maximum"), "to the first maximum only"),
])
def test_max_pool_fast(forward, backward, words, capsys):
    result, text = outcome(own.check_max_pool_fast, forward, backward, capsys=capsys)
    assert result == (PASSED if "equals" in words else FAILED) and words in text


# ------------------------------------------------------------------------------------ 05.8
@pytest.mark.parametrize("forward, backward, loss, words", [
    (relu_forward, relu_backward, softmax_cross_entropy, "scores of 1000 stay finite"),
    (relu_forward, lambda g, x: (x > 0).astype(float), softmax_cross_entropy, "the mask alone"),
    (relu_forward, lambda g, x: g, softmax_cross_entropy, "let every gradient through"),
    (relu_forward, lambda g, x: g * (x >= 0), softmax_cross_entropy, "not x >= 0"),
    (relu_forward, relu_backward, lambda s, t: softmax_cross_entropy(s, t, divide=False), "misses 1 / N"),
    (relu_forward, relu_backward, lambda s, t: softmax_cross_entropy(s, t, stable=False), "overflows"),
    (relu_forward, relu_backward, lambda s, t: softmax_cross_entropy(s, t)[1], "two things"),
])
def test_relu_and_cross_entropy(forward, backward, loss, words, capsys):
    result, text = outcome(own.check_relu_and_cross_entropy, forward, backward, loss, capsys=capsys)
    assert result == (PASSED if "finite" in words else FAILED) and words in text


# ------------------------------------------------------------------------------------ 05.9
class OwnConv2d(nn.Module):
    """The notebook's MyConv2d; ``weight_grad_scale`` makes a gradient that is wrong but close (it still learns)."""
    weight_grad_scale = 1.0

    def __init__(self, in_channels, out_channels, kernel_size, padding=0, rng=None, dtype=np.float32):
        super().__init__()
        library = nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding, rng=rng, dtype=dtype)
        self.weight, self.bias, self.padding = library.weight, library.bias, padding

    def forward(self, x):
        self._x = x
        return conv2d_fast(x, self.weight.data, self.bias.data, padding=self.padding).astype(x.dtype)

    def backward(self, grad_output):
        grad_x, grad_weight, grad_bias = conv2d_backward(grad_output, self._x, self.weight.data, padding=self.padding)
        self.weight.accumulate_grad(self.weight_grad_scale * grad_weight.astype(self.weight.dtype))
        self.bias.accumulate_grad(grad_bias.astype(self.bias.dtype))
        return grad_x.astype(grad_output.dtype)


class SlightlyWrongConv2d(OwnConv2d):
    weight_grad_scale = 1.02


class ForgetfulConv2d(OwnConv2d):
    def backward(self, grad_output):
        return conv2d_backward(grad_output, self._x, self.weight.data, padding=self.padding)[0]


def _layer(forward, backward):
    class Layer(nn.Module):
        def __init__(self, *args):
            super().__init__()
            self.args = args

        def forward(self, x):
            self._x = x
            return forward(x, *self.args).astype(x.dtype)

        def backward(self, grad_output):
            return backward(grad_output, self._x, *self.args).astype(grad_output.dtype)
    return Layer


def _loss(function):
    class Loss(nn.Module):
        def forward(self, scores, labels):
            loss, self._grad = function(scores, labels)
            return loss

        def backward(self, grad_output=None):
            return self._grad.astype(np.float32)
    return Loss


RIGHT = dict(conv=OwnConv2d, relu=_layer(relu_forward, relu_backward), pool=_layer(max_pool_forward, max_pool_backward),
             linear=nn.Linear, loss=_loss(softmax_cross_entropy), optimizer=optim.Adam)


@pytest.fixture(scope="module")
def digits():
    """A smaller slice than the notebook's 1,500 digits (6 steps), so a lower bar than its 80%."""
    (x, y), _ = load_mnist(test_size=2000, seed=0)
    x = (x - x.mean()) / x.std()
    return x[200:392], y[200:392], x[:200], y[:200]


@pytest.mark.parametrize("changes, words", [
    ({}, "every layer's output and gradient agrees"),
    ({"conv": SlightlyWrongConv2d}, "the gradient of weight in layer 3 (SlightlyWrongConv2d) differs"),
    ({"conv": ForgetfulConv2d}, "left weight.grad empty"),
    ({"relu": _layer(relu_forward, lambda g, x: g)}, "layer 4 (Layer) passes back to its input differs"),
    ({"pool": _layer(lambda x, k: max_pool_forward(x, k, np.mean), max_pool_backward)}, "output of layer 2 (Layer)"),
    ({"loss": _loss(lambda s, t: softmax_cross_entropy(s, t, divide=False))}, "the gradient your loss hands back"),
    ({"optimizer": lambda params, lr: optim.SGD(params, lr=lr)}, "differs from optim.Adam's"),
])
def test_own_layers(digits, changes, words, capsys):
    own.check_own_layers(*digits, {**RIGHT, **changes}, min_accuracy=0.3)
    result, text = RESULTS[own.check_own_layers.title], capsys.readouterr().out
    assert result == (FAILED if changes else PASSED) and words in text
