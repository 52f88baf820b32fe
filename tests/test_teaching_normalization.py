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


A = (0, 2, 3)  # one statistic per channel, over N, H and W


def per_channel(v):
    return np.asarray(v).reshape(1, -1, 1, 1)


# -- 07.1 standardise the inputs -----------------------------------------------------------------
def right_standardise(train, test):
    mean, std = train.mean(axis=0), train.std(axis=0)
    return (train - mean) / std, (test - mean) / std


def test_standardise_right(capsys):
    assert outcome(ex.check_standardise, right_standardise, capsys=capsys)[0] == checks.PASSED


def _pooled(train, test):
    both = np.concatenate([train, test])
    return (train - both.mean(0)) / both.std(0), (test - both.mean(0)) / both.std(0)


@pytest.mark.parametrize("wrong, words", [
    (lambda tr, te: ((tr - tr.mean(0)) / tr.std(0), (te - te.mean(0)) / te.std(0)), "its own mean"),
    (_pooled, "together"),
    (lambda tr, te: ((tr - tr.mean(1, keepdims=True)) / tr.std(1, keepdims=True), te), "axis=1"),
    (lambda tr, te: ((tr - tr.mean(0)) / tr.var(0), te), "not by the variance"),
    (lambda tr, te: (tr / tr.std(0), te / tr.std(0)), "subtract the mean"),
    (lambda tr, te: ((tr - tr.mean(0)) / tr.std(0, ddof=1), te), "ddof=0"),
    (lambda tr, te: (tr - tr.mean(0)) / tr.std(0), "pair"),
])
def test_standardise_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_standardise, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text, text


def test_standardise_matches_scikit_learn():
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    rng = np.random.default_rng(0)
    train, test = rng.normal(3, 5, (30, 2)), rng.normal(4, 6, (10, 2))
    scaler = preprocessing.StandardScaler().fit(train)
    ours = right_standardise(train, test)
    np.testing.assert_allclose(ours[0], scaler.transform(train))
    np.testing.assert_allclose(ours[1], scaler.transform(test))


# -- 07.2 batch norm forward, training -----------------------------------------------------------
def right_bn_train(x, gamma, beta, eps):
    mean, var = x.mean(axis=A, keepdims=True), x.var(axis=A, keepdims=True)
    return per_channel(gamma) * (x - mean) / np.sqrt(var + eps) + per_channel(beta)


def bn_with(mean, var, x, g, b, e):
    return per_channel(g) * (x - mean) / np.sqrt(var + e) + per_channel(b)


@pytest.mark.parametrize("wrong, words", [
    (lambda x, g, b, e: bn_with(x.mean(A, keepdims=True), x.var(A, keepdims=True, ddof=1), x, g, b, e), "ddof=1"),
    (lambda x, g, b, e: bn_with(x.mean(0), x.var(0), x, g, b, e), "per pixel"),
    (lambda x, g, b, e: bn_with(x.mean((1, 2, 3), keepdims=True), x.var((1, 2, 3), keepdims=True), x, g, b, e),
     "each example"),
    (lambda x, g, b, e: bn_with(x.mean(), x.var(), x, g, b, e), "one mean and variance for everything"),
    (lambda x, g, b, e: per_channel(g) * (x - x.mean(A, keepdims=True)) / (x.std(A, keepdims=True) + e)
     + per_channel(b), "under the square root"),
    (lambda x, g, b, e: bn_with(x.mean(A, keepdims=True), x.var(A, keepdims=True), x, 1, 0, e), "x-hat itself"),
    (lambda x, g, b, e: bn_with(x.mean(A, keepdims=True), x.var(A, keepdims=True), x, b, g, e), "swapped"),
    (lambda x, g, b, e: bn_with(0, x.var(A, keepdims=True), x, g, b, e), "subtract the batch mean"),
    (lambda x, g, b, e: x[:2], "shape"),
    (lambda x, g, b, e: g * x, "raised ValueError"),  # gamma of shape (C,) broadcast against W
])
def test_bn_train_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_batch_norm_train_forward, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text, text


def test_bn_train_right_and_stub(capsys):
    assert outcome(ex.check_batch_norm_train_forward, right_bn_train, capsys=capsys)[0] == checks.PASSED
    assert outcome(ex.check_batch_norm_train_forward, stub, capsys=capsys)[0] == checks.NOT_DONE


def test_bn_train_without_eps(capsys):
    def no_eps(x, g, b, e):
        return bn_with(x.mean(A, keepdims=True), x.var(A, keepdims=True), x, g, b, 0.0)
    result, text = outcome(ex.check_batch_norm_train_forward, no_eps, capsys=capsys)
    assert result == checks.FAILED and "forgot eps" in text, text


# -- 07.3 running statistics ---------------------------------------------------------------------
def right_update(running_mean, running_var, x, momentum):
    return ((1 - momentum) * running_mean + momentum * x.mean(axis=A),
            (1 - momentum) * running_var + momentum * x.var(axis=A, ddof=1))


def test_running_right_and_stub(capsys):
    assert outcome(ex.check_update_running_stats, right_update, capsys=capsys)[0] == checks.PASSED
    assert outcome(ex.check_update_running_stats, stub, capsys=capsys)[0] == checks.NOT_DONE


@pytest.mark.parametrize("wrong, words", [
    (lambda m, v, x, k: (k * m + (1 - k) * x.mean(A), k * v + (1 - k) * x.var(A, ddof=1)), "wrong way round"),
    (lambda m, v, x, k: (x.mean(A), x.var(A, ddof=1)), "batch mean"),
    (lambda m, v, x, k: ((1 - k) * m + k * x.mean(A), (1 - k) * v + k * x.var(A)), "*unbiased*"),
    (lambda m, v, x, k: ((1 - k) * m + k * x.mean(A), (1 - k) * v + k * x.std(A, ddof=1)), "standard deviation"),
    (lambda m, v, x, k: ((1 - k) * m + k * x.mean(0), v), "axis=(0, 2, 3)"),
    (lambda m, v, x, k: [m, v], "pair"),
])
def test_running_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_update_running_stats, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text, text


# -- 07.4 batch norm at test time ----------------------------------------------------------------
def right_bn_eval(x, gamma, beta, running_mean, running_var, eps):
    return bn_with(per_channel(running_mean), per_channel(running_var), x, gamma, beta, eps)


def test_bn_eval_right_and_stub(capsys):
    assert outcome(ex.check_batch_norm_eval_forward, right_bn_eval, capsys=capsys)[0] == checks.PASSED
    assert outcome(ex.check_batch_norm_eval_forward, stub, capsys=capsys)[0] == checks.NOT_DONE


@pytest.mark.parametrize("wrong, words", [
    (lambda x, g, b, m, v, e: right_bn_train(x, g, b, e), "batch's own statistics"),
    (lambda x, g, b, m, v, e: per_channel(g) * (x - per_channel(m)) / (np.sqrt(per_channel(v)) + e)
     + per_channel(b), "under the square root"),
    (lambda x, g, b, m, v, e: per_channel(g) * (x - per_channel(m)) / (per_channel(v) + e) + per_channel(b),
     "its square root"),
    (lambda x, g, b, m, v, e: right_bn_eval(x, 1, 0, m, v, e), "gamma"),
])
def test_bn_eval_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_batch_norm_eval_forward, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text, text


# -- 07.5 batch norm backward --------------------------------------------------------------------
def backward_with(g, x, gamma, eps, axes=A, ddof=0, mean_term=True, var_term=True):
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True, ddof=ddof)
    x_hat, inv_std = (x - mean) / np.sqrt(var + eps), 1 / np.sqrt(var + eps)
    dx_hat = g * per_channel(gamma)
    dx = dx_hat - (dx_hat.mean(axis=axes, keepdims=True) if mean_term else 0)
    dx = dx - (x_hat * (dx_hat * x_hat).mean(axis=axes, keepdims=True) if var_term else 0)
    return inv_std * dx, (g * x_hat).sum(axis=A), g.sum(axis=A)


def right_bn_backward(g, x, gamma, eps):
    return backward_with(g, x, gamma, eps)


def test_bn_backward_right_and_stub(capsys):
    result, text = outcome(ex.check_batch_norm_backward, right_bn_backward, capsys=capsys)
    assert result == checks.PASSED and "numerical gradient" in text, text
    assert outcome(ex.check_batch_norm_backward, stub, capsys=capsys)[0] == checks.NOT_DONE


def _replace(index, value):
    def wrong(g, x, gamma, eps):
        grads = list(right_bn_backward(g, x, gamma, eps))
        grads[index] = value(g, x, gamma, eps, grads)
        return tuple(grads)
    return wrong


@pytest.mark.parametrize("wrong, words", [
    (_replace(1, lambda g, x, gamma, eps, grads: (g * x).sum(axis=0)), "sum their gradient over N, H and W"),
    (_replace(2, lambda g, x, gamma, eps, grads: g.sum(axis=0)), "sum their gradient over N, H and W"),
    (_replace(2, lambda g, x, gamma, eps, grads: g.sum(axis=(2, 3))), "sum their gradient over N, H and W"),
    (_replace(2, lambda g, x, gamma, eps, grads: grads[1]), "swapped"),
    (_replace(1, lambda g, x, gamma, eps, grads: (g * x).sum(axis=A)), "x_hat"),
    (_replace(0, lambda g, x, gamma, eps, grads: backward_with(g, x, gamma, eps, mean_term=False,
                                                               var_term=False)[0]), "constants"),
    (_replace(0, lambda g, x, gamma, eps, grads: backward_with(g, x, gamma, eps, mean_term=False)[0]), "the mean"),
    (_replace(0, lambda g, x, gamma, eps, grads: backward_with(g, x, gamma, eps, var_term=False)[0]), "variance"),
    (_replace(0, lambda g, x, gamma, eps, grads: backward_with(g, x, gamma, eps, ddof=1)[0]), "N - 1"),
    (_replace(0, lambda g, x, gamma, eps, grads: backward_with(g, x, gamma, eps, axes=0)[0]), "per pixel"),
    (_replace(0, lambda g, x, gamma, eps, grads: backward_with(g, x, 1.0, eps)[0] * 1), "forgot gamma"),
    (lambda g, x, gamma, eps: right_bn_backward(g, x, gamma, eps)[:2], "triple"),
])
def test_bn_backward_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_batch_norm_backward, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text, text


# -- 07.6 dropout forward ------------------------------------------------------------------------
def right_dropout(x, p, training, rng):
    if not training:
        return x, None
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), mask


def dropout_with(keep, scale, in_eval=False):
    def wrong(x, p, training, rng):
        if not training and not in_eval:
            return x, None
        mask = keep(rng.random(x.shape), p)
        return x * mask * scale(p), mask
    return wrong


def test_dropout_right_and_stub(capsys):
    assert outcome(ex.check_dropout_forward, right_dropout, capsys=capsys)[0] == checks.PASSED
    assert outcome(ex.check_dropout_forward, stub, capsys=capsys)[0] == checks.NOT_DONE


@pytest.mark.parametrize("wrong, words", [
    (dropout_with(lambda u, p: u >= p, lambda p: 1.0), "not rescaled"),
    (dropout_with(lambda u, p: u < p, lambda p: 1 / p), "*dropping*"),
    (dropout_with(lambda u, p: u >= p, lambda p: 1 - p), "multiplied by 1 - p"),
    (dropout_with(lambda u, p: u >= p, lambda p: 1 / p), "divided by p"),
    (dropout_with(lambda u, p: u >= p, lambda p: 1 / (1 - p), in_eval=True), "test mode"),
    (dropout_with(lambda u, p: u[::-1] >= p, lambda p: 1 / (1 - p)), "same generator"),
    (lambda x, p, training, rng: (x, np.ones(x.shape, bool)), "nothing was dropped"),
    (lambda x, p, training, rng: right_dropout(x, p, training, rng)[0], "pair"),
])
def test_dropout_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_dropout_forward, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text, text


# -- 07.7 dropout backward -----------------------------------------------------------------------
def right_dropout_backward(grad_output, mask, p):
    return grad_output.copy() if mask is None else grad_output * mask / (1 - p)


def test_dropout_backward_right_and_stub(capsys):
    result, text = outcome(ex.check_dropout_backward, right_dropout_backward, capsys=capsys)
    assert result == checks.PASSED and "numerical gradient" in text, text
    assert outcome(ex.check_dropout_backward, stub, capsys=capsys)[0] == checks.NOT_DONE


@pytest.mark.parametrize("wrong, words", [
    (lambda g, mask, p: g * (np.random.default_rng(9).random(g.shape) >= p) / (1 - p), "new one"),
    (lambda g, mask, p: g * mask, "not rescaled"),
    (lambda g, mask, p: g * mask * (1 - p), "not by 1 - p"),
    (lambda g, mask, p: g if mask is None else g * ~mask / (1 - p), "new one"),
    (lambda g, mask, p: g * (1 if mask is None else mask) / (1 - p), "test mode"),
])
def test_dropout_backward_wrong(wrong, words, capsys):
    result, text = outcome(ex.check_dropout_backward, wrong, capsys=capsys)
    assert result == checks.FAILED and words in text, text


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
    z = rng.normal(3.0, 2.0, size=(8, 3, 4, 5))
    gamma, beta = np.array([2.0, 0.5, -1.0]), np.array([0.1, 3.0, -2.0])
    layer = torch.nn.BatchNorm2d(3, momentum=0.1, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma))
        layer.bias.copy_(torch.from_numpy(beta))
        layer.running_mean.copy_(torch.tensor([0.5, -1.0, 0.0]))
        layer.running_var.copy_(torch.tensor([2.0, 1.0, 0.5]))
        expected = layer.train()(torch.from_numpy(z)).numpy()
    np.testing.assert_allclose(right_bn_train(z, gamma, beta, 1e-5), expected, rtol=1e-10)
    new_mean, new_var = right_update(np.array([0.5, -1.0, 0.0]), np.array([2.0, 1.0, 0.5]), z, 0.1)
    np.testing.assert_allclose(new_mean, layer.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(new_var, layer.running_var.numpy(), rtol=1e-12)


# -- normalising the inputs: the computed example ------------------------------------------------
def test_standardising_rounds_the_bowl_and_speeds_up_descent():
    from cnnlab.teaching.normalization import inputs
    X, y = inputs.two_scale_regression()
    # Hessian X^T X / N of features with stds 1 and 10: eigenvalues about 1 and 100.
    np.testing.assert_allclose(inputs.hessian(X), X.T @ X / len(X))
    assert 90 < inputs.condition_number(X) < 120
    standardised = inputs.standardise_with(X, X.mean(axis=0), X.std(axis=0))
    assert inputs.condition_number(standardised) < 1.2
    steps = {}
    for name, features in {"raw": X, "standardised": standardised}.items():
        best_w = np.linalg.lstsq(features, y, rcond=None)[0]
        path, losses = inputs.gradient_descent(features, y, steps=1000)
        np.testing.assert_allclose(path[-1], best_w, rtol=1e-3)
        steps[name] = inputs.steps_to_reach(losses, inputs.loss(features, y, best_w))
    # lr = 1 / lambda_max: the slow direction shrinks by 1 - 1/kappa per step, so about kappa * ln(1000) steps.
    assert steps["standardised"] <= 3 and 200 < steps["raw"] < 800


def test_gradient_descent_matches_the_closed_form_step():
    from cnnlab.teaching.normalization import inputs
    X, y = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]), np.array([1.0, 2.0, 0.0])
    path, losses = inputs.gradient_descent(X, y, steps=1, lr=0.5, start=(0.0, 0.0))
    np.testing.assert_allclose(path[1], 0.5 * X.T @ y / 3)
    np.testing.assert_allclose(losses[0], 0.5 * np.mean(y ** 2))


# -- what batch norm does: the measurement ---------------------------------------------------------
def _tiny_mlp(batch_norm):
    from cnnlab import nn
    rng = np.random.default_rng(0)
    layers = [nn.Linear(6, 16, rng=rng)] + ([nn.BatchNorm1d(16)] if batch_norm else []) + [nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(16, 3, rng=rng))


def test_track_training_records_every_step_and_batch_norm_holds_the_input_still():
    from cnnlab.teaching.normalization import shift
    rng = np.random.default_rng(1)
    images = rng.standard_normal((200, 6)) * 3 + 2
    labels = (images[:, 0] > 2).astype(int) + (images[:, 1] > 2)
    records = {}
    for batch_norm in (False, True):
        model = _tiny_mlp(batch_norm)
        watched = len(model) - 1  # the last Linear's input
        records[batch_norm] = shift.track_training(model, images, labels, images[:50], watched, steps=30, lr=0.05)
        for values in records[batch_norm].values():
            assert values.shape == (30,) and np.isfinite(values).all()
        assert records[batch_norm]["loss"][-5:].mean() < records[batch_norm]["loss"][:5].mean()  # it trains
    # After batch norm and ReLU the input of the last layer is standardised at every step; without, it drifts.
    assert records[True]["input_mean"].std() < records[False]["input_mean"].std()


def test_track_training_leaves_the_running_statistics_to_the_training_batches():
    from cnnlab import nn
    from cnnlab.teaching.normalization import shift
    rng = np.random.default_rng(2)
    images, labels = rng.standard_normal((64, 6)), rng.integers(0, 3, 64)
    model = _tiny_mlp(True)
    shift.track_training(model, images, labels, images[:8], 3, steps=1, lr=0.0, batch_size=64)
    # One training batch (all 64 images, lr 0: the weights do not move), so one momentum update of the running mean.
    expected = 0.1 * nn.Sequential(model[0])(images).mean(axis=0)
    np.testing.assert_allclose(model[1].running_mean, expected, rtol=1e-6, atol=1e-9)


def test_track_training_names_a_bad_layer():
    from cnnlab.teaching.normalization import shift
    with pytest.raises(ValueError, match="layer must be an index"):
        shift.track_training(_tiny_mlp(False), np.ones((4, 6)), np.zeros(4, int), np.ones((2, 6)), 9, steps=1)


def test_new_plots_draw():
    from cnnlab.teaching.normalization import inputs
    X, y = inputs.two_scale_regression(n=30)
    record = {key: np.linspace(0.1, 1, 20) for key in ("loss", "input_mean", "input_std", "gradient_norm",
                                                        "loss_range", "gradient_change")}
    for fig in (plots.plot_descent_paths({"raw": (X, y, inputs.gradient_descent(X, y, 5)[0])}),
                plots.plot_shift_and_smoothness({"without": record, "with": record}, smooth=5)):
        assert isinstance(fig, matplotlib.figure.Figure)
        fig.canvas.draw()
    plt.close("all")


@pytest.mark.torch
def test_the_backward_the_check_accepts_matches_pytorch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x, g = rng.normal(3.0, 2.0, size=(4, 3, 5, 4)), rng.standard_normal((4, 3, 5, 4))
    gamma = np.array([2.0, 0.5, -1.0])
    x_t = torch.tensor(x, requires_grad=True)
    gamma_t = torch.tensor(gamma, requires_grad=True)
    beta_t = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.batch_norm(x_t, None, None, gamma_t, beta_t, training=True, eps=1e-5).backward(
        torch.from_numpy(g))
    dx, dgamma, dbeta = right_bn_backward(g, x, gamma, 1e-5)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(dgamma, gamma_t.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(dbeta, beta_t.grad.numpy(), rtol=1e-10)
