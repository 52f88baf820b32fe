"""Metrics of object detection: which predicted boxes found an object, precision and recall.

A predicted box *finds* a true object when it names the right class and overlaps the object's
box with an IoU of at least a threshold (0.5 is the classic choice, from PASCAL VOC). Each object
can be found only once: a second box on the same object is a false positive.
"""
import numpy as np

from ._checks import as_boxes, as_fraction, as_labels, as_scores
from .boxes import box_iou

__all__ = ["match_detections", "precision_recall"]


def match_detections(pred_boxes, pred_scores, pred_labels, true_boxes, true_labels, iou_threshold=0.5):
    """Mark each predicted box of one image as a true or a false positive, greedily by score.

    The most confident prediction goes first and takes the not yet found true object of its class
    that it overlaps most, if that IoU reaches ``iou_threshold``; and so on down the scores.

    Parameters
    ----------
    pred_boxes : array_like, shape (P, 4)
    pred_scores : array_like, shape (P,)
    pred_labels : array_like of int, shape (P,)
    true_boxes : array_like, shape (T, 4)
    true_labels : array_like of int, shape (T,)
    iou_threshold : float

    Returns
    -------
    ndarray of bool, shape (P,)
        True where the prediction found an object, in the order the predictions were given.
    """
    pred_boxes, true_boxes = as_boxes(pred_boxes, "pred_boxes"), as_boxes(true_boxes, "true_boxes")
    pred_scores = as_scores(pred_scores, "pred_scores", len(pred_boxes))
    pred_labels, true_labels = as_labels(pred_labels, "pred_labels", 1), as_labels(true_labels, "true_labels", 1)
    if len(pred_labels) != len(pred_boxes):
        raise ValueError(f"pred_labels must hold one label per box: {len(pred_boxes)}, got {len(pred_labels)}")
    if len(true_labels) != len(true_boxes):
        raise ValueError(f"true_labels must hold one label per box: {len(true_boxes)}, got {len(true_labels)}")
    iou_threshold = as_fraction(iou_threshold, "iou_threshold")

    overlaps = box_iou(pred_boxes, true_boxes)
    overlaps[pred_labels[:, None] != true_labels[None, :]] = -1.0  # the wrong class finds nothing
    found = np.zeros(len(true_boxes), dtype=bool)
    hit = np.zeros(len(pred_boxes), dtype=bool)
    for p in np.argsort(-pred_scores, kind="stable"):
        candidates = np.where(found, -1.0, overlaps[p])
        if candidates.size and candidates.max() >= iou_threshold:
            best = int(np.argmax(candidates))
            found[best] = hit[p] = True
    return hit


def precision_recall(predictions, truths, iou_threshold=0.5):
    """Precision and recall of a detector over a set of images.

    Parameters
    ----------
    predictions : sequence of (boxes (P, 4), scores (P,), labels (P,))
        One triple per image.
    truths : sequence of (boxes (T, 4), labels (T,))
        One pair per image, in the same order.
    iou_threshold : float

    Returns
    -------
    precision : float
        Found objects divided by predicted boxes: how many boxes are right (0 with no boxes at all).
    recall : float
        Found objects divided by true objects: how many objects were found (0 with no objects).
    """
    predictions, truths = list(predictions), list(truths)
    if len(predictions) != len(truths):
        raise ValueError(f"predictions and truths must hold one entry per image, got {len(predictions)} "
                         f"and {len(truths)}")
    true_positives = predicted = actual = 0
    for i, (prediction, truth) in enumerate(zip(predictions, truths)):
        if len(prediction) != 3 or len(truth) != 2:
            raise ValueError(f"image {i}: expected predictions as (boxes, scores, labels) and truths as "
                             f"(boxes, labels), got {len(prediction)} and {len(truth)} items")
        hit = match_detections(*prediction, *truth, iou_threshold=iou_threshold)
        true_positives += int(hit.sum())
        predicted += len(hit)
        actual += len(truth[1])
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / actual if actual else 0.0
    return precision, recall
