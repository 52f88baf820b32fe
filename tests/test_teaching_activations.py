"""Notebook 02's teaching surface: the curves come from cnnlab, and the exercise checks diagnose slips."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import cnnlab.functional as F  # noqa: E402
from cnnlab.teaching.activations import catalog, plots as activation_plots  # noqa: E402
from cnnlab.teaching.checks import FAILED, NOT_DONE, PASSED  # noqa: E402
from cnnlab.teaching.activations import exercises as ex  # noqa: E402
from _contract import backward_of  # noqa: E402
from _teaching_helpers import outcome, stub  # noqa: E402


# ------------------------------------------------------------------------------------------ curves
@pytest.mark.parametrize("name", [n for n in catalog.NAMES if n not in ("RReLU", "noisy ReLU")])
def test_derivative_matches_centered_differences(name):
    x = np.array([-2.5, -1.3, -0.4, 0.3, 1.1, 2.7])  # away from every kink
    _, derivative = catalog.activation_and_derivative(name, x)
    up, _ = catalog.activation_and_derivative(name, x + 1e-6)
    down, _ = catalog.activation_and_derivative(name, x - 1e-6)
    np.testing.assert_allclose(derivative, (up - down) / 2e-6, atol=1e-6)


def test_lecture_values_at_minus_two():
    x = np.array([-2.0])
    values = {name: catalog.activation_and_derivative(name, x)[0][0]
              for name in ("ReLU", "leaky ReLU", "sigmoid", "tanh", "ELU", "centered softplus")}
    assert values["ReLU"] == 0
    assert values["leaky ReLU"] == pytest.approx(-0.2)  # the lecture's max(0.1x, x) is the default
    assert values["sigmoid"] == pytest.approx(1 / (1 + np.exp(2)))
    assert values["tanh"] == pytest.approx(np.tanh(-2))
    assert values["ELU"] == pytest.approx(np.exp(-2) - 1)
    assert values["centered softplus"] == pytest.approx(np.log(1 + np.exp(-2)) - np.log(2))


def test_random_activations_are_reproducible_and_in_range():
    x = np.linspace(-4, -0.1, 50)
    y1, d1 = catalog.activation_and_derivative("RReLU", x, lower=0.1, upper=0.5, seed=3)
    y2, _ = catalog.activation_and_derivative("RReLU", x, lower=0.1, upper=0.5, seed=3)
    np.testing.assert_array_equal(y1, y2)
    assert np.all((d1 >= 0.1) & (d1 <= 0.5))
    np.testing.assert_allclose(y1, d1 * x)  # the slope used forward is the derivative backward


def test_maxout_of_relu_pieces_is_relu():
    x = np.linspace(-3, 3, 60)  # not 0, where the tie goes to the first piece and ReLU's derivative is 0
    y, dy = catalog.activation_and_derivative("maxout", x, maxout_pieces=((1.0, 0.0), (0.0, 0.0)))
    np.testing.assert_array_equal(y, F.relu(x))
    np.testing.assert_array_equal(dy, backward_of("relu", np.ones_like(x), x))


def test_unknown_names_and_parameters_are_refused():
    with pytest.raises(ValueError, match="name must be one of"):
        catalog.activation_and_derivative("swish", np.zeros(3))
    with pytest.raises(TypeError, match="slope"):
        catalog.activation_and_derivative("ReLU", np.zeros(3), slope=0.1)


def test_plots_and_history_table_render():
    fig = activation_plots.plot_activations(["sigmoid", ("leaky ReLU", 0.01), "RReLU"])
    assert len(fig.axes) == 3 and fig.axes[1].get_title() == "leaky ReLU (0.01)"
    fig = activation_plots.plot_overlay(list(catalog.NAMES), derivatives=True)
    assert len(fig.axes[0].get_lines()) >= len(catalog.NAMES)
    plt.close("all")
    table = catalog.history_table().data
    assert table.count("\n") == len([a for a in catalog.ACTIVATIONS if a.formula]) + 1 == len(HISTORY_NAMES) + 1
    assert "| ReLU | $y = \\max(x, 0)$ | 2010 |  |" in table and "| none | $y = x$ | - |  |" in table


def test_explorer_builds():
    from cnnlab.teaching.activations.widgets import activation_explorer

    assert activation_explorer().children
    plt.close("all")


# ---------------------------------------------------------------------------------------- exercises
def test_by_hand(capsys):
    right = {"relu": 0, "leaky_relu": -0.2, "sigmoid": 0.12, "tanh": -0.96}
    assert outcome(ex.check_by_hand, lambda: right, capsys=capsys)[0] == PASSED
    state, text = outcome(ex.check_by_hand, lambda: {**right, "leaky_relu": -0.02}, capsys=capsys)
    assert state == FAILED and "0.01" in text and "0.1" in text
    state, text = outcome(ex.check_by_hand, lambda: {**right, "sigmoid": 0.88}, capsys=capsys)
    assert state == FAILED and "sigmoid(+2)" in text
    state, text = outcome(ex.check_by_hand, lambda: {**right, "tanh": 0.96}, capsys=capsys)
    assert state == FAILED and "odd" in text
    state, text = outcome(ex.check_by_hand, lambda: {"relu": 0}, capsys=capsys)
    assert state == FAILED and "'leaky_relu'" in text


def _leaky(x, slope):
    return np.where(x > 0, x, slope * x)


def _leaky_derivative(x, slope):
    return np.where(x > 0, 1.0, slope)


def test_leaky_relu(capsys):
    assert outcome(ex.check_leaky_relu, _leaky, _leaky_derivative, capsys=capsys)[0] == PASSED
    state, text = outcome(ex.check_leaky_relu, lambda x, s: _leaky(x, 0.01), _leaky_derivative, capsys=capsys)
    assert state == FAILED and "`slope` argument" in text
    state, text = outcome(ex.check_leaky_relu, lambda x, s: np.maximum(x, 0), _leaky_derivative, capsys=capsys)
    assert state == FAILED and "ReLU" in text
    state, text = outcome(ex.check_leaky_relu, _leaky, lambda x, s: (x > 0) * 1.0, capsys=capsys)
    assert state == FAILED and "not 0" in text
    state, text = outcome(ex.check_leaky_relu, _leaky, lambda x, s: np.where(x > 0, 1.0, s * x), capsys=capsys)
    assert state == FAILED and "constant" in text

    def in_place(x, slope):
        x[x < 0] *= slope
        return x

    state, text = outcome(ex.check_leaky_relu, in_place, _leaky_derivative, capsys=capsys)
    assert state == FAILED and "changed its input" in text


def test_stable_sigmoid(capsys):
    def stable(x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    assert outcome(ex.check_stable_sigmoid, stable, capsys=capsys)[0] == PASSED
    state, text = outcome(ex.check_stable_sigmoid, lambda x: 1 / (1 + np.exp(-x)), capsys=capsys)
    assert state == FAILED and "overflow" in text

    def both_branches(x):
        return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))

    state, text = outcome(ex.check_stable_sigmoid, both_branches, capsys=capsys)
    assert state == FAILED and "both" in text

    def scalar_if(x):
        return 1 / (1 + np.exp(-x)) if x >= 0 else np.exp(x) / (1 + np.exp(x))

    state, text = outcome(ex.check_stable_sigmoid, scalar_if, capsys=capsys)
    assert state == FAILED and "np.where" in text

    def stub(x):
        raise NotImplementedError

    assert outcome(ex.check_stable_sigmoid, stub, capsys=capsys)[0] == NOT_DONE


def test_vanishing_gradient(capsys):
    assert outcome(ex.check_vanishing_gradient, lambda n: 0.25 ** n, capsys=capsys)[0] == PASSED
    state, text = outcome(ex.check_vanishing_gradient, lambda n: 0.25 * n, capsys=capsys)
    assert state == FAILED and "multiplies" in text
    state, text = outcome(ex.check_vanishing_gradient, lambda n: 0.5 ** n, capsys=capsys)
    assert state == FAILED and "0.25" in text


#: The lecture's history table, in its order and spelling.
HISTORY_NAMES = ["none", "sigmoid", "tanh", "ReLU", "(centered) SoftPlus", "LReLU", "maxout", "APL", "VLReLU", "RReLU",
                 "PReLU", "ELU"]


def test_the_catalog_holds_the_lectures_history_table():
    by_name = {a.slide_name or a.name: a for a in catalog.ACTIVATIONS if a.formula}
    assert {name: by_name[name].year for name in HISTORY_NAMES} == {
        "none": None, "sigmoid": 1986, "tanh": 1986, "ReLU": 2010, "(centered) SoftPlus": 2011, "LReLU": 2013,
        "maxout": 2013, "APL": 2014, "VLReLU": 2014, "RReLU": 2015, "PReLU": 2015, "ELU": 2015}
    assert {a.name for a in catalog.ACTIVATIONS if a.drawn} == set(catalog.NAMES)
    shown = [line.split(" | ")[0].lstrip("| ") for line in catalog.history_table().data.splitlines()[2:]]
    assert shown == HISTORY_NAMES
    # The slide's row, with the right year (Maas et al. 2013; the slide says 2011) and a note that says so
    assert catalog.history_table().data.splitlines()[7] == (
        "| LReLU | $y = \\max(x, \\alpha x), \\alpha \\approx 0.01$ | 2013 "
        "| Maas, Hannun and Ng, 2013; the slide says 2011 |")
    # The decks call slope 0.1 "Leaky ReLU" (discussion of convolutions) and "VLReLU" (this table): flagged
    vlrelu = catalog.history_table().data.splitlines()[10]
    assert vlrelu.startswith("| VLReLU |") and "calls Leaky ReLU, $\\max(0.1x, x)$" in vlrelu
    assert "$U(3, 8)$" in catalog.history_table().data.splitlines()[11]


def test_the_history_tables_formulas_are_what_cnnlab_computes():
    x = np.array([-1.0, 0.5])
    expected = {"sigmoid": 1 / (1 + np.exp(-x)), "tanh": (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1),
                "ReLU": np.maximum(x, 0), "centered softplus": np.log(np.exp(x) + 1) - np.log(2),
                "ELU": np.where(x >= 0, x, np.exp(x) - 1)}
    for name, values in expected.items():
        np.testing.assert_allclose(catalog.activation_and_derivative(name, x)[0], values, err_msg=name)
    leaky, _ = catalog.activation_and_derivative("leaky ReLU", x, negative_slope=0.01)
    np.testing.assert_allclose(leaky, np.maximum(x, 0.01 * x))

# ------------------------------------------------------------- build it yourself: forward and backward
def _relu_forward(x):
    return np.maximum(x, 0), x


def _relu_backward(grad_output, x):
    return grad_output * (x > 0)


def test_relu_pair_passes_with_the_input_or_the_output_as_cache(capsys):
    assert outcome(ex.check_relu_pair, _relu_forward, _relu_backward, capsys=capsys)[0] == PASSED
    # max(0, x) > 0 exactly where x > 0, zeros included: a mask from the output is right, as in PyTorch
    keep_output = (lambda x: (np.maximum(x, 0),) * 2, lambda g, out: g * (out > 0))
    assert outcome(ex.check_relu_pair, *keep_output, capsys=capsys)[0] == PASSED


@pytest.mark.parametrize("backward, words", [
    (lambda g, x: (x > 0) * 1.0, "chain rule multiplies it by grad_output"),
    (lambda g, x: g * (g > 0), "mask comes from grad_output"),
    (lambda g, x: g * (x >= 0), "x > 0, not x >= 0"),
    (lambda g, x: g * (np.maximum(x, 0) >= 0), "`out >= 0` is true everywhere"),
    (lambda g, x: g * np.maximum(x, 0), "not the value max(0, x)"),
    (lambda g, x: g * (x < 0), "relu_backward's gradient differs"),
])
def test_relu_pair_names_each_slip(backward, words, capsys):
    state, text = outcome(ex.check_relu_pair, _relu_forward, backward, capsys=capsys)
    assert state == FAILED and words in text, text


def test_relu_pair_refuses_in_place_changes_and_a_forward_without_cache(capsys):
    def in_place(grad_output, x):
        grad_output[x <= 0] = 0
        return grad_output

    state, text = outcome(ex.check_relu_pair, _relu_forward, in_place, capsys=capsys)
    assert state == FAILED and "changed grad_output in place" in text
    state, text = outcome(ex.check_relu_pair, lambda x: np.maximum(x, 0), _relu_backward, capsys=capsys)
    assert state == FAILED and "`out, cache`" in text

    def forward_in_place(x):
        x[x < 0] = 0
        return x, x

    state, text = outcome(ex.check_relu_pair, forward_in_place, _relu_backward, capsys=capsys)
    assert state == FAILED and "changed its input" in text
    assert outcome(ex.check_relu_pair, stub, _relu_backward, capsys=capsys)[0] == NOT_DONE
    assert outcome(ex.check_relu_pair, _relu_forward, stub, capsys=capsys)[0] == NOT_DONE


def _sigmoid_forward(x):
    s = 1 / (1 + np.exp(-x))
    return s, s


def test_sigmoid_pair(capsys):
    assert outcome(ex.check_sigmoid_pair, _sigmoid_forward, lambda g, s: g * s * (1 - s), capsys=capsys)[0] == PASSED
    assert outcome(ex.check_sigmoid_pair, stub, stub, capsys=capsys)[0] == NOT_DONE


@pytest.mark.parametrize("forward, backward, words", [
    (_sigmoid_forward, lambda g, s: g * s, "the derivative is s (1 - s)"),
    (_sigmoid_forward, lambda g, s: s * (1 - s), "chain rule multiplies it by grad_output"),
    (lambda x: (1 / (1 + np.exp(-x)), x), lambda g, x: g * x * (1 - x), "keep s in the cache"),
    (_sigmoid_forward, lambda g, s: g * F.sigmoid(s) * (1 - F.sigmoid(s)), "applied the sigmoid to the cache"),
    (_sigmoid_forward, lambda g, s: g * (1 - s ** 2), "tanh's derivative"),
    (lambda x: (np.tanh(x), x), lambda g, x: g, "sigmoid_forward's out differs"),
])
def test_sigmoid_pair_names_each_slip(forward, backward, words, capsys):
    state, text = outcome(ex.check_sigmoid_pair, forward, backward, capsys=capsys)
    assert state == FAILED and words in text, text


def test_relu_needs_fewer_iterations_than_tanh_in_the_small_experiment():
    """Notebook 02's miniature of Krizhevsky et al. (2012): same network and weights, each its best learning rate."""
    from cnnlab import nn
    from cnnlab.teaching.activations import convergence

    x, y = convergence.rings()
    assert x.shape == (300, 2) and np.bincount(y).tolist() == [150, 150]
    relu, tanh = (convergence.fewest_iterations(activation, x, y, seed=0) for activation in (nn.ReLU, nn.Tanh))
    assert relu is not None and tanh is not None and relu < tanh
    # the threshold is reached when counted: the network after `relu` updates misclassifies at most 5%
    assert convergence.iterations_to_error(nn.ReLU, x, y, lr=0.3, max_iterations=relu) == relu
    assert convergence.iterations_to_error(nn.ReLU, x, y, lr=0.3, max_iterations=relu - 1) is None
