"""Metrics of semantic segmentation: how many pixels are right, and how well each class is covered.

Pixel accuracy flatters a model on images that are mostly background: predicting "background"
everywhere already scores high. The intersection over union of each class (true pixels of the
class that the model found, divided by pixels that either calls that class) does not, and its mean
over the classes is the usual summary.
"""
import numpy as np

from ._checks import as_labels

__all__ = ["pixel_accuracy", "iou_per_class", "mean_iou"]


def _pair(prediction, target):
    prediction, target = as_labels(prediction, "prediction"), as_labels(target, "target")
    if prediction.shape != target.shape:
        raise ValueError(f"prediction and target must have the same shape (N, H, W), got {prediction.shape} "
                         f"and {target.shape} (take the argmax over the class axis of the scores first)")
    return prediction, target


def pixel_accuracy(prediction, target):
    """Fraction of pixels whose predicted class is the true class.

    Parameters
    ----------
    prediction, target : array_like of int, shape (N, H, W)
        Class of every pixel (0 = background).

    Returns
    -------
    float
    """
    prediction, target = _pair(prediction, target)
    return float(np.mean(prediction == target))


def iou_per_class(prediction, target, num_classes):
    """Intersection over union of each class's predicted and true pixels.

    Parameters
    ----------
    prediction, target : array_like of int, shape (N, H, W)
        Class of every pixel, from 0 to ``num_classes - 1`` (0 = background).
    num_classes : int
        Number of classes, the background included.

    Returns
    -------
    ndarray, shape (num_classes,)
        ``|predicted k ∩ true k| / |predicted k ∪ true k|`` for each class ``k``; NaN for a class
        that neither the prediction nor the target contains.
    """
    prediction, target = _pair(prediction, target)
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    for name, labels in (("prediction", prediction), ("target", target)):
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(f"{name} must hold classes 0 .. {num_classes - 1}, "
                             f"found {labels.min()} .. {labels.max()}")
    # One confusion matrix gives every class's intersection (its diagonal) and union at once.
    confusion = np.bincount(target.ravel() * num_classes + prediction.ravel(),
                            minlength=num_classes ** 2).reshape(num_classes, num_classes)
    intersection = np.diag(confusion).astype(float)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - intersection
    return np.divide(intersection, union, out=np.full(num_classes, np.nan), where=union > 0)


def mean_iou(prediction, target, num_classes):
    """Mean over the classes of :func:`iou_per_class`, the background included, absent classes skipped.

    Parameters
    ----------
    prediction, target : array_like of int, shape (N, H, W)
    num_classes : int

    Returns
    -------
    float
    """
    return float(np.nanmean(iou_per_class(prediction, target, num_classes)))
