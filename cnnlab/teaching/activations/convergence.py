"""How many training iterations ReLU and tanh networks need: the experiment behind "6x faster".

Krizhevsky, Sutskever and Hinton (2012, "ImageNet classification with deep convolutional neural
networks", figure 1) trained the same four-layer convolutional network on CIFAR-10 with ReLUs and with
tanh units, each with its own best learning rate: the ReLU network reached a training error of 25% six
times sooner, counted in epochs. That is a claim about iterations, against tanh, not about the cost of one
evaluation against the sigmoid. This module repeats the experiment in miniature: the same small dense
network (same seed, same initial weights) on two noisy rings of points, full-batch SGD with momentum, a
few learning rates each, counting the iterations until the training error reaches a threshold.
"""
import numpy as np

from ... import nn, optim

__all__ = ["rings", "iterations_to_error", "fewest_iterations"]


def rings(n=300, noise=0.08, seed=0):
    """Two noisy concentric rings of points, radius 0.5 (class 0) and 1 (class 1).

    Returns
    -------
    x : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,)
    """
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    radius = np.where(y == 1, 1.0, 0.5) + rng.normal(0, noise, len(y))
    angle = rng.uniform(0, 2 * np.pi, len(y))
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]), y


def iterations_to_error(activation, x, y, lr, threshold=0.05, depth=6, width=32, max_iterations=400, seed=0):
    """Train a dense network with ``activation`` until its training error is at most ``threshold``.

    Parameters
    ----------
    activation : type
        A layer class of :mod:`cnnlab.nn` (``nn.ReLU``, ``nn.Tanh``), put after every hidden layer.
    x : ndarray, shape (n, features)
    y : ndarray of int, shape (n,)
    lr : float
        The learning rate of SGD with momentum 0.9, full batch.
    threshold : float
        The training error (fraction misclassified) to reach.
    depth, width : int
        ``depth`` linear layers, the hidden ones ``width`` units wide.
    seed : int
        Seeds the initial weights: the same seed gives both activations the same starting weights.

    Returns
    -------
    int or None
        The number of iterations (weight updates) before the error reached ``threshold``; None if it did
        not within ``max_iterations``.
    """
    rng = np.random.default_rng(seed)
    layers, features = [], x.shape[1]
    for _ in range(depth - 1):
        layers += [nn.Linear(features, width, rng=rng), activation()]
        features = width
    network = nn.Sequential(*layers, nn.Linear(features, int(y.max()) + 1, rng=rng))
    loss = nn.CrossEntropyLoss()
    optimizer = optim.SGD(network.parameters(), lr=lr, momentum=0.9)
    for iteration in range(max_iterations + 1):
        optimizer.zero_grad()
        scores = network(x)
        if np.mean(scores.argmax(axis=1) != y) <= threshold:
            return iteration
        loss(scores, y)
        network.backward(loss.backward())
        optimizer.step()
    return None


def fewest_iterations(activation, x, y, learning_rates=(0.1, 0.3, 0.5), **options):
    """The fewest iterations over ``learning_rates`` (each network gets its best, as in the paper).

    Returns
    -------
    int or None
        None when no learning rate reached the threshold.
    """
    counts = [iterations_to_error(activation, x, y, lr, **options) for lr in learning_rates]
    reached = [count for count in counts if count is not None]
    return min(reached) if reached else None
