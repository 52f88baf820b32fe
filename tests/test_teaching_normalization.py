"""The checks of notebook 07 accept right answers, name typical wrong ones, report stubs; its plots draw headless."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlab.teaching import checks  # noqa: E402
from cnnlab.teaching.normalization import exercises as ex  # noqa: E402
from cnnlab.teaching.normalization import plots  # noqa: E402
from _teaching_helpers import outcome, stub  # noqa: E402


# -- 07.1 batch norm forward ----------------------------------------------------------------------
def right_batch_norm(z, gamma, beta, eps):
    return gamma * (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + eps) + beta


def test_batch_norm_right(capsys):
    assert outcome(ex.check_batch_norm_forward, right_batch_norm, capsys=capsys)[0] == checks.PASSED


@pytest.mark.parametrize("wrong, words", [
    (lambda z, g, b, e: g * (z - z.mean(0)) / np.sqrt(z.var(0, ddof=1) + e) + b, "unbiased"),
    (lambda z, g, b, e: g * (z - z.mean(1, keepdims=True)) / np.sqrt(z.var(1, keepdims=True) + e) + b, "axis=1"),
    (lambda z, g, b, e: (z - z.mean(0)) / np.sqrt(z.var(0) + e), "gamma * z_hat + beta"),
    (lambda z, g, b, e: b * (z - z.mean(0)) / np.sqrt(z.var(0) + e) + g, "swapped"),
    (lambda z, g, b, e: g * (z - z.mean(0)) / (np.sqrt(z.var(0)) + e) + b, "under the square root"),
    (lambda z, g, b, e: g * (z - z.mean(0)) / (z.var(0) + e) + b, "not by the variance"),
    (lambda z, g, b, e: g * z / np.sqrt(z.var(0) + e) + b, "subtract the batch mean"),
    (lambda z, g, b, e: g * (z - z.mean(0)) / np.sqrt(z.var(0)) + b, "forgot eps"),
    (lambda z, g, b, e: z[:2], "shape"),
    (lambda z, g, b, e: None, "return"),
])
def test_batch_norm_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_batch_norm_forward, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text, text


def test_batch_norm_stub(capsys):
    assert outcome(ex.check_batch_norm_forward, stub, capsys=capsys)[0] == checks.NOT_DONE


# -- 07.2 running statistics ----------------------------------------------------------------------
def right_update(running_mean, running_var, z, momentum):
    return ((1 - momentum) * running_mean + momentum * z.mean(axis=0),
            (1 - momentum) * running_var + momentum * z.var(axis=0, ddof=1))


def test_running_right(capsys):
    assert outcome(ex.check_update_running_stats, right_update, capsys=capsys)[0] == checks.PASSED


@pytest.mark.parametrize("wrong, words", [
    (lambda m, v, z, k: (k * m + (1 - k) * z.mean(0), k * v + (1 - k) * z.var(0, ddof=1)), "wrong way round"),
    (lambda m, v, z, k: (z.mean(0), z.var(0, ddof=1)), "batch mean"),
    (lambda m, v, z, k: ((1 - k) * m + k * z.mean(0), (1 - k) * v + k * z.var(0)), "unbiased"),
    (lambda m, v, z, k: ((1 - k) * m + k * z.mean(0), (1 - k) * v + k * z.std(0, ddof=1)), "standard deviation"),
    (lambda m, v, z, k: ((1 - k) * m + k * z.mean(1), v), "(3,)"),
    (lambda m, v, z, k: [m, v], "pair"),
])
def test_running_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_update_running_stats, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text, text


def test_running_stub(capsys):
    assert outcome(ex.check_update_running_stats, stub, capsys=capsys)[0] == checks.NOT_DONE


# -- 07.3 inverted dropout -----------------------------------------------------------------------
def right_dropout(x, p, rng):
    return x * (rng.random(x.shape) >= p) / (1 - p)


def test_dropout_right(capsys):
    assert outcome(ex.check_inverted_dropout, right_dropout, capsys=capsys)[0] == checks.PASSED


@pytest.mark.parametrize("wrong, words", [
    (lambda x, p, rng: x * (rng.random(x.shape) < p) / (1 - p), "probability of *dropping*"),
    (lambda x, p, rng: x * (rng.random(x.shape) >= p), "unchanged"),
    (lambda x, p, rng: x * (rng.random(x.shape) >= p) * (1 - p), "multiplied by 1 - p"),
    (lambda x, p, rng: x * (rng.random((x.shape[0], 1)) >= p) / (1 - p), "whole rows"),
    (lambda x, p, rng: x * (np.random.default_rng().random(x.shape) >= p) / (1 - p), "rng"),
    (lambda x, p, rng: x.copy(), "nothing was zeroed"),
    (lambda x, p, rng: x[:, :10], "shape"),
])
def test_dropout_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_inverted_dropout, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text, text


def test_dropout_stub(capsys):
    assert outcome(ex.check_inverted_dropout, stub, capsys=capsys)[0] == checks.NOT_DONE


# -- plots draw headless and return a figure -----------------------------------------------------
def test_plots_draw():
    rng = np.random.default_rng(0)
    z = rng.normal(5, 2, size=(64, 3))
    x = rng.uniform(0, 1, size=(8, 16))
    figures = [
        plots.plot_batch_norm_modes(z, (z - z.mean(0)) / z.std(0), (z - 4.8) / 2.1, feature=1),
        plots.plot_dropout(x, x * (rng.random(x.shape) > 0.5) * 2, x),
        plots.plot_train_test_accuracy({"no dropout": (1.0, 0.85), "dropout 0.5": (0.99, 0.88)}),
        plots.plot_running_statistics(rng.normal(5, 0.3, 50), np.linspace(0, 5, 50), 5.0, batch_size=16),
    ]
    for fig in figures:
        assert isinstance(fig, matplotlib.figure.Figure)
        fig.canvas.draw()
    plt.close("all")


def test_batch_norm_modes_needs_a_matrix():
    with pytest.raises(ValueError, match=r"\(N, D\)"):
        plots.plot_batch_norm_modes(np.ones(5), np.ones(5), np.ones(5))


@pytest.mark.torch
def test_the_answers_the_checks_accept_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    z = rng.normal(3.0, 2.0, size=(8, 3))
    gamma, beta = np.array([2.0, 0.5, -1.0]), np.array([0.1, 3.0, -2.0])
    layer = torch.nn.BatchNorm1d(3, momentum=0.1, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma))
        layer.bias.copy_(torch.from_numpy(beta))
        layer.running_mean.copy_(torch.tensor([0.5, -1.0, 0.0]))
        layer.running_var.copy_(torch.tensor([2.0, 1.0, 0.5]))
        expected = layer.train()(torch.from_numpy(z)).numpy()
    np.testing.assert_allclose(right_batch_norm(z, gamma, beta, 1e-5), expected, rtol=1e-10)
    new_mean, new_var = right_update(np.array([0.5, -1.0, 0.0]), np.array([2.0, 1.0, 0.5]), z, 0.1)
    np.testing.assert_allclose(new_mean, layer.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(new_var, layer.running_var.numpy(), rtol=1e-12)
