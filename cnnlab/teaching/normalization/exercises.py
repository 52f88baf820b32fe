"""Exercise checks for notebook 07: normalising the inputs, batch norm forward and backward, dropout.

The right answers come from cnnlab's reference, ``F.batch_norm_forward`` / ``F.batch_norm_backward`` and
``F.dropout_forward`` / ``F.dropout_backward``, and the backward passes are also compared with a numerical
gradient (:func:`cnnlab.gradcheck.numerical_gradient`). The typical slips are rebuilt here (the variance
with N - 1, the statistics per pixel instead of per channel, eps outside the root, the biased running
variance, batch statistics at test time, gradients not summed over N, H, W, dropout not rescaled, p as
the keep probability, a new mask in backward) so that a student's numbers that match one get its name.
"""
import numpy as np

from ... import functional as F
from ...gradcheck import numerical_gradient, relative_error
from ..checks import Hint, call, exercise, expect, expect_shape

CHANNEL_AXES = (0, 2, 3)  # batch norm of images: one mean and variance per channel, over N, H and W


def _close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6, atol=1e-8)


def _first_difference(answer, expected):
    where = tuple(int(i) for i in np.argwhere(~np.isclose(answer, expected, rtol=1e-6, atol=1e-8))[0])
    return f"at index {where}: got {answer[where]:.6g}, expected {expected[where]:.6g}"


def _name_the_slip(answer, expected, slips, advice):
    """Pass when ``answer`` matches ``expected``; else raise the advice of the slip it matches, or ``advice``."""
    if _close(answer, expected):
        return
    for hint, wrong in slips.items():
        if _close(answer, wrong):
            raise Hint(hint)
    raise Hint(f"the values differ {_first_difference(answer, expected)}. {advice}")


def _per_channel(values):
    return np.asarray(values).reshape(1, -1, 1, 1)


def _images(rng, n=4, channels=3, size=(5, 4)):
    # Channels on very different scales and offsets, so that the wrong axes or a missing term show.
    scale, offset = np.array([1.0, 10.0, 0.1]), np.array([5.0, -20.0, 0.3])
    return rng.standard_normal((n, channels, *size)) * _per_channel(scale) + _per_channel(offset)


def _normalise(x, mean, var, gamma, beta, eps):
    return _per_channel(gamma) * (x - mean) / np.sqrt(var + eps) + _per_channel(beta)


GAMMA, BETA, EPS = np.array([2.0, 0.5, -1.0]), np.array([0.1, 3.0, -2.0]), 1e-5


# ------------------------------------------------------------------------------ normalising the inputs
@exercise("07.1 Standardise the inputs with the training statistics")
def check_standardise(standardise):
    """Check ``standardise(train, test)`` returns both sets scaled with the training set's mean and std per feature."""
    rng = np.random.default_rng(7)
    scale, offset = np.array([1.0, 100.0, 0.01]), np.array([3.0, 500.0, -0.2])
    train = rng.standard_normal((50, 3)) * scale + offset
    test = rng.standard_normal((20, 3)) * scale * 1.5 + offset + scale  # the test set is shifted and wider
    answer = call(standardise, train.copy(), test.copy())
    expect(isinstance(answer, tuple) and len(answer) == 2,
           f"return the pair (train_scaled, test_scaled), got {type(answer).__name__}.")
    train_scaled, test_scaled = (np.asarray(a, dtype=float) for a in answer)
    expect_shape(train_scaled, train.shape, "the scaled training set", "standardising keeps the shape.")
    expect_shape(test_scaled, test.shape, "the scaled test set", "standardising keeps the shape.")
    mean, std = train.mean(axis=0), train.std(axis=0)
    pooled = np.concatenate([train, test])
    train_slips = {
        "you normalised each example (a row, axis=1); normalise each feature (a column) over the examples, axis=0.":
            (train - train.mean(axis=1, keepdims=True)) / train.std(axis=1, keepdims=True),
        "you took the statistics of training and test data together: use the training set's alone, "
        "as if the test set were not there yet.": (train - pooled.mean(axis=0)) / pooled.std(axis=0),
        "divide by the standard deviation, not by the variance.": (train - mean) / train.var(axis=0),
        "you forgot to subtract the mean.": train / std,
        "use the standard deviation with ddof=0 (np.std's default, as scikit-learn's StandardScaler).":
            (train - mean) / train.std(axis=0, ddof=1),
    }
    _name_the_slip(train_scaled, (train - mean) / std, train_slips,
                   "Subtract train.mean(axis=0) and divide by train.std(axis=0).")
    test_slips = {
        "the test set was scaled with its own mean and std: a model sees the test data one example at a time, "
        "after training, so use the training set's statistics for it too.":
            (test - test.mean(axis=0)) / test.std(axis=0),
        "you took the statistics of training and test data together: use the training set's alone.":
            (test - pooled.mean(axis=0)) / pooled.std(axis=0),
    }
    _name_the_slip(test_scaled, (test - mean) / std, test_slips,
                   "Scale the test set with the training set's mean and std.")
    return (f"the training set has mean 0 and std 1 per feature; the test set comes out with means "
            f"{np.round(test_scaled.mean(axis=0), 2)}: it is shifted, and standardising must not hide that.")


# ------------------------------------------------------------------------------ batch norm forward
@exercise("07.2 Batch norm forward, training")
def check_batch_norm_train_forward(batch_norm_train_forward):
    """Check ``batch_norm_train_forward(x, gamma, beta, eps)`` on images ``(N, C, H, W)`` against cnnlab."""
    x = _images(np.random.default_rng(2))
    answer = call(batch_norm_train_forward, x.copy(), GAMMA.copy(), BETA.copy(), EPS)
    expect_shape(answer, x.shape, "the output", "batch norm keeps the shape of x: (N, C, H, W).")
    answer = np.asarray(answer, dtype=float)
    expected = F.batch_norm_forward(x, None, None, GAMMA, BETA, training=True, eps=EPS)[0]
    mean, var = x.mean(axis=CHANNEL_AXES, keepdims=True), x.var(axis=CHANNEL_AXES, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + EPS)
    slips = {
        "you normalised with the unbiased variance (ddof=1); batch norm divides by N * H * W: "
        "x.var(axis=(0, 2, 3)).": _normalise(x, mean, x.var(axis=CHANNEL_AXES, keepdims=True, ddof=1), GAMMA,
                                             BETA, EPS),
        "your statistics are per pixel (over the batch only, axis=0): batch norm of images takes one mean and "
        "one variance per channel, over N, H and W: axis=(0, 2, 3).":
            _normalise(x, x.mean(axis=0), x.var(axis=0), GAMMA, BETA, EPS),
        "you normalised each example on its own (axis=(1, 2, 3)): batch norm normalises each channel over the "
        "batch and the pixels, axis=(0, 2, 3).":
            _normalise(x, x.mean(axis=(1, 2, 3), keepdims=True), x.var(axis=(1, 2, 3), keepdims=True), GAMMA,
                       BETA, EPS),
        "you took one mean and variance for everything: batch norm keeps one per channel, axis=(0, 2, 3).":
            _normalise(x, x.mean(), x.var(), GAMMA, BETA, EPS),
        "epsilon goes under the square root: sqrt(var + eps), not sqrt(var) + eps.":
            _per_channel(GAMMA) * (x - mean) / (np.sqrt(var) + EPS) + _per_channel(BETA),
        "the output is x-hat itself: scale by gamma and shift by beta, gamma * x_hat + beta.": x_hat,
        "gamma and beta are swapped: gamma scales (multiplies), beta shifts (adds).":
            _per_channel(BETA) * x_hat + _per_channel(GAMMA),
        "divide by the standard deviation sqrt(var + eps), not by the variance.":
            _per_channel(GAMMA) * (x - mean) / (var + EPS) + _per_channel(BETA),
        "you forgot to subtract the batch mean.": _normalise(x, 0.0, var, GAMMA, BETA, EPS),
        "you forgot eps: divide by sqrt(var + eps), which keeps a constant channel finite.":
            _normalise(x, mean, var, GAMMA, BETA, 0.0),
    }
    _name_the_slip(answer, expected, slips, "Per channel: mu and var over axis=(0, 2, 3) with keepdims=True, then "
                                            "gamma * (x - mu) / sqrt(var + eps) + beta, gamma and beta reshaped to "
                                            "(1, C, 1, 1).")
    # A channel that never changes has variance 0: only eps keeps the division finite.
    constant = x.copy()
    constant[:, 1] = 4.0
    with np.errstate(divide="ignore", invalid="ignore"):
        answer = np.asarray(call(batch_norm_train_forward, constant.copy(), GAMMA.copy(), BETA.copy(), EPS), float)
    expect(np.isfinite(answer).all(), "a constant channel (variance 0) gave NaN or infinity: add eps under the root.")
    return "each channel now has mean 0 and variance 1 over N, H and W, before gamma and beta reshape it."


@exercise("07.3 The running statistics, as PyTorch updates them")
def check_update_running_stats(update_running_stats):
    """Check ``update_running_stats(running_mean, running_var, x, momentum)`` returns the new pair."""
    rng = np.random.default_rng(3)
    running_mean, running_var = np.array([0.5, -1.0, 0.0]), np.array([2.0, 1.0, 0.5])
    momentum = 0.1
    for step in range(2):
        x = _images(rng)
        answer = call(update_running_stats, running_mean.copy(), running_var.copy(), x.copy(), momentum)
        expect(isinstance(answer, tuple) and len(answer) == 2,
               f"return the pair (new_running_mean, new_running_var), got {type(answer).__name__}.")
        new_mean, new_var = (np.asarray(a, dtype=float) for a in answer)
        advice = "one value per channel: reduce over N, H and W, axis=(0, 2, 3)."
        expect_shape(new_mean, (3,), "the new running mean", advice)
        expect_shape(new_var, (3,), "the new running variance", advice)
        right_mean, right_var = running_mean.copy(), running_var.copy()
        F.batch_norm_forward(x, right_mean, right_var, training=True, momentum=momentum)
        batch_mean, m = x.mean(axis=CHANNEL_AXES), momentum
        _name_the_slip(new_mean, right_mean, {
            "the momentum is the wrong way round: PyTorch keeps 1 - momentum = 0.9 of the old value and adds "
            "momentum = 0.1 of the batch's: (1 - m) * running + m * batch.": m * running_mean + (1 - m) * batch_mean,
            "you returned the batch mean: blend it into the running mean, (1 - m) * running + m * batch.":
                batch_mean,
        }, f"Step {step + 1}: expected 0.9 * {np.round(running_mean, 4)} + 0.1 * the batch mean.")
        unbiased = x.var(axis=CHANNEL_AXES, ddof=1)
        _name_the_slip(new_var, right_var, {
            "PyTorch updates the running variance with the *unbiased* batch variance, "
            "x.var(axis=(0, 2, 3), ddof=1), though it normalises the batch with the biased one.":
                (1 - m) * running_var + m * x.var(axis=CHANNEL_AXES),
            "the momentum is the wrong way round for the variance: (1 - m) * running + m * batch.":
                m * running_var + (1 - m) * unbiased,
            "the running statistic is the variance, not the standard deviation.":
                (1 - m) * running_var + m * np.sqrt(unbiased),
        }, f"Step {step + 1}: expected 0.9 * {np.round(running_var, 4)} + 0.1 * the unbiased batch variance.")
        running_mean, running_var = right_mean, right_var
    return "(1 - 0.1) * old + 0.1 * batch, with the unbiased variance for running_var, as torch.nn.BatchNorm2d does."


@exercise("07.4 Batch norm at test time")
def check_batch_norm_eval_forward(batch_norm_eval_forward):
    """Check ``batch_norm_eval_forward(x, gamma, beta, running_mean, running_var, eps)`` against cnnlab's eval mode."""
    x = _images(np.random.default_rng(4))
    running_mean, running_var = np.array([4.0, -18.0, 0.2]), np.array([1.5, 80.0, 0.02])
    answer = call(batch_norm_eval_forward, x.copy(), GAMMA.copy(), BETA.copy(), running_mean.copy(),
                  running_var.copy(), EPS)
    expect_shape(answer, x.shape, "the output", "batch norm keeps the shape of x: (N, C, H, W).")
    answer = np.asarray(answer, dtype=float)
    expected = F.batch_norm_forward(x, running_mean, running_var, GAMMA, BETA, training=False, eps=EPS)[0]
    mean, var = _per_channel(running_mean), _per_channel(running_var)
    slips = {
        "you used the batch's own statistics: at test time batch norm uses the running mean and variance from "
        "training, so each example's output does not depend on the others in its batch.":
            _normalise(x, x.mean(axis=CHANNEL_AXES, keepdims=True), x.var(axis=CHANNEL_AXES, keepdims=True),
                       GAMMA, BETA, EPS),
        "epsilon goes under the square root: sqrt(running_var + eps).":
            _per_channel(GAMMA) * (x - mean) / (np.sqrt(var) + EPS) + _per_channel(BETA),
        "running_var is a variance: divide by its square root, sqrt(running_var + eps).":
            _per_channel(GAMMA) * (x - mean) / (var + EPS) + _per_channel(BETA),
        "scale by gamma and shift by beta after normalising.": (x - mean) / np.sqrt(var + EPS),
    }
    _name_the_slip(answer, expected, slips, "gamma * (x - running_mean) / sqrt(running_var + eps) + beta, "
                                            "all reshaped to (1, C, 1, 1).")
    one = np.asarray(call(batch_norm_eval_forward, x[:1].copy(), GAMMA.copy(), BETA.copy(), running_mean.copy(),
                          running_var.copy(), EPS), dtype=float)
    expect(_close(one, expected[:1]), "a single image should give the same output alone as inside the batch.")
    return "with the running statistics each image is normalised on its own: a batch of one works."


# ------------------------------------------------------------------------------ batch norm backward
def _batch_norm_loss_gradient(x, gamma, grad_output, eps):
    """The numerical gradient of sum(grad_output * batch_norm(x)) with respect to x, in training mode."""
    x = x.copy()
    return numerical_gradient(
        lambda: float((F.batch_norm(x, None, None, gamma, None, training=True, eps=eps) * grad_output).sum()), x)


def _backward_slips(g, x, gamma, eps):
    """Wrong input gradients, each with the advice that fixes it."""
    def compact(mean, var):
        x_hat, inv_std = (x - mean) / np.sqrt(var + eps), 1 / np.sqrt(var + eps)
        dx_hat = g * _per_channel(gamma)
        return x_hat, inv_std, dx_hat

    mean, var = x.mean(axis=CHANNEL_AXES, keepdims=True), x.var(axis=CHANNEL_AXES, keepdims=True)
    x_hat, inv_std, dx_hat = compact(mean, var)

    def mean_(a):
        return a.mean(axis=CHANNEL_AXES, keepdims=True)

    ux_hat, uinv_std, udx_hat = compact(mean, x.var(axis=CHANNEL_AXES, keepdims=True, ddof=1))
    px_hat, pinv_std, pdx_hat = compact(x.mean(axis=0), x.var(axis=0))
    return {
        "dx treats the mean and the variance as constants: that is the gradient at test time. In training both "
        "depend on every input, which adds two terms: dx = gamma / sqrt(var + eps) * (g - mean(g) - "
        "x_hat * mean(g * x_hat)).": inv_std * dx_hat,
        "dx is missing the term from the mean: subtract mean(gamma * g) over N, H, W as well.":
            inv_std * (dx_hat - x_hat * mean_(dx_hat * x_hat)),
        "dx is missing the term from the variance: subtract x_hat * mean(gamma * g * x_hat) as well.":
            inv_std * (dx_hat - mean_(dx_hat)),
        "you used the variance with N - 1 (ddof=1): the forward pass normalises with the biased variance, "
        "divided by N * H * W, and so does its gradient.":
            uinv_std * (udx_hat - mean_(udx_hat) - ux_hat * mean_(udx_hat * ux_hat)),
        "your statistics are per pixel (axis=0): take the means over N, H and W, axis=(0, 2, 3).":
            pinv_std * (pdx_hat - pdx_hat.mean(axis=0) - px_hat * (pdx_hat * px_hat).mean(axis=0)),
        "dx forgot gamma: the gradient reaching x_hat is gamma * g.":
            inv_std * (g - mean_(g) - x_hat * mean_(g * x_hat)),
    }


@exercise("07.5 Batch norm backward")
def check_batch_norm_backward(batch_norm_backward):
    """Check ``batch_norm_backward(grad_output, x, gamma, eps)`` returns ``(dx, dgamma, dbeta)`` of training mode."""
    rng = np.random.default_rng(5)
    x = _images(rng)
    g = rng.standard_normal(x.shape)
    answer = call(batch_norm_backward, g.copy(), x.copy(), GAMMA.copy(), EPS)
    expect(isinstance(answer, tuple) and len(answer) == 3,
           f"return the triple (dx, dgamma, dbeta), got {type(answer).__name__}.")
    dx, dgamma, dbeta = (np.asarray(a, dtype=float) for a in answer)
    expect_shape(dx, x.shape, "dx", "it has the shape of x.")
    for name, grad in (("dgamma", dgamma), ("dbeta", dbeta)):
        if grad.shape in ((3, 5, 4), (4, 3), (1, 3, 5, 4), x.shape):
            raise Hint(f"{name} has shape {grad.shape}: gamma and beta are one number per channel, used at every "
                       "example and pixel, so sum their gradient over N, H and W: axis=(0, 2, 3).")
        expect_shape(grad, (3,), name, "one value per channel: sum over axis=(0, 2, 3).")
    _, ctx = F.batch_norm_forward(x, None, None, GAMMA, BETA, training=True, eps=EPS)
    right_dx, right_dgamma, right_dbeta = F.batch_norm_backward(g, ctx)
    _name_the_slip(dbeta, right_dbeta, {
        "dbeta and dgamma are swapped: dbeta = sum(g), dgamma = sum(g * x_hat).": right_dgamma,
    }, "dbeta = g.sum(axis=(0, 2, 3)).")
    _name_the_slip(dgamma, right_dgamma, {
        "dgamma uses x where it needs x_hat: y = gamma * x_hat + beta, so dgamma = sum(g * x_hat).":
            (g * x).sum(axis=CHANNEL_AXES),
    }, "dgamma = (g * x_hat).sum(axis=(0, 2, 3)).")
    _name_the_slip(dx, right_dx, _backward_slips(g, x, GAMMA, EPS),
                   "dx = gamma / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat)), means over (0, 2, 3).")
    error = relative_error(dx, _batch_norm_loss_gradient(x, GAMMA, g, EPS))
    expect(error < 1e-6, f"dx agrees with cnnlab but not with the numerical gradient (relative error {error:.1e}).")
    return "dx, dgamma and dbeta match cnnlab; dx against the numerical gradient: relative error below 1e-6."


# ------------------------------------------------------------------------------ dropout
def _expect_mask(mask, shape):
    expect(mask is not None, "in training return the mask too: (output, mask), the mask an array of True/False.")
    mask = np.asarray(mask)
    expect_shape(mask, shape, "the mask", "one True/False per value of x.")
    return mask.astype(bool)


@exercise("07.6 Inverted dropout, training and test")
def check_dropout_forward(dropout_forward):
    """Check ``dropout_forward(x, p, training, rng)`` returns ``(output, mask)`` as ``F.dropout_forward``."""
    x = np.random.default_rng(4).uniform(1.0, 2.0, size=(200, 250))  # no zeros, so a zero means dropped
    p, seed = 0.3, 0
    answer = call(dropout_forward, x.copy(), p, True, np.random.default_rng(seed))
    expect(isinstance(answer, tuple) and len(answer) == 2,
           f"return the pair (output, mask), got {type(answer).__name__}.")
    output, mask = answer
    expect_shape(output, x.shape, "the output", "dropout keeps the input's shape.")
    output, mask = np.asarray(output, dtype=float), _expect_mask(mask, x.shape)
    expected, ctx = F.dropout_forward(x, p, training=True, rng=np.random.default_rng(seed))
    kept = mask.mean()
    # 50,000 draws: the fraction kept lies within 0.01 of 1 - p with overwhelming probability.
    if abs(kept - p) < 0.01:
        raise Hint(f"you kept {kept:.1%} of the values, expected 1 - p = {1 - p:.0%}: p is the probability of "
                   "*dropping* a unit, so keep it when rng.random(x.shape) >= p.")
    expect(kept < 1, "nothing was dropped: the mask is rng.random(x.shape) >= p.")
    ratio = output[mask] / x[mask]
    if np.allclose(ratio, 1.0):
        raise Hint("the kept values are not rescaled: divide them by 1 - p, so the expected value of each unit "
                   "stays the same and nothing needs changing at test time.")
    if np.allclose(ratio, 1 - p):
        raise Hint("you multiplied by 1 - p: that is what the *original* dropout does at test time. Inverted "
                   "dropout divides the kept values by 1 - p during training.")
    if np.allclose(ratio, 1 / p):
        raise Hint("you divided by p: divide by the probability of *keeping* a unit, 1 - p.")
    expect(np.allclose(ratio, 1 / (1 - p)) and not output[~mask].any(),
           "the output should be x * mask / (1 - p): the dropped values 0, the kept ones x / (1 - p).")
    expect(np.array_equal(mask, ctx.saved["mask"]),
           f"{kept:.1%} kept is right, but the mask is not the one cnnlab draws from the same generator: draw it "
           "with rng.random(x.shape) >= p (one number per value, from the `rng` argument).")
    expect(np.allclose(output, expected), "the output differs from F.dropout_forward with the same generator.")
    test = call(dropout_forward, x.copy(), p, False, np.random.default_rng(seed))
    expect(isinstance(test, tuple) and len(test) == 2, "in test mode too, return the pair (x, None).")
    test_output = np.asarray(test[0], dtype=float)
    expect_shape(test_output, x.shape, "the test-mode output")
    if not np.allclose(test_output, x):
        raise Hint("dropout was applied in test mode (training=False): there it does nothing, return x unchanged "
                   "(inverted dropout already rescaled during training).")
    return (f"{1 - kept:.1%} zeroed, the rest x {1 / (1 - p):.4f}; mean {output.mean():.4f} against "
            f"{x.mean():.4f} before; in test mode x passes unchanged.")


@exercise("07.7 Dropout backward")
def check_dropout_backward(dropout_backward):
    """Check ``dropout_backward(grad_output, mask, p)`` against ``F.dropout_backward`` and a numerical gradient."""
    rng = np.random.default_rng(6)
    x, g, p, seed = rng.standard_normal((6, 8)), rng.standard_normal((6, 8)), 0.4, 1
    _, ctx = F.dropout_forward(x, p, training=True, rng=seed)
    mask = ctx.saved["mask"]
    dx = call(dropout_backward, g.copy(), mask.copy(), p)
    expect_shape(dx, x.shape, "the gradient", "it has the shape of grad_output.")
    dx = np.asarray(dx, dtype=float)
    expected = F.dropout_backward(g, ctx)
    if not _close(dx, expected):
        if np.any((dx == 0) != ~mask):
            raise Hint("your gradient is zero at other places than the dropped units: backward must use the mask "
                       "the forward pass drew (the argument `mask`), not draw a new one.")
        _name_the_slip(dx, expected, {
            "the gradient is not rescaled: forward multiplied the kept values by 1 / (1 - p), so backward "
            "multiplies their gradient by 1 / (1 - p) too.": g * mask,
            "scale by 1 / (1 - p), not by 1 - p.": g * mask * (1 - p),
        }, "grad_output * mask / (1 - p).")
    x_nudged = x.copy()
    numerical = numerical_gradient(lambda: float((F.dropout(x_nudged, p, True, rng=seed) * g).sum()), x_nudged)
    error = relative_error(dx, numerical)
    expect(error < 1e-6, f"your gradient differs from the numerical one (relative error {error:.1e}).")
    test = call(dropout_backward, g.copy(), None, p)
    expect(test is not None and _close(np.asarray(test, dtype=float), g),
           "in test mode (mask None) dropout is the identity, so its gradient is grad_output unchanged.")
    return "the same mask and scale as forward; against the numerical gradient: relative error below 1e-6."
