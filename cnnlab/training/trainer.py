"""The training loop: mini-batches, forward, loss, backward, step; then evaluation.

The lecture's terms, as they happen here:

- **iteration**: one forward (and backward) pass on one mini-batch, followed by one optimizer step;
- **batch size**: the number of images in that mini-batch;
- **epoch**: one full pass over the training set (``ceil(N / batch_size)`` iterations);
- **learning rate**: the optimizer's ``lr`` (update = learning rate x gradient);
- **max epochs**: ``epochs``, how many passes to make.
"""
import time

import numpy as np

from .._validate import positive_int
from .history import History
from .metrics import accuracy as _accuracy
from ._threads import blas_threads
from .progress import make_progress

__all__ = ["fit", "evaluate", "predict", "Trainer"]


def _check_data(x, y, name):
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim < 2:
        raise ValueError(f"{name}: x must have a batch axis first, got shape {x.shape}")
    if len(x) != len(y):
        raise ValueError(f"{name}: x has {len(x)} samples but y has {len(y)}")
    if len(x) == 0:
        raise ValueError(f"{name}: no samples")
    return x, y


def _is_classification(output, y):
    return output.ndim == 2 and y.ndim == 1 and y.dtype.kind in "iu"


def _batches(n, batch_size):
    for start in range(0, n, batch_size):
        yield slice(start, min(start + batch_size, n))


def predict(model, x, batch_size=500, threads=1):
    """The model's outputs for every sample of ``x``, in test mode, a batch at a time.

    Parameters
    ----------
    model : cnnlab.nn.Module
    x : ndarray, shape (N, ...)
    threads : int or None
        BLAS threads to use (see :func:`fit`).

    Returns
    -------
    ndarray, shape (N, ...)
        For a classifier, the scores (logits) of shape (N, num_classes): ``argmax(axis=1)`` is the prediction.
    """
    x = np.asarray(x)
    batch_size = positive_int(batch_size, "batch_size")
    was_training = model.training
    model.eval()
    try:
        with blas_threads(threads):
            outputs = [model(x[part]) for part in _batches(len(x), batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(outputs)


def evaluate(model, x, y, batch_size=500):
    """Accuracy of the model on ``(x, y)``: the fraction of samples whose highest score is the true class.

    Parameters
    ----------
    model : cnnlab.nn.Module
    x : ndarray, shape (N, ...)
    y : ndarray of int, shape (N,)

    Returns
    -------
    float in [0, 1]
    """
    x, y = _check_data(x, y, "evaluate")
    return _accuracy(y, predict(model, x, batch_size).argmax(axis=1))


def _loss_and_accuracy(model, loss_fn, x, y, batch_size):
    outputs = predict(model, x, batch_size)
    # the mean over all samples: each batch's mean loss weighted by the batch's size
    total = sum(float(loss_fn(outputs[part], y[part])) * (part.stop - part.start)
                for part in _batches(len(x), batch_size))
    loss = total / len(x)
    acc = _accuracy(y, outputs.argmax(axis=1)) if _is_classification(outputs, y) else None
    return loss, acc


def fit(model, loss_fn, optimizer, x_train, y_train, epochs=1, batch_size=64, validation_data=None, seed=0,
        progress="auto", history=None, threads=1):
    """Train ``model`` on ``(x_train, y_train)`` with mini-batch gradient descent.

    Each epoch shuffles the training set with a generator seeded by ``seed`` (so a run repeats bit for bit
    on the same machine), then for every mini-batch (one *iteration*):
    forward -> loss -> ``optimizer.zero_grad()`` -> backward -> ``optimizer.step()``.

    Parameters
    ----------
    model : cnnlab.nn.Module
    loss_fn : a loss module, e.g. ``cnnlab.nn.CrossEntropyLoss()``
    optimizer : cnnlab.optim.SGD or Adam
    x_train : ndarray, shape (N, ...)
    y_train : ndarray, shape (N,) of class labels (or (N, ...) targets for regression)
    epochs : int
        The lecture's *max epochs*: full passes over the training set.
    batch_size : int
        Samples per iteration.
    validation_data : tuple (x_val, y_val), optional
        Evaluated in test mode after every epoch.
    seed : int
        Seeds the shuffling.
    progress : 'auto', 'widget', 'text' or None
        'auto' shows a live widget in a notebook and one line per epoch in a terminal.
    history : History, optional
        Continue an earlier run's history (epochs keep counting).
    threads : int or None
        BLAS threads while training. One is fastest for small networks and does not collapse when other
        programs use the cores (two threads were 4-7 times slower then); ``None`` keeps the BLAS default.

    Returns
    -------
    History
        Per-epoch ``loss``, ``accuracy`` and, with validation data, ``val_loss`` and ``val_accuracy``.
    """
    x_train, y_train = _check_data(x_train, y_train, "fit")
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError("validation_data must be a pair (x_val, y_val)")
        validation_data = _check_data(*validation_data, "validation_data")
    rng = np.random.default_rng(seed)
    history = History() if history is None else history
    first_epoch = len(history.epoch) + 1
    iterations = -(-len(x_train) // batch_size)
    display = make_progress(progress, first_epoch + epochs - 1, iterations)
    with blas_threads(threads):
        _train(model, loss_fn, optimizer, x_train, y_train, epochs, batch_size, validation_data, rng, history,
               first_epoch, display)
    return history


def _train(model, loss_fn, optimizer, x_train, y_train, epochs, batch_size, validation_data, rng, history,
           first_epoch, display):
    n = len(x_train)
    try:
        for epoch in range(first_epoch, first_epoch + epochs):
            start = time.perf_counter()
            model.train()
            order = rng.permutation(n)
            loss_sum, correct, seen, classification = 0.0, 0, 0, True
            for iteration, part in enumerate(_batches(n, batch_size), start=1):
                indices = order[part]
                x, y = x_train[indices], y_train[indices]
                try:
                    output = model(x)
                    loss = float(loss_fn(output, y))
                except ValueError as error:
                    if "NaN or infinity" not in str(error):
                        raise
                    loss = np.nan
                if not np.isfinite(loss):
                    raise FloatingPointError(f"the network's outputs or loss became infinite or NaN at epoch {epoch}, "
                                             f"iteration {iteration}: the learning rate is probably too large")
                optimizer.zero_grad()
                model.backward(loss_fn.backward())  # a Sequential skips the images' gradient
                optimizer.step()

                history.iteration_loss.append(loss)
                loss_sum += loss * len(indices)
                seen += len(indices)
                classification = classification and _is_classification(output, y)
                if classification:
                    correct += int(np.count_nonzero(output.argmax(axis=1) == y))
                display.update(epoch, iteration, loss_sum / seen, correct / seen if classification else None)
            seconds = time.perf_counter() - start
            values = {"loss": loss_sum / seen, "accuracy": correct / seen if classification else None}
            if validation_data is not None:
                x_val, y_val = validation_data
                values["val_loss"], values["val_accuracy"] = _loss_and_accuracy(model, loss_fn, x_val, y_val,
                                                                               max(batch_size, 500))
            history.record(epoch, seconds, **values)
            display.end_epoch(epoch, values, seconds)
    finally:
        display.close()


class Trainer:
    """A model, its loss and its optimizer kept together: ``Trainer(model, loss, optimizer).fit(x, y)``.

    A convenience around :func:`fit`, :func:`evaluate` and :func:`predict` that also keeps one
    :class:`History` across several ``fit`` calls.
    """

    def __init__(self, model, loss_fn, optimizer):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.history = History()

    def fit(self, x_train, y_train, epochs=1, batch_size=64, validation_data=None, seed=0, progress="auto", threads=1):
        return fit(self.model, self.loss_fn, self.optimizer, x_train, y_train, epochs, batch_size,
                   validation_data, seed, progress, history=self.history, threads=threads)

    def evaluate(self, x, y, batch_size=500):
        return evaluate(self.model, x, y, batch_size)

    def predict(self, x, batch_size=500):
        return predict(self.model, x, batch_size)
