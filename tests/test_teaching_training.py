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


# ------------------------------------------------------------------ build-it-yourself (issue 12)
from cnnlab import optim  # noqa: E402
from cnnlab.teaching.training import build_it_yourself as byo  # noqa: E402


def linear_forward(x, weight, bias):
    return x @ weight.T + bias


def linear_backward(grad_output, x, weight):
    return grad_output @ weight, grad_output.T @ x, grad_output.sum(axis=0)


@pytest.mark.parametrize("answer, status, words", [
    (linear_forward, PASSED, "y = x W^T + b"),
    (lambda x, w, b: x @ w + b, FAILED, "not by its transpose"),
    (lambda x, w, b: x @ w.T, FAILED, "misses the bias"),
    (lambda x, w, b: x @ w.T + 2 * b, FAILED, "differs"),
    (stub, NOT_DONE, "write it"),
])
def test_linear_forward(answer, status, words, capsys):
    result, text = outcome(byo.check_linear_forward, answer, capsys=capsys)
    assert result == status and words in text


@pytest.mark.parametrize("answer, status, words", [
    (linear_backward, PASSED, "centred differences"),
    (lambda g, x, w: (g @ w.T, g.T @ x, g.sum(0)), FAILED, "transposed weight"),
    (lambda g, x, w: (g @ w, x.T @ g, g.sum(0)), FAILED, "grad_output.T @ x"),
    (lambda g, x, w: (g @ w, g.T @ x, g), FAILED, "summed over the batch"),
    (lambda g, x, w: (g @ w, g.T @ x, g.mean(0)), FAILED, "batch mean"),
    (lambda g, x, w: (g @ w, g.T @ x), FAILED, "three gradients"),
    (stub, NOT_DONE, "write it"),
])
def test_linear_backward(answer, status, words, capsys):
    result, text = outcome(byo.check_linear_backward, answer, capsys=capsys)
    assert result == status and words in text


def test_linear_backward_check_uses_a_numerical_gradient(capsys, monkeypatch):
    # a backward that fools the reference comparison must still fail the centred differences
    monkeypatch.setattr(byo, "expect_close", lambda *args, **kwargs: None)
    result, text = outcome(byo.check_linear_backward, lambda g, x, w: (g @ w, 2 * g.T @ x, g.sum(0)), capsys=capsys)
    assert result == FAILED and "numerical" in text and "d/dweight" in text


def sgd_momentum_step(weight, grad, velocity, lr, momentum):
    velocity = momentum * velocity + grad
    return weight - lr * velocity, velocity


def sgd_lr_inside(weight, grad, velocity, lr, momentum):
    velocity = momentum * velocity + lr * grad
    return weight - velocity, velocity


def sgd_cs231n(weight, grad, velocity, lr, momentum):
    velocity = momentum * velocity - lr * grad
    return weight + velocity, velocity


@pytest.mark.parametrize("answer, status, words", [
    (sgd_momentum_step, PASSED, "after the learning rate dropped"),
    (sgd_lr_inside, FAILED, "v = mu v + lr g"),
    (sgd_cs231n, FAILED, "v = mu v + lr g"),
    (lambda w, g, v, lr, mu: (w - lr * g, mu * v + g), FAILED, "step with the velocity"),
    (lambda w, g, v, lr, mu: (w - lr * g, g), FAILED, "forgot the previous steps"),
    (lambda w, g, v, lr, mu: None, FAILED, "return"),
    (stub, NOT_DONE, "write it"),
])
def test_sgd_momentum_step(answer, status, words, capsys):
    result, text = outcome(byo.check_sgd_momentum_step, answer, capsys=capsys)
    assert result == status and words in text


def test_lr_inside_the_velocity_agrees_with_pytorch_until_the_learning_rate_changes():
    """Why the check drops the learning rate: with a fixed lr the two forms give the same weights."""
    grads = [np.full(3, 1.0), np.full(3, -2.0), np.full(3, 0.5)]
    for lrs, same in (((0.1, 0.1, 0.1), True), ((0.1, 0.1, 0.02), False)):
        w1, v1, w2, v2 = np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3)
        for lr, g in zip(lrs, grads):
            w1, v1 = sgd_momentum_step(w1, g, v1, lr, 0.9)
            w2, v2 = sgd_lr_inside(w2, g, v2, lr, 0.9)
        assert np.allclose(w1, w2) == same


def adam(correct_m=True, correct_v=True, eps_inside=False, square=True):
    def adam_step(weight, grad, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * (grad ** 2 if square else grad)
        m_hat = m / (1 - beta1 ** t) if correct_m else m
        v_hat = v / (1 - beta2 ** t) if correct_v else v
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(np.abs(v_hat)) + eps
        return weight - lr * m_hat / denominator, m, v
    return adam_step


@pytest.mark.parametrize("answer, status, words", [
    (adam(), PASSED, "agree with optim.Adam"),
    (adam(correct_m=False, correct_v=False), FAILED, "forgot the bias correction"),
    (adam(correct_v=False), FAILED, "corrected m but not v"),
    (adam(correct_m=False), FAILED, "corrected v but not m"),
    (adam(eps_inside=True), FAILED, "inside the square root"),
    (adam(square=False), FAILED, "*squared* gradient"),
    (stub, NOT_DONE, "write it"),
])
def test_adam_step(answer, status, words, capsys):
    result, text = outcome(byo.check_adam_step, answer, capsys=capsys)
    assert result == status and words in text


def test_adam_reference_is_pytorchs_rule_by_hand():
    """The check's reference, optim.Adam, against the formula worked out by hand for one step."""
    p = nn.Parameter(np.array([1.0]))
    p.grad = np.array([1e-3])
    optim.Adam([p], lr=0.01).step()
    # t = 1: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps)
    assert np.isclose(p.data[0], 1.0 - 0.01 * 1e-3 / (1e-3 + 1e-8))


def test_lenet5_counts_are_the_papers_where_the_layers_agree():
    """LeCun et al. (1998): C1 156, C5 48,120, F6 10,164 parameters; C3 fully connected is 16 x (6 x 25 + 1)."""
    counts = [layer.num_parameters for layer in ex.lenet5().children() if layer.num_parameters]
    assert counts == [156, 16 * (6 * 25 + 1), 48120, 10164, 850]
    assert ex.lenet5()(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 10)


@pytest.mark.parametrize("answer, status, words", [
    (lambda: 120 * (16 * 25 + 1), PASSED, "48,120"),
    (lambda: 120 * 16 * 25, FAILED, "120 biases"),
    (lambda: 120 * 26, FAILED, "all 16 maps"),
    (lambda: 16 * 25 + 1, FAILED, "one filter"),
    (lambda: None, FAILED, "return"),
    (stub, NOT_DONE, "write it"),
])
def test_lenet_c5_parameters(answer, status, words, capsys):
    result, text = outcome(ex.check_lenet_c5_parameters, answer, capsys=capsys)
    assert result == status and words in text


def test_architecture_picture_draws_every_layer_with_weights_or_pooling():
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from cnnlab.teaching.training import plots

    rows = {name: nn.summary(net, (1, 28, 28), file=io.StringIO())
            for name, net in (("Ex. 3.1", ex.reference_network()), ("LeNet-5", ex.lenet5()))}
    figure = plots.plot_architectures(rows)
    assert [a.get_title() for a in figure.axes] == ["Ex. 3.1: 9,098 parameters", "LeNet-5: 61,706 parameters"]
    lenet_axis = figure.axes[1]
    assert len(lenet_axis.patches) == 8  # input, C1, S2, C3, S4, C5, F6, output
    labels = [t.get_text() for t in lenet_axis.texts]
    assert "120x1x1" in labels and "Conv2d\n48,120 parameters" in labels
    plt.close("all")
