"""Exercise checks for notebook 07, batch normalisation and dropout.

The right answers come from :func:`cnnlab.functional.batch_norm`; the checks only rebuild the
typical slips (the unbiased variance, the wrong axis, the momentum the wrong way round, scaling by
1 - p instead of 1 / (1 - p)) to name them when a student's numbers match one.
"""
import numpy as np

from ..checks import Hint, call, exercise, expect, expect_shape


def _library_batch_norm(z, gamma, beta, eps, running_mean=None, running_var=None, momentum=0.1):
    """Training-mode batch norm of a (N, D) batch with cnnlab, and the running statistics after the update."""
    from ...functional import batch_norm

    features = z.shape[1]
    running_mean = np.zeros(features) if running_mean is None else np.array(running_mean, dtype=float)
    running_var = np.ones(features) if running_var is None else np.array(running_var, dtype=float)
    output = batch_norm(z, running_mean, running_var, weight=gamma, bias=beta, training=True,
                        momentum=momentum, eps=eps)
    return output, running_mean, running_var


def _batch(rng, n=6, features=3):
    # Features on different scales and offsets, so that normalising the wrong axis shows.
    return rng.standard_normal((n, features)) * np.array([1.0, 10.0, 0.1]) + np.array([5.0, -20.0, 0.3])


@exercise("07.1 Batch norm forward by hand")
def check_batch_norm_forward(batch_norm_forward):
    """Check ``batch_norm_forward(z, gamma, beta, eps)`` normalises each feature (column) over the batch."""
    rng = np.random.default_rng(2)
    z = _batch(rng)
    gamma, beta, eps = np.array([2.0, 0.5, -1.0]), np.array([0.1, 3.0, -2.0]), 1e-5
    answer = call(batch_norm_forward, z.copy(), gamma.copy(), beta.copy(), eps)
    expect_shape(answer, z.shape, "the output", "batch norm keeps the shape of z: (N, D).")
    answer = np.asarray(answer, dtype=float)
    expected, _, _ = _library_batch_norm(z, gamma, beta, eps)
    if np.allclose(answer, expected, rtol=1e-6, atol=1e-8):
        return _constant_feature_case(batch_norm_forward)
    mean, var = z.mean(axis=0), z.var(axis=0)
    z_hat = (z - mean) / np.sqrt(var + eps)
    row_hat = (z - z.mean(axis=1, keepdims=True)) / np.sqrt(z.var(axis=1, keepdims=True) + eps)
    slips = {
        "you used the unbiased variance (ddof=1); batch norm divides by N: z.var(axis=0).":
            gamma * (z - mean) / np.sqrt(z.var(axis=0, ddof=1) + eps) + beta,
        "you normalised each example (a row, axis=1); batch norm normalises each feature over the batch (axis=0).":
            gamma * row_hat + beta,
        "the output is z-hat itself: scale by gamma and shift by beta, gamma * z_hat + beta.": z_hat,
        "gamma and beta are swapped: gamma scales (multiplies), beta shifts (adds).": beta * z_hat + gamma,
        "epsilon goes under the square root: sqrt(var + eps), not sqrt(var) + eps.":
            gamma * (z - mean) / (np.sqrt(var) + eps) + beta,
        "divide by the standard deviation sqrt(var + eps), not by the variance.": gamma * (z - mean) / (var + eps) + beta,
        "you forgot eps: divide by sqrt(var + eps), which keeps a constant feature finite.":
            gamma * (z - mean) / np.sqrt(var) + beta,
        "you forgot to subtract the batch mean.": gamma * z / np.sqrt(var + eps) + beta,
    }
    for advice, wrong in slips.items():
        if np.allclose(answer, wrong, rtol=1e-6, atol=1e-8):
            raise Hint(advice)
    where = tuple(int(i) for i in np.argwhere(~np.isclose(answer, expected, rtol=1e-6, atol=1e-8))[0])
    raise Hint(f"the output differs at index {where}: got {answer[where]:.6g}, expected {expected[where]:.6g}. "
               "Compute mu and var per column (axis=0), then gamma * (z - mu) / sqrt(var + eps) + beta.")


def _constant_feature_case(batch_norm_forward):
    # A feature that never changes in the batch has variance 0: only eps keeps the division finite.
    z = np.array([[1.0, 4.0], [2.0, 4.0], [3.0, 4.0], [6.0, 4.0]])
    gamma, beta, eps = np.ones(2), np.zeros(2), 1e-5
    with np.errstate(divide="ignore", invalid="ignore"):
        answer = np.asarray(call(batch_norm_forward, z.copy(), gamma, beta, eps), dtype=float)
    expect(np.isfinite(answer).all(), "a constant feature (variance 0) gave NaN or infinity: add eps under the root.")
    expected, _, _ = _library_batch_norm(z, gamma, beta, eps)
    expect(np.allclose(answer, expected, rtol=1e-6, atol=1e-8),
           "a constant feature should give zeros (z - mu = 0); the other column (1, 2, 3, 6) has mu = 3, "
           "var = 3.5.")
    return "each feature now has mean 0 and variance 1 over the batch, before gamma and beta reshape it."


@exercise("07.2 The running statistics, as PyTorch updates them")
def check_update_running_stats(update_running_stats):
    """Check ``update_running_stats(running_mean, running_var, z, momentum)`` returns the new pair."""
    rng = np.random.default_rng(3)
    running_mean, running_var = np.array([0.5, -1.0, 0.0]), np.array([2.0, 1.0, 0.5])
    for step in range(2):
        z = _batch(rng, n=8)
        momentum = 0.1
        answer = call(update_running_stats, running_mean.copy(), running_var.copy(), z.copy(), momentum)
        expect(isinstance(answer, tuple) and len(answer) == 2,
               f"return the pair (new_running_mean, new_running_var), got {type(answer).__name__}.")
        new_mean, new_var = (np.asarray(a, dtype=float) for a in answer)
        expect_shape(new_mean, (3,), "the new running mean", "one value per feature: reduce over the batch, axis=0.")
        expect_shape(new_var, (3,), "the new running variance", "one value per feature: reduce over the batch, axis=0.")
        _, right_mean, right_var = _library_batch_norm(z, None, None, 1e-5, running_mean, running_var, momentum)
        batch_mean = z.mean(axis=0)
        if not np.allclose(new_mean, right_mean):
            if np.allclose(new_mean, momentum * running_mean + (1 - momentum) * batch_mean):
                raise Hint("the momentum is the wrong way round: PyTorch keeps 1 - momentum = 0.9 of the old value "
                           "and adds momentum = 0.1 of the batch's: (1 - m) * running + m * batch.")
            if np.allclose(new_mean, batch_mean):
                raise Hint("you returned the batch mean: blend it into the running mean, (1 - m) * running + m * batch.")
            raise Hint(f"step {step + 1}: the running mean is {np.round(new_mean, 4)}, expected "
                       f"{np.round(right_mean, 4)} = 0.9 * {np.round(running_mean, 4)} + 0.1 * batch mean.")
        if not np.allclose(new_var, right_var):
            biased = (1 - momentum) * running_var + momentum * z.var(axis=0)
            if np.allclose(new_var, biased):
                raise Hint("PyTorch updates the running variance with the *unbiased* batch variance, "
                           "z.var(axis=0, ddof=1), though it normalises the batch with the biased one.")
            if np.allclose(new_var, momentum * running_var + (1 - momentum) * z.var(axis=0, ddof=1)):
                raise Hint("the momentum is the wrong way round for the variance: (1 - m) * running + m * batch.")
            if np.allclose(new_var, (1 - momentum) * running_var + momentum * z.std(axis=0, ddof=1)):
                raise Hint("the running statistic is the variance, not the standard deviation.")
            raise Hint(f"step {step + 1}: the running variance is {np.round(new_var, 4)}, expected "
                       f"{np.round(right_var, 4)}.")
        running_mean, running_var = right_mean, right_var
    return "(1 - 0.1) * old + 0.1 * batch, with the unbiased variance for running_var, as torch.nn.BatchNorm does."


@exercise("07.3 Inverted dropout")
def check_inverted_dropout(inverted_dropout):
    """Check ``inverted_dropout(x, p, rng)`` zeroes a fraction p at random and scales the rest by 1 / (1 - p)."""
    x = np.random.default_rng(4).uniform(1.0, 2.0, size=(200, 250))  # no zeros, so a zero means dropped
    p = 0.3
    output = call(inverted_dropout, x.copy(), p, np.random.default_rng(0))
    expect_shape(output, x.shape, "the output", "dropout keeps the input's shape.")
    output = np.asarray(output, dtype=float)
    again = np.asarray(call(inverted_dropout, x.copy(), p, np.random.default_rng(0)), dtype=float)
    expect(np.array_equal(output, again), "two calls with generators seeded alike differ: draw the mask from the "
                                          "`rng` argument (rng.random), not from np.random.")
    dropped = output == 0
    fraction = dropped.mean()
    # 50,000 draws: the fraction dropped lies within 0.01 of p with overwhelming probability.
    if abs(fraction - (1 - p)) < 0.01:
        raise Hint(f"{fraction:.1%} of the values were zeroed, expected p = {p:.0%}: p is the probability of "
                   "*dropping* a unit, so keep it when rng.random(shape) >= p (or < 1 - p).")
    expect(fraction > 0, "nothing was zeroed: build a mask with rng.random(x.shape) >= p and multiply by it.")
    rows_all_or_nothing = np.all(dropped == dropped[:, :1], axis=1).all()
    expect(not rows_all_or_nothing, "whole rows are dropped together: draw one random number per value, "
                                    "with the shape of x, not one per row.")
    expect(abs(fraction - p) < 0.01, f"{fraction:.1%} of the values were zeroed, expected about p = {p:.0%}.")
    kept = ~dropped
    ratio = output[kept] / x[kept]
    if np.allclose(ratio, 1.0):
        raise Hint("the kept values are unchanged: scale them by 1 / (1 - p), so the expected value of each unit "
                   "stays the same and nothing needs changing at test time.")
    if np.allclose(ratio, 1 - p):
        raise Hint("you multiplied by 1 - p: that is what the *original* dropout does at test time. Inverted "
                   "dropout divides the kept values by 1 - p during training.")
    expect(np.allclose(ratio, 1 / (1 - p)), f"kept values were multiplied by {ratio.mean():.4f}, expected "
                                            f"1 / (1 - p) = {1 / (1 - p):.4f}.")
    unchanged = np.asarray(call(inverted_dropout, x.copy(), 0.0, np.random.default_rng(0)), dtype=float)
    expect(np.allclose(unchanged, x), "with p = 0 nothing should be dropped and nothing scaled.")
    return (f"{fraction:.1%} zeroed, the rest x {1 / (1 - p):.4f}; mean {output.mean():.4f} against "
            f"{x.mean():.4f} before: the expectation is preserved.")
