"""The checks of notebook 05's exercises accept the solution and name the usual slips."""
import numpy as np
import pytest

import cnnlab.nn as nn
from cnnlab.teaching.checks import FAILED, NOT_DONE, PASSED
from cnnlab.teaching.training import exercises as ex
from _teaching_helpers import outcome


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
    result, text = outcome(ex.check_conv_parameters, answer, capsys=capsys)
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
    result, text = outcome(ex.check_build_network, build, capsys=capsys)
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
    result, text = outcome(ex.check_train_step, step, capsys=capsys)
    assert result == status and words in text


def test_reference_network_is_the_notebooks():
    net = ex.reference_network()
    assert net.num_parameters == 9098 and net(np.zeros((1, 1, 28, 28), np.float32)).shape == (1, 10)


def test_training_plots_draw_what_they_are_given():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from cnnlab import optim
    from cnnlab.training import fit
    from cnnlab.teaching import drawing
    from cnnlab.teaching.training import plots

    rng = np.random.default_rng(0)
    x = rng.random((12, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 12)
    net = ex.reference_network()
    history = fit(net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=0.01), x, y, epochs=2, batch_size=4,
                  validation_data=(x, y), progress=None)
    figure = history.plot()
    assert [a.get_title() for a in figure.axes] == ["loss", "accuracy"]
    assert len(figure.axes[0].lines) == 3  # every iteration, the epoch means, validation
    stages = plots.stage_outputs(net, x[0])
    assert [out.shape for _, out in stages][-3:] == [(1, 16, 7, 7), (1, 784), (1, 10)]
    figure = plots.plot_feature_maps(net, x[0])
    assert figure.axes[-1].get_xlabel() == "softmax probability"
    figure = drawing.plot_filters(net[0].weight.data, values=True)
    kernel_size = net[0].weight.data.shape[-1]
    assert len(figure.axes) == 8 and len(figure.axes[0].texts) == kernel_size * kernel_size
    predicted = np.roll(y, 1)
    figure = plots.plot_misclassified(x, y, predicted, np.full((12, 10), 0.1), max_images=5)
    assert f"{np.count_nonzero(y != predicted)} of 12" in figure.texts[0].get_text()
    figure = plots.plot_confusion_matrix(np.eye(3, dtype=int) * 5)
    assert figure.axes[0].get_xlabel() == "predicted"
    plt.close("all")


def test_widget_progress_builds_and_updates_outside_a_notebook():
    from cnnlab.training.progress import make_progress

    display = make_progress("widget", epochs=2, iterations_per_epoch=3)
    display.INTERVAL = 0.0
    display.update(1, 2, 0.5, 0.75)
    assert display.bar.value == 2 and "accuracy 75.0%" in display.label.value
    display.end_epoch(1, {"loss": 0.5, "accuracy": 0.75, "val_loss": None}, 1.0)
    assert display.bar.value == 3 and "epoch 1/2: loss 0.5000, accuracy 75.0%" in display.lines.value
    display.close()
