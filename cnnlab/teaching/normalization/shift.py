"""What can be measured of the lecture's two explanations of batch norm: "internal covariate shift" and "smoothing".

Ioffe and Szegedy (2015) proposed that batch norm helps because it keeps the distribution of each layer's input
from drifting while the earlier layers learn (internal covariate shift). Santurkar et al. (2018) disputed it and
argued that batch norm makes the loss and its gradient change more gently along the gradient (smoothing).
:func:`track_training` trains a network with plain SGD and records, at every step:

- the mean and standard deviation of one layer's input on a fixed probe batch (the drift Ioffe and Szegedy mean);
- the range of the loss along the gradient direction, ``L(w - eta g)`` for a few step sizes ``eta`` (how far
  one can trust the gradient: the first of Santurkar et al.'s measurements);
- how much the gradient changes over one step, ``|g(w - lr g) - g(w)|`` (their "beta-smoothness").

The extra forward passes run on a copy of the network, so the training itself is plain SGD and batch norm's
running statistics see only the training batches.
"""
import copy

import numpy as np

from ... import nn

__all__ = ["track_training", "STEP_SCALES"]

#: The step sizes along the gradient, as multiples of the learning rate, at which the loss is measured.
STEP_SCALES = (0.25, 0.5, 1.0, 2.0, 4.0)


def _parameters(model):
    return [p for p in model.parameters() if p.requires_grad]


def _loss_and_gradient(model, images, labels):
    loss_fn = nn.CrossEntropyLoss()
    model.zero_grad()
    loss = float(loss_fn(model(images), labels))
    model.backward(loss_fn.backward())
    return loss, [p.grad.astype(np.float64) for p in _parameters(model)]


def _layer_input(model, layer, probe):
    h = probe
    for index, module in enumerate(model):
        if index == layer:
            return h
        h = module(h)
    raise ValueError(f"layer must be an index into the model's {len(model)} layers, got {layer}")


def _set(model, start, gradient, step):
    for p, w, g in zip(_parameters(model), start, gradient):
        p.data[...] = w - step * g


def track_training(model, images, labels, probe, layer, steps=100, lr=0.1, batch_size=64, seed=0):
    """Train ``model`` with SGD for ``steps`` mini-batches and record what the two explanations of batch norm predict.

    Parameters
    ----------
    model : cnnlab.nn.Sequential
        A classifier giving scores (N, classes); trained in place.
    images : ndarray, shape (N, ...)
    labels : ndarray of int, shape (N,)
    probe : ndarray, shape (P, ...)
        Fixed inputs on which the input of ``model[layer]`` is measured after every step.
    layer : int
        The index of the layer whose input is watched.
    steps, lr, batch_size, seed : int, float, int, int
        Plain SGD on batches drawn with ``numpy.random.default_rng(seed)``.

    Returns
    -------
    dict of ndarray, each of shape (steps,)
        ``"loss"`` (the batch's loss before the step), ``"input_mean"`` and ``"input_std"`` (of the watched
        layer's input on the probe, after the step), ``"gradient_norm"``, ``"loss_range"`` (max - min of the
        loss at ``w - s * lr * g`` for ``s`` in :data:`STEP_SCALES`) and ``"gradient_change"``
        (``|g(w - lr g) - g(w)|``).
    """
    if not 0 <= layer < len(model):
        raise ValueError(f"layer must be an index into the model's {len(model)} layers, got {layer}")
    rng = np.random.default_rng(seed)
    record = {key: [] for key in ("loss", "input_mean", "input_std", "gradient_norm", "loss_range",
                                  "gradient_change")}
    model.train()
    for _ in range(steps):
        batch = rng.choice(len(images), size=batch_size, replace=False)
        x, t = images[batch], labels[batch]
        loss, gradient = _loss_and_gradient(model, x, t)
        start = [p.data.astype(np.float64) for p in _parameters(model)]
        look_ahead = copy.deepcopy(model)  # the extra passes must not touch the running statistics
        losses = []
        for scale in STEP_SCALES:
            _set(look_ahead, start, gradient, scale * lr)
            losses.append(float(nn.CrossEntropyLoss()(look_ahead(x), t)))
        _set(look_ahead, start, gradient, lr)
        _, next_gradient = _loss_and_gradient(look_ahead, x, t)
        _set(model, start, gradient, lr)  # the SGD step itself
        watched = _layer_input(look_ahead, layer, probe)  # the copy holds the same new weights
        record["loss"].append(loss)
        record["input_mean"].append(float(watched.mean()))
        record["input_std"].append(float(watched.std()))
        record["gradient_norm"].append(float(np.sqrt(sum((g ** 2).sum() for g in gradient))))
        record["loss_range"].append(max(losses) - min(losses))
        record["gradient_change"].append(float(np.sqrt(sum(((a - b) ** 2).sum()
                                                            for a, b in zip(next_gradient, gradient)))))
    return {key: np.array(values) for key, values in record.items()}
