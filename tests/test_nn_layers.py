"""Every layer's backward: numerical gradient checks over random shapes, and PyTorch's autograd.

For each layer, gradcheck compares the input gradient and every parameter's gradient with centred
differences; the torch tests load the same weights into the matching torch layer and compare outputs,
input gradients and parameter gradients.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import cnnlab.nn as nn
from cnnlab import gradcheck

SETTINGS = settings(max_examples=30, deadline=None)


def rand(rng, *shape):
    return rng.standard_normal(shape)


# ------------------------------------------------------------------ layers built from drawn settings
@st.composite
def conv_case(draw):
    kernel = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 2))
    padding = draw(st.integers(0, 1))
    size = draw(st.integers(max(kernel, 2), 6))
    layer = nn.Conv2d(draw(st.integers(1, 3)), draw(st.integers(1, 3)), kernel, stride, padding,
                      bias=draw(st.booleans()), rng=draw(st.integers(0, 99)))
    return layer, (draw(st.integers(1, 2)), layer.in_channels, size, size)


@st.composite
def conv_transpose_case(draw):
    kernel = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 2))
    padding = draw(st.integers(0, (kernel - 1) // 2))
    output_padding = draw(st.integers(0, stride - 1))
    size = draw(st.integers(2, 4))
    layer = nn.ConvTranspose2d(draw(st.integers(1, 3)), draw(st.integers(1, 3)), kernel, stride, padding,
                               output_padding, bias=draw(st.booleans()), rng=draw(st.integers(0, 99)))
    return layer, (draw(st.integers(1, 2)), layer.in_channels, size, size)


@st.composite
def pool_case(draw):
    kernel = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, kernel // 2))
    size = draw(st.integers(kernel, 6))
    kind = draw(st.sampled_from([nn.MaxPool2d, nn.AvgPool2d]))
    return kind(kernel, stride, padding), (draw(st.integers(1, 2)), draw(st.integers(1, 3)), size, size)


@st.composite
def elementwise_case(draw):
    layer = draw(st.sampled_from([nn.ReLU(), nn.LeakyReLU(0.1), nn.ELU(0.7), nn.Sigmoid(), nn.Tanh(), nn.Flatten()]))
    return layer, tuple(draw(st.lists(st.integers(1, 4), min_size=2, max_size=4)))


@st.composite
def linear_case(draw):
    layer = nn.Linear(draw(st.integers(1, 5)), draw(st.integers(1, 5)), bias=draw(st.booleans()),
                      rng=draw(st.integers(0, 99)))
    return layer, (draw(st.integers(1, 4)), layer.in_features)


@st.composite
def batchnorm_case(draw):
    channels = draw(st.integers(1, 3))
    if draw(st.booleans()):
        return nn.BatchNorm2d(channels), (draw(st.integers(2, 3)), channels, draw(st.integers(1, 3)), 2)
    # at least 3 values per channel: with 2, the output is +-1 whatever the input, and the gradient ~0
    return nn.BatchNorm1d(channels), (draw(st.integers(3, 5)), channels)


@st.composite
def upsample_case(draw):
    mode = draw(st.sampled_from(["nearest", "bilinear"]))
    layer = nn.Upsample(scale_factor=draw(st.integers(1, 3)), mode=mode,
                        align_corners=draw(st.booleans()) if mode == "bilinear" else None)
    return layer, (1, draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(1, 4)))


ALL_CASES = st.one_of(conv_case(), conv_transpose_case(), pool_case(), elementwise_case(), linear_case(),
                      batchnorm_case(), upsample_case())


@SETTINGS
@given(case=ALL_CASES, seed=st.integers(0, 2**16))
def test_every_layer_passes_gradcheck(case, seed):
    layer, shape = case
    x = rand(np.random.default_rng(seed), *shape)
    if isinstance(layer, nn.MaxPool2d):
        x = np.random.default_rng(seed).permutation(x.size).reshape(shape) / x.size  # distinct values: no ties
    result = gradcheck(layer, x, seed=seed)
    assert result, str(result)


def test_gradcheck_of_sequential_network_checks_every_parameter():
    rng = np.random.default_rng(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(8, 3, rng=1), nn.Tanh())
    result = gradcheck(net, rng.permutation(16).reshape(1, 1, 4, 4) / 16 - 0.3)
    assert set(result.errors) == {"input", "0.weight", "0.bias", "4.weight", "4.bias"}
    assert result, str(result)


def test_dropout_backward_lets_gradient_through_the_kept_units_only():
    layer = nn.Dropout(0.5, rng=0)
    x = np.ones((4, 50))
    out = layer(x)
    kept = out != 0
    assert set(np.unique(out)) == {0.0, 2.0}
    grad = layer.backward(np.full_like(x, 3.0))
    np.testing.assert_array_equal(grad, np.where(kept, 6.0, 0.0))
    layer.eval()
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)


def test_batchnorm_eval_uses_running_statistics():
    layer = nn.BatchNorm2d(2)
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(8, 2, 4, 4))
    layer(x)
    np.testing.assert_allclose(layer.running_mean, 0.1 * x.mean(axis=(0, 2, 3)))
    np.testing.assert_allclose(layer.running_var, 0.9 + 0.1 * x.var(axis=(0, 2, 3), ddof=1))
    layer.eval()
    expected = (x - layer.running_mean[:, None, None]) / np.sqrt(layer.running_var[:, None, None] + 1e-5)
    np.testing.assert_allclose(layer(x), expected)


def test_batchnorm_backward_in_eval_mode_treats_the_statistics_as_constants():
    layer = nn.BatchNorm2d(3)
    rng = np.random.default_rng(0)
    layer(rng.normal(size=(4, 3, 2, 2)))
    layer.weight.data[:] = [0.5, 2.0, -1.0]
    layer.eval()
    result = gradcheck(layer, rng.normal(size=(2, 3, 2, 2)))
    assert result, str(result)


def test_gradients_accumulate_until_zero_grad():
    layer = nn.Linear(3, 2, rng=0)
    x = np.random.default_rng(1).normal(size=(4, 3))
    g = np.ones((4, 2))
    layer(x)
    layer.backward(g)
    once = layer.weight.grad.copy()
    layer(x)
    layer.backward(g)
    np.testing.assert_allclose(layer.weight.grad, 2 * once)
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None


def test_float32_layers_keep_float32():
    net = nn.Sequential(nn.Conv2d(1, 2, 3, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(2, 3, rng=0)).float()
    net.needs_input_grad = True  # a network's input is data and gets no gradient unless asked for
    x = np.random.default_rng(0).random((2, 1, 4, 4), dtype=np.float32)
    out = net(x)
    assert out.dtype == np.float32
    assert net.backward(np.ones_like(out)).dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in net.parameters())


def test_linear_explains_a_missing_flatten():
    with pytest.raises(ValueError, match="did you forget Flatten"):
        nn.Linear(784, 10, rng=0)(np.zeros((2, 16, 7, 7)))


def test_conv_explains_a_channel_mismatch():
    with pytest.raises(ValueError, match="expected 3 input channels"):
        nn.Conv2d(3, 4, 3, rng=0)(np.zeros((1, 1, 5, 5)))


def test_backward_before_forward_is_explained():
    for layer in [nn.Linear(2, 2, rng=0), nn.Conv2d(1, 1, 1, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()]:
        with pytest.raises(RuntimeError, match="forward"):
            layer.backward(np.zeros((1, 1, 1, 1)))


# ------------------------------------------------------------------------------------ against PyTorch
def _to_torch(layer, torch):
    """The matching torch layer, with the same weights."""
    twin = _torch_twin_with_parameters(layer, torch.nn, torch.float64)
    if twin is None:
        twin = _torch_twin_without_parameters(layer, torch.nn)
    state = {k: torch.from_numpy(np.array(v)) for k, v in layer.state_dict().items()}
    twin.load_state_dict(state, strict=False)
    return twin


def _torch_twin_with_parameters(layer, t, float64):
    """The torch layer for a cnnlab layer with weights (convolution, linear, batch norm), else None."""
    bias = getattr(layer, "bias", None) is not None
    if isinstance(layer, nn.Conv2d):
        return t.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride, layer.padding,
                        bias=bias, dtype=float64)
    if isinstance(layer, nn.ConvTranspose2d):
        return t.ConvTranspose2d(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride,
                                 layer.padding, layer.output_padding, bias=bias, dtype=float64)
    if isinstance(layer, nn.Linear):
        return t.Linear(layer.in_features, layer.out_features, bias=bias, dtype=float64)
    if isinstance(layer, nn.BatchNorm2d):
        return t.BatchNorm2d(layer.num_features, dtype=float64)
    if isinstance(layer, nn.BatchNorm1d):
        return t.BatchNorm1d(layer.num_features, dtype=float64)
    return None


def _torch_twin_without_parameters(layer, t):
    """The torch layer for a cnnlab layer without weights, with the same settings."""
    if isinstance(layer, nn.MaxPool2d):
        return t.MaxPool2d(layer.kernel_size, layer.stride, layer.padding, ceil_mode=layer.ceil_mode)
    if isinstance(layer, nn.AvgPool2d):
        return t.AvgPool2d(layer.kernel_size, layer.stride, layer.padding, ceil_mode=layer.ceil_mode)
    if isinstance(layer, nn.Upsample):
        return t.Upsample(scale_factor=layer.scale_factor, mode=layer.mode, align_corners=layer.align_corners)
    if isinstance(layer, nn.LeakyReLU):
        return t.LeakyReLU(layer.negative_slope)
    if isinstance(layer, nn.ELU):
        return t.ELU(layer.alpha)
    return getattr(t, type(layer).__name__)()


@pytest.mark.torch
@SETTINGS
@given(case=ALL_CASES, seed=st.integers(0, 2**16))
def test_every_layer_matches_torch_autograd(case, seed):
    torch = pytest.importorskip("torch")
    layer, shape = case
    rng = np.random.default_rng(seed)
    x = rand(rng, *shape)
    if isinstance(layer, nn.MaxPool2d):
        x = rng.permutation(x.size).reshape(shape) / x.size
    twin = _to_torch(layer, torch)
    tx = torch.tensor(x, requires_grad=True)
    out = layer(x)
    tout = twin(tx)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rand(rng, *out.shape)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_allclose(layer.backward(g), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    torch_grads = dict(twin.named_parameters())
    for name, parameter in layer.named_parameters():
        np.testing.assert_allclose(parameter.grad, torch_grads[name].grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=name)
    for name, buffer in layer.named_buffers():
        np.testing.assert_allclose(buffer, dict(twin.named_buffers())[name].numpy(), rtol=1e-12, err_msg=name)


@pytest.mark.torch
def test_ex31_network_matches_torch_in_float32():
    torch = pytest.importorskip("torch")
    net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(8, 16, 3, padding=1, rng=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(784, 10, rng=2)).float()
    t = torch.nn
    twin = t.Sequential(t.Conv2d(1, 8, 3, padding=1), t.ReLU(), t.MaxPool2d(2), t.Conv2d(8, 16, 3, padding=1),
                        t.ReLU(), t.MaxPool2d(2), t.Flatten(), t.Linear(784, 10))
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    x = np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32)
    y = np.array([0, 3, 9, 1])
    loss_fn = nn.CrossEntropyLoss()
    loss = loss_fn(net(x), y)
    net.backward(loss_fn.backward())
    tloss = t.CrossEntropyLoss()(twin(torch.from_numpy(x)), torch.from_numpy(y))
    tloss.backward()
    assert float(loss) == pytest.approx(tloss.item(), rel=1e-5)
    for name, p in net.named_parameters():
        np.testing.assert_allclose(p.grad, dict(twin.named_parameters())[name].grad.numpy(), rtol=1e-3, atol=1e-6)


# ------------------------------------------------------------------------------------------- losses
def _loss_case(name, rng, shape):
    x = rng.normal(size=shape)
    if name == "CrossEntropyLoss":
        return x, rng.integers(0, shape[1], shape[0])
    if name == "BCELoss":
        return 1 / (1 + np.exp(-x)), rng.random(shape)
    return x, rng.random(shape) if name == "BCEWithLogitsLoss" else rng.normal(size=shape)


LOSSES = ["CrossEntropyLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss"]


@SETTINGS
@given(name=st.sampled_from(LOSSES), reduction=st.sampled_from(["mean", "sum", "none"]),
       shape=st.tuples(st.integers(1, 4), st.integers(2, 4)), seed=st.integers(0, 2**16))
def test_every_loss_passes_gradcheck(name, reduction, shape, seed):
    x, target = _loss_case(name, np.random.default_rng(seed), shape)
    result = gradcheck(getattr(nn, name)(reduction=reduction), (x, target), seed=seed)
    assert result, str(result)


@pytest.mark.torch
@SETTINGS
@given(name=st.sampled_from(LOSSES), reduction=st.sampled_from(["mean", "sum", "none"]),
       shape=st.tuples(st.integers(1, 4), st.integers(2, 4)), seed=st.integers(0, 2**16))
def test_every_loss_matches_torch(name, reduction, shape, seed):
    torch = pytest.importorskip("torch")
    x, target = _loss_case(name, np.random.default_rng(seed), shape)
    ours = getattr(nn, name)(reduction=reduction)
    theirs = getattr(torch.nn, name)(reduction=reduction)
    tx = torch.tensor(x, requires_grad=True)
    loss, tloss = ours(x, target), theirs(tx, torch.from_numpy(target))
    np.testing.assert_allclose(loss, tloss.detach().numpy(), rtol=1e-10)
    upstream = np.random.default_rng(seed).normal(size=np.shape(loss))
    tloss.backward(torch.from_numpy(np.asarray(upstream)))
    np.testing.assert_allclose(ours.backward(upstream), tx.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_loss_backward_defaults_to_the_gradient_of_the_loss_itself():
    rng = np.random.default_rng(0)
    x, target = rng.normal(size=(4, 3)), np.array([0, 2, 1, 1])
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(x, target)
    probabilities = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss_fn.backward(), (probabilities - np.eye(3)[target]) / 4)  # (y - t) / N
    with pytest.raises(RuntimeError, match="forward"):
        nn.MSELoss().backward()


def test_sequential_can_skip_the_input_gradient_with_the_same_weight_gradients():
    rng = np.random.default_rng(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0), nn.ReLU(), nn.Flatten(), nn.Linear(32, 3, rng=1))
    x, g = rng.normal(size=(2, 1, 4, 4)), rng.normal(size=(2, 3))
    net.needs_input_grad = True
    net(x)
    assert net.backward(g).shape == x.shape
    full = [p.grad.copy() for p in net.parameters()]
    net.zero_grad()
    net.needs_input_grad = False  # the default: a network's input is data, as in a plain training loop
    net(x)
    assert net.backward(g) is None
    for p, expected in zip(net.parameters(), full):
        np.testing.assert_array_equal(p.grad, expected)
    linear_first = nn.Sequential(nn.Linear(3, 2, rng=0))  # any first layer skips it, not only a convolution
    linear_first(rng.normal(size=(4, 3)))
    assert linear_first.backward(np.ones((4, 2))) is None
    assert linear_first[0].weight.grad.shape == (2, 3)


def test_a_layer_on_its_own_returns_its_input_gradient_and_frozen_parameters_get_none():
    layer = nn.Conv2d(1, 2, 3, rng=0)
    x = np.random.default_rng(1).normal(size=(2, 1, 5, 5))
    layer(x)
    assert layer.backward(np.ones((2, 2, 3, 3))).shape == x.shape
    layer.zero_grad()
    layer.weight.requires_grad = False
    layer(x)
    assert layer._ctx.needs_input_grad == (True, False, True)
    layer.backward(np.ones((2, 2, 3, 3)))
    assert layer.weight.grad is None and layer.bias.grad.shape == (2,)
