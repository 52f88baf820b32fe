"""The checks of notebook 06 accept right answers, name typical wrong ones, report stubs; its plots draw headless."""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlab.teaching import checks  # noqa: E402
from cnnlab.teaching import drawing  # noqa: E402
from cnnlab.teaching.initialization import exercises as ex  # noqa: E402
from cnnlab.teaching.initialization import plots  # noqa: E402
from _teaching_helpers import outcome, stub  # noqa: E402


# -- 06.1 the range r ----------------------------------------------------------------------------
def test_range_right(capsys):
    result, text = outcome(ex.check_xavier_range, lambda i, o: math.sqrt(6 / (i + o)), capsys=capsys)
    assert result == checks.PASSED and "0.0869" in text


@pytest.mark.parametrize("wrong, words", [
    (lambda i, o: 6 / (i + o), "square root"),
    (lambda i, o: math.sqrt(6 / i), "fan-in"),
    (lambda i, o: math.sqrt(2 / (i + o)), "normal"),
    (lambda i, o: math.sqrt(6 / (i * o)), "multiply"),
    (lambda i, o: math.sqrt(6) / (i + o), "whole fraction"),
    (lambda i, o: None, "return"),
    (lambda i, o: np.full(3, 0.1), "one number"),
    (lambda i, o: 0.1, "expected"),
])
def test_range_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_xavier_range, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text


def test_range_stub(capsys):
    assert outcome(ex.check_xavier_range, stub, capsys=capsys)[0] == checks.NOT_DONE


# -- 06.2 xavier_uniform --------------------------------------------------------------------------
def right_xavier(fan_in, fan_out, rng):
    r = math.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_out, fan_in))


def test_xavier_right(capsys):
    assert outcome(ex.check_xavier_uniform, right_xavier, capsys=capsys)[0] == checks.PASSED


def test_xavier_right_with_library(capsys):
    from cnnlab.nn import init

    result, _ = outcome(ex.check_xavier_uniform,
                        lambda i, o, rng: init.xavier_uniform_(np.empty((o, i)), rng=rng), capsys=capsys)
    assert result == checks.PASSED


@pytest.mark.parametrize("wrong, words", [
    (lambda i, o, rng: right_xavier(i, o, rng).T, "(out, in)"),
    (lambda i, o, rng: np.abs(right_xavier(i, o, rng)), "Uniform(0, r)"),
    (lambda i, o, rng: rng.normal(0, math.sqrt(2 / (i + o)), size=(o, i)), "normally distributed"),
    (lambda i, o, rng: rng.uniform(-1, 1, size=(o, i)) * math.sqrt(6 / i), "fan-in"),
    (lambda i, o, rng: rng.uniform(-1, 1, size=(o, i)) * 6 / (i + o), "square root"),
    (lambda i, o, rng: np.random.default_rng().uniform(-0.1, 0.1, size=(o, i)), "rng"),
    (lambda i, o, rng: np.zeros((o, i)), "equal"),
    (lambda i, o, rng: None, "return"),
])
def test_xavier_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_xavier_uniform, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text


def test_xavier_stub(capsys):
    assert outcome(ex.check_xavier_uniform, stub, capsys=capsys)[0] == checks.NOT_DONE


# -- 06.3 identical filters -----------------------------------------------------------------------
def right_identical(weight):
    return bool(np.allclose(weight, weight[:1], rtol=0, atol=1e-12))


def test_identical_right(capsys):
    assert outcome(ex.check_all_filters_identical, right_identical, capsys=capsys)[0] == checks.PASSED


@pytest.mark.parametrize("wrong, words", [
    (lambda w: bool(np.allclose(w[0], w[1])) if len(w) > 1 else True, "every filter"),
    (lambda w: bool(np.all(w == w[:1])), "rounding"),
    (lambda w: bool(np.allclose(w, w[:, :1])), "input channels"),
    (lambda w: w == w[:1], "one True or False"),
    (lambda w: None, "return"),
])
def test_identical_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_all_filters_identical, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text


def test_identical_stub(capsys):
    assert outcome(ex.check_all_filters_identical, stub, capsys=capsys)[0] == checks.NOT_DONE


# -- 06.4 which initialisation -------------------------------------------------------------------
def test_choose_right(capsys):
    choice = {"tanh": "xavier_uniform", "sigmoid": "xavier_normal_", "relu": "kaiming_normal_",
              "leaky_relu": "kaiming_uniform"}
    assert outcome(ex.check_choose_init, choice.get, capsys=capsys)[0] == checks.PASSED


@pytest.mark.parametrize("wrong, words", [
    (lambda a: "xavier_uniform", "halves the variance"),
    (lambda a: "kaiming_normal", "linear near 0"),
    (lambda a: "zeros", "symmetry"),
    (lambda a: 3, "string"),
])
def test_choose_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_choose_init, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text


# -- plots draw headless and return a figure -----------------------------------------------------
def test_plots_draw():
    rng = np.random.default_rng(0)
    figures = [
        plots.plot_weight_histogram(rng.uniform(-0.1, 0.1, (10, 784)), 0.087),
        drawing.plot_filters(np.ones((6, 1, 5, 5)), "identical"),
        plots.plot_layer_histograms([rng.standard_normal((64, 256)) for _ in range(10)], "tanh"),
        plots.plot_layer_histograms([np.zeros((4, 8))]),
        plots.plot_layer_std({"xavier": np.linspace(1, 0.5, 10), "zeros": np.zeros(10)}),
        drawing.plot_learning_curves({"a": [2.3, 2.0, 1.5], "b": [2.3, 2.3, 2.3]}),
    ]
    for fig in figures:
        assert isinstance(fig, matplotlib.figure.Figure)
        fig.canvas.draw()
    plt.close("all")


def test_plot_filters_needs_four_dimensions():
    with pytest.raises(ValueError, match="out_channels"):
        drawing.plot_filters(np.ones((6, 5)))
