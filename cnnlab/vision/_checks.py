"""Argument checks for boxes and label maps, on top of :mod:`cnnlab._validate`."""
import numpy as np

from .._validate import as_float_array


def as_boxes(boxes, name):
    """``boxes`` as a float ndarray of shape (N, 4), with ``x0 <= x1`` and ``y0 <= y1``."""
    boxes = as_float_array(boxes, name, ndim=(1, 2))
    if boxes.ndim == 1 and boxes.size == 0:
        boxes = boxes.reshape(0, 4)
    if boxes.ndim == 1:
        boxes = boxes[None, :]
    if boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4) holding (x0, y0, x1, y1), got shape {boxes.shape}")
    if np.any(boxes[:, 2] < boxes[:, 0]) or np.any(boxes[:, 3] < boxes[:, 1]):
        raise ValueError(f"{name} must have x0 <= x1 and y0 <= y1 in every row (x0, y0, x1, y1)")
    return boxes


def as_labels(labels, name, ndim=None):
    """``labels`` as an int64 ndarray: class numbers, never fractions."""
    array = np.asarray(labels)
    if array.size == 0:
        array = array.astype(np.int64)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.bool_)):
        raise TypeError(f"{name} must hold integer class numbers, got dtype {array.dtype}"
                        f" (take the argmax over the class axis of scores first)")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got {array.ndim} (shape {array.shape})")
    return array.astype(np.int64)


def as_scores(scores, name, length):
    scores = as_float_array(scores, name, ndim=1)
    if len(scores) != length:
        raise ValueError(f"{name} must hold one score per box: {length}, got {len(scores)}")
    return scores


def as_fraction(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    return float(value)
