"""How good are the predictions? Accuracy and the confusion matrix."""
import numbers

import numpy as np

__all__ = ["accuracy", "confusion_matrix"]


def _labels(y, name):
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iub":
        raise ValueError(f"{name} must be a 1-D array of integer class labels, got shape {y.shape} and dtype {y.dtype}")
    return y


def accuracy(y_true, y_pred):
    """The fraction of predictions equal to the true label.

    Parameters
    ----------
    y_true : ndarray of int, shape (N,)
    y_pred : ndarray of int, shape (N,), or scores of shape (N, num_classes) (the highest score wins)
    """
    y_true = _labels(y_true, "y_true")
    y_pred = np.asarray(y_pred)
    if y_pred.ndim == 2:
        y_pred = y_pred.argmax(axis=1)
    y_pred = _labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    return float(np.mean(y_true == y_pred)) if y_true.size else 0.0


def confusion_matrix(y_true, y_pred, num_classes=None):
    """Count how often each true class was predicted as each class.

    Parameters
    ----------
    y_true, y_pred : ndarray of int, shape (N,)
    num_classes : int, optional
        Defaults to the largest label + 1.

    Returns
    -------
    ndarray of int64, shape (num_classes, num_classes)
        ``matrix[t, p]`` = number of images of class ``t`` predicted as ``p``: the diagonal is right,
        everything off it is a mistake (row = truth, column = prediction, as scikit-learn).
    """
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    if num_classes is None:
        num_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    if not isinstance(num_classes, numbers.Integral) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix
