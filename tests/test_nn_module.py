"""Module bookkeeping (parameters, modes, state_dict, repr, summary) and nn.init."""
import io
import math

import numpy as np
import pytest

import cnnlab.nn as nn
from cnnlab.nn import init


def ex31(dtype=np.float64):
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, rng=0, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1, rng=1, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(784, 10, rng=2, dtype=dtype))


def test_parameter_names_and_counts_follow_pytorch():
    net = ex31()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"]
    # by hand: 8*1*3*3 + 8 = 80; 16*8*3*3 + 16 = 1168; 784*10 + 10 = 7850
    assert net.num_parameters == 80 + 1168 + 7850 == 9098


def test_summary_prints_the_shapes_through_the_network():
    out = io.StringIO()
    rows = nn.summary(ex31(), (1, 28, 28), file=out)
    assert [shape for _, _, shape, _ in rows] == [(1, 8, 28, 28), (1, 8, 28, 28), (1, 8, 14, 14), (1, 16, 14, 14),
                                                  (1, 16, 14, 14), (1, 16, 7, 7), (1, 784), (1, 10)]
    assert [count for *_, count in rows] == [80, 0, 0, 1168, 0, 0, 0, 7850]
    assert "9,098" in out.getvalue()


def test_repr_reads_like_pytorch():
    text = repr(ex31())
    assert "(0): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" in text
    assert "(2): MaxPool2d(kernel_size=2, stride=2, padding=0)" in text
    assert "(7): Linear(in_features=784, out_features=10, bias=True)" in text


@pytest.mark.torch
def test_repr_matches_torch_for_the_common_layers():
    torch = pytest.importorskip("torch")
    pairs = [(nn.Conv2d(1, 8, 3, padding=1, rng=0), torch.nn.Conv2d(1, 8, 3, padding=1)),
             (nn.Linear(784, 10, rng=0), torch.nn.Linear(784, 10)),
             (nn.ReLU(), torch.nn.ReLU()),
             (nn.Flatten(), torch.nn.Flatten())]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_state_dict_round_trip_and_errors():
    a, b = ex31(), ex31()
    for p in b.parameters():
        p.data[...] = 0
    b.load_state_dict(a.state_dict())
    for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    state = a.state_dict()
    state["0.weight"][...] = 5  # a copy: changing it leaves the model alone
    assert not np.any(a[0].weight.data == 5)
    with pytest.raises(KeyError, match="missing"):
        b.load_state_dict({"0.weight": state["0.weight"]})
    bad = a.state_dict()
    bad["7.bias"] = np.zeros(3)
    with pytest.raises(ValueError, match="7.bias"):
        b.load_state_dict(bad)


def test_state_dict_holds_batchnorm_buffers():
    net = nn.Sequential(nn.Conv2d(1, 2, 3, rng=0), nn.BatchNorm2d(2))
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"]
    state = net.state_dict()
    state["1.running_mean"] = np.array([1.0, 2.0])
    net.load_state_dict(state)
    np.testing.assert_array_equal(net[1].running_mean, [1.0, 2.0])


def test_train_and_eval_reach_every_layer():
    net = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Sequential(nn.Dropout(0.5), nn.BatchNorm1d(2)))
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_to_float32_and_back():
    net = ex31().float()
    assert all(p.dtype == np.float32 for p in net.parameters())
    net.double()
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert ex31(np.float32)[0].weight.dtype == np.float32


def test_sequential_rejects_a_class_instead_of_a_layer():
    with pytest.raises(TypeError, match=r"ReLU\(\)"):
        nn.Sequential(nn.Linear(2, 2, rng=0), nn.ReLU)


def test_seeded_layers_are_reproducible():
    np.testing.assert_array_equal(nn.Conv2d(3, 4, 5, rng=7).weight.data, nn.Conv2d(3, 4, 5, rng=7).weight.data)
    assert not np.array_equal(nn.Conv2d(3, 4, 5, rng=7).weight.data, nn.Conv2d(3, 4, 5, rng=8).weight.data)


# -------------------------------------------------------------------------------------------- init
def test_xavier_uniform_bound_is_the_lecture_r():
    weight = np.empty((300, 200))
    init.xavier_uniform_(weight, rng=0)
    r = math.sqrt(6 / (200 + 300))  # the lecture's r = sqrt(6 / (in + out)) = 0.1095...
    assert abs(weight).max() <= r
    assert abs(weight).max() > 0.999 * r  # 60,000 draws reach the edge
    assert weight.var() == pytest.approx(r ** 2 / 3, rel=0.02)  # Uniform(-r, r) has variance r^2 / 3


def test_xavier_uniform_for_a_convolution_counts_the_receptive_field():
    weight = np.empty((16, 8, 3, 3))
    init.xavier_uniform_(weight, rng=0)
    assert abs(weight).max() <= math.sqrt(6 / (8 * 9 + 16 * 9))


def test_default_layer_init_is_pytorchs_bound():
    layer = nn.Conv2d(8, 16, 3, rng=0)
    bound = 1 / math.sqrt(8 * 3 * 3)
    for p in (layer.weight.data, layer.bias.data):
        assert abs(p).max() <= bound
    assert abs(layer.weight.data).max() > 0.95 * bound
    assert layer.weight.data.var() == pytest.approx(bound ** 2 / 3, rel=0.15)
    t = nn.ConvTranspose2d(2, 5, 3, rng=0)  # fan_in = weight.shape[1] * 9 = 45, as PyTorch
    assert abs(t.weight.data).max() <= 1 / math.sqrt(45) and abs(t.bias.data).max() <= 1 / math.sqrt(45)


def test_kaiming_and_normal_statistics():
    w = np.empty((400, 250))
    init.kaiming_normal_(w, nonlinearity="relu", rng=0)
    assert w.std() == pytest.approx(math.sqrt(2 / 250), rel=0.02)
    init.kaiming_uniform_(w, nonlinearity="relu", rng=0)
    assert abs(w).max() <= math.sqrt(6 / 250)
    init.xavier_normal_(w, rng=0)
    assert w.std() == pytest.approx(math.sqrt(2 / 650), rel=0.02)
    init.normal_(w, 1.0, 0.5, rng=0)
    assert w.mean() == pytest.approx(1.0, abs=0.01)


def test_init_fills_in_place_and_keeps_dtype():
    p = nn.Parameter(np.empty((3, 4), dtype=np.float32))
    array = p.data
    assert init.zeros_(p) is p and p.data is array and not p.data.any()
    init.ones_(p)
    assert (p.data == 1).all() and p.dtype == np.float32
    init.uniform_(p, -2, 2, rng=np.random.default_rng(0))
    assert p.data.min() >= -2 and p.data.max() <= 2


@pytest.mark.torch
def test_calculate_gain_matches_torch():
    torch = pytest.importorskip("torch")
    for name, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))


def test_init_rejects_bad_arguments():
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(np.empty(5))
    with pytest.raises(TypeError, match="rng"):
        init.uniform_(np.empty(3), rng="seed")
    with pytest.raises(TypeError, match="floating-point"):
        init.zeros_([1, 2, 3])
