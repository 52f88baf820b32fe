"""Boxes: area, intersection over union (IoU), and non-maximum suppression (NMS).

IoU is how detection decides that a predicted box found an object: the area both boxes cover
divided by the area either covers, 1 for identical boxes and 0 for boxes that do not touch.
"""
import numpy as np

from ._checks import as_boxes, as_fraction, as_scores

__all__ = ["box_area", "box_iou", "non_max_suppression"]


def box_area(boxes):
    """Area of each box.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        ``(x0, y0, x1, y1)`` with ``x0 <= x1`` and ``y0 <= y1``.

    Returns
    -------
    ndarray, shape (N,)
        ``(x1 - x0) * (y1 - y0)``.
    """
    boxes = as_boxes(boxes, "boxes")
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def box_iou(boxes1, boxes2):
    """Intersection over union of every box in ``boxes1`` with every box in ``boxes2``.

    Parameters
    ----------
    boxes1 : array_like, shape (N, 4)
    boxes2 : array_like, shape (M, 4)
        ``(x0, y0, x1, y1)`` each, with ``x0 <= x1`` and ``y0 <= y1``.

    Returns
    -------
    ndarray, shape (N, M)
        ``area(a ∩ b) / area(a ∪ b)``; 0 where both boxes are empty.

    Examples
    --------
    Two 2x2 squares overlapping in a 1x1 square: intersection 1, union 4 + 4 - 1 = 7.

    >>> box_iou([[0, 0, 2, 2]], [[1, 1, 3, 3]]).round(4)
    array([[0.1429]])
    """
    a, b = as_boxes(boxes1, "boxes1"), as_boxes(boxes2, "boxes2")
    # The intersection of two boxes is a box: the larger of the starts to the smaller of the ends.
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 2], b[None, :, 2])
    y1 = np.minimum(a[:, None, 3], b[None, :, 3])
    intersection = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)  # no overlap: a "negative" side is 0
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def non_max_suppression(boxes, scores, iou_threshold=0.5):
    """Keep the best box of every cluster of overlapping boxes (greedy NMS, as ``torchvision.ops.nms``).

    Take the highest-scoring box, drop every other box that overlaps it with IoU above
    ``iou_threshold`` (they most likely found the same object), and repeat with what is left.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
    scores : array_like, shape (N,)
    iou_threshold : float
        Boxes overlapping a kept box by more than this are dropped.

    Returns
    -------
    ndarray of int64, shape (K,)
        Indices of the kept boxes, highest score first.
    """
    boxes = as_boxes(boxes, "boxes")
    scores = as_scores(scores, "scores", len(boxes))
    iou_threshold = as_fraction(iou_threshold, "iou_threshold")
    order = np.argsort(-scores, kind="stable")
    overlaps = box_iou(boxes, boxes)
    keep, dropped = [], np.zeros(len(boxes), dtype=bool)
    for i in order:
        if dropped[i]:
            continue
        keep.append(i)
        dropped |= overlaps[i] > iou_threshold
    return np.array(keep, dtype=np.int64)
