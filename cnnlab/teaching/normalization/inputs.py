"""Why normalise the inputs: gradient descent on a least-squares loss whose features have very different scales.

For a linear model ``y_hat = X w`` and the loss ``L(w) = mean((X w - y)^2) / 2`` the Hessian is ``H = X^T X / N``.
Gradient descent is stable for learning rates below ``2 / lambda_max(H)``, and with ``lr = 1 / lambda_max`` the
slowest direction shrinks by ``1 - lambda_min / lambda_max`` per step: a feature a hundred times larger than
another makes the condition number ``lambda_max / lambda_min`` about ten thousand, and descent crawls. Standardised
features (mean 0, standard deviation 1 each) give a condition number near 1.
"""
import numpy as np

__all__ = ["two_scale_regression", "standardise_with", "hessian", "condition_number", "loss", "gradient_descent",
           "steps_to_reach"]


def two_scale_regression(n=200, scales=(1.0, 10.0), weights=(2.0, -0.3), noise=0.1, seed=0):
    """Two features on very different scales and a target that depends on both.

    Returns
    -------
    X : ndarray, shape (n, 2)
        Feature k drawn from Normal(0, scales[k]^2).
    y : ndarray, shape (n,)
        ``X @ weights`` plus Normal(0, noise^2).
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2)) * np.asarray(scales, dtype=float)
    return X, X @ np.asarray(weights, dtype=float) + noise * rng.standard_normal(n)


def standardise_with(X, mean, std):
    """``(X - mean) / std`` per feature: the statistics come from the training set, for every set."""
    return (np.asarray(X, dtype=float) - mean) / std


def hessian(X):
    """The Hessian ``X^T X / N`` of the least-squares loss, shape (D, D)."""
    X = np.asarray(X, dtype=float)
    return X.T @ X / len(X)


def condition_number(X):
    """``lambda_max / lambda_min`` of :func:`hessian`: 1 is a round bowl, large is a narrow valley."""
    eigenvalues = np.linalg.eigvalsh(hessian(X))
    return float(eigenvalues[-1] / eigenvalues[0])


def loss(X, y, w):
    """``mean((X w - y)^2) / 2`` for one weight vector ``w`` (D,) or many, shape (..., D)."""
    residual = np.asarray(w, dtype=float) @ np.asarray(X, dtype=float).T - y
    return 0.5 * np.mean(residual ** 2, axis=-1)


def gradient_descent(X, y, steps, lr=None, start=(0.0, 0.0)):
    """Full-batch gradient descent on the least-squares loss.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    y : ndarray, shape (N,)
    steps : int
    lr : float, optional
        Defaults to ``1 / lambda_max`` of the Hessian, the largest step that does not overshoot in any direction.
    start : sequence of D floats

    Returns
    -------
    path : ndarray, shape (steps + 1, D)
        The weights before the first step and after each.
    losses : ndarray, shape (steps + 1,)
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    lr = 1 / np.linalg.eigvalsh(hessian(X))[-1] if lr is None else lr
    w = np.array(start, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        w = w - lr * X.T @ (X @ w - y) / len(X)
        path.append(w.copy())
    path = np.array(path)
    return path, loss(X, y, path)


def steps_to_reach(losses, best, tolerance=1e-3):
    """The first step whose loss is within ``tolerance`` (relative to the start's excess) of ``best``; None if never."""
    excess = (np.asarray(losses) - best) / (losses[0] - best)
    reached = np.flatnonzero(excess < tolerance)
    return int(reached[0]) if reached.size else None
