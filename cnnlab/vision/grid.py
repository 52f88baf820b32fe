"""The targets of a single-shot grid detector, and the way back from its output to boxes.

In the spirit of YOLO v1 (Redmon et al., 2016), the image is cut into an S x S grid of cells. The
cell that holds an object's center is responsible for it and learns to predict

- its *objectness*: 1 for "an object's center is in me", 0 for every other cell;
- its *class*;
- its *box*: the center's position inside the cell (two numbers between 0 and 1) and the box's
  width and height as fractions of the image.

One convolutional network predicts all cells at once, in a single pass: its output has ``5 + C``
channels on the S x S grid, in this order: objectness (a logit), the four box numbers, then the
``C`` class scores (logits). A cell can hold only one object: when two centers fall into the same
cell, the larger box is kept (YOLO v1's known limit).
"""
from dataclasses import dataclass

import numpy as np

from .. import functional as F
from .._validate import as_float_array, positive_int
from ._checks import as_fraction, as_labels

__all__ = ["GridTargets", "encode_grid", "decode_grid", "decode_output", "GridDetectionLoss"]


@dataclass(frozen=True)
class GridTargets:
    """What each cell of an S x S grid should predict.

    Attributes
    ----------
    objectness : ndarray, shape (N, S, S)
        1.0 in the cell that holds an object's center, else 0.0.
    classes : ndarray of int64, shape (N, S, S)
        The object's class in those cells, -1 elsewhere.
    offsets : ndarray, shape (N, 4, S, S)
        ``(center x in the cell, center y in the cell, width / image, height / image)``, each in [0, 1];
        0 in cells without an object.
    """

    objectness: np.ndarray
    classes: np.ndarray
    offsets: np.ndarray

    def packed(self, dtype=np.float32):
        """All targets in one array of shape (N, 6, S, S): objectness, class (-1: none), then the 4 offsets.

        One array per image is what a trainer's ``y`` holds; :class:`GridDetectionLoss` unpacks it.
        """
        classes = self.classes[:, None].astype(dtype)
        return np.concatenate([self.objectness[:, None], classes, self.offsets], axis=1).astype(dtype)


def _grid_size(image_size, grid_size):
    positive_int(image_size, "image_size")
    positive_int(grid_size, "grid_size")
    if image_size % grid_size:
        raise ValueError(f"grid_size ({grid_size}) must divide image_size ({image_size}) into whole cells")
    return image_size / grid_size


def encode_grid(labels, boxes, image_size, grid_size):
    """Turn each image's objects into the targets of every grid cell.

    Parameters
    ----------
    labels : array_like of int, shape (N, K)
        Class of each object; -1 marks "no object" (as :func:`cnnlab.datasets.make_shapes` pads).
    boxes : array_like, shape (N, K, 4)
        ``(x0, y0, x1, y1)`` of each object in pixels.
    image_size : int
        Height and width of the images.
    grid_size : int
        ``S``: the number of cells along each side; it must divide ``image_size``.

    Returns
    -------
    GridTargets
        ``objectness`` (N, S, S), ``classes`` (N, S, S), ``offsets`` (N, 4, S, S).
    """
    cell = _grid_size(image_size, grid_size)
    labels = as_labels(labels, "labels", ndim=2)
    boxes = as_float_array(boxes, "boxes", ndim=3)
    if boxes.shape != labels.shape + (4,):
        raise ValueError(f"boxes must have shape {labels.shape + (4,)} to match labels, got {boxes.shape}")
    n = len(labels)
    objectness = np.zeros((n, grid_size, grid_size))
    classes = np.full((n, grid_size, grid_size), -1, dtype=np.int64)
    offsets = np.zeros((n, 4, grid_size, grid_size))
    area = np.zeros((n, grid_size, grid_size))
    for i, k in zip(*np.nonzero(labels >= 0)):
        x0, y0, x1, y1 = boxes[i, k]
        center_x, center_y = (x0 + x1) / 2 / cell, (y0 + y1) / 2 / cell  # in cells
        col, row = min(int(center_x), grid_size - 1), min(int(center_y), grid_size - 1)
        if (x1 - x0) * (y1 - y0) <= area[i, row, col]:
            continue  # the cell already holds a larger object
        area[i, row, col] = (x1 - x0) * (y1 - y0)
        objectness[i, row, col] = 1.0
        classes[i, row, col] = labels[i, k]
        offsets[i, :, row, col] = (center_x - col, center_y - row, (x1 - x0) / image_size, (y1 - y0) / image_size)
    return GridTargets(objectness, classes, offsets)


def decode_grid(objectness, classes, offsets, image_size, threshold=0.5):
    """Turn every cell whose objectness reaches ``threshold`` back into a box, image by image.

    Parameters
    ----------
    objectness : array_like, shape (N, S, S)
        Predicted probability that an object's center is in each cell (after the sigmoid).
    classes : array_like of int, shape (N, S, S)
        Predicted class of each cell (the argmax of its class scores).
    offsets : array_like, shape (N, 4, S, S)
        Predicted ``(center x in the cell, center y in the cell, width / image, height / image)``.
    image_size : int
    threshold : float
        Cells below this objectness predict nothing.

    Returns
    -------
    list of (boxes (P, 4), scores (P,), labels (P,))
        One triple per image, as :func:`~cnnlab.vision.precision_recall` takes them; the score of a
        box is its cell's objectness.
    """
    objectness = as_float_array(objectness, "objectness", ndim=3)
    n, grid_size = objectness.shape[0], objectness.shape[1]
    if objectness.shape[2] != grid_size:
        raise ValueError(f"objectness must have shape (N, S, S), got {objectness.shape}")
    cell = _grid_size(image_size, grid_size)
    classes = as_labels(classes, "classes", ndim=3)
    offsets = as_float_array(offsets, "offsets", ndim=4)
    if classes.shape != objectness.shape or offsets.shape != (n, 4, grid_size, grid_size):
        raise ValueError(f"classes must have shape {objectness.shape} and offsets {(n, 4, grid_size, grid_size)}, "
                         f"got {classes.shape} and {offsets.shape}")
    threshold = as_fraction(threshold, "threshold")
    results = []
    for i in range(n):
        rows, cols = np.nonzero(objectness[i] >= threshold)
        dx, dy, width, height = offsets[i][:, rows, cols]
        center_x, center_y = (cols + dx) * cell, (rows + dy) * cell
        half_w, half_h = width * image_size / 2, height * image_size / 2
        boxes = np.stack([center_x - half_w, center_y - half_h, center_x + half_w, center_y + half_h], axis=1)
        results.append((boxes.reshape(-1, 4), objectness[i, rows, cols], classes[i, rows, cols]))
    return results


def decode_output(output, image_size, threshold=0.5):
    """Boxes from a grid detector's raw output: objectness through a sigmoid, class by argmax.

    Parameters
    ----------
    output : ndarray, shape (N, 5 + C, S, S)
        Objectness logit, ``(dx, dy, w, h)``, then ``C`` class logits, for every cell.
    image_size : int
    threshold : float

    Returns
    -------
    list of (boxes (P, 4), scores (P,), labels (P,))
        As :func:`decode_grid`.
    """
    output = as_float_array(output, "output", ndim=4)
    if output.shape[1] < 6:
        raise ValueError(f"output must have 5 + C channels (objectness, 4 box numbers, C >= 1 class scores), "
                         f"got {output.shape[1]}")
    return decode_grid(F.sigmoid(output[:, 0]), output[:, 5:].argmax(axis=1), output[:, 1:5], image_size, threshold)


class GridDetectionLoss:
    """The loss of a single-shot grid detector, with an explicit backward (YOLO v1's, simplified).

    Three terms, each an ordinary loss the course already met:

    - objectness: binary cross-entropy (from logits) in every cell, the cells without an object
      weighted by ``no_object_weight`` (they are many, and would drown the few with one);
    - box: squared error of ``(dx, dy, w, h)``, only in cells that hold an object, times ``box_weight``;
    - class: cross-entropy of the class scores, only in cells that hold an object.

    Each is averaged over the images, so the gradient does not depend on the batch size.

    Parameters
    ----------
    box_weight : float
    no_object_weight : float

    Shapes
    ------
    ``forward(output (N, 5 + C, S, S), target (N, 6, S, S))`` with the target from
    :meth:`GridTargets.packed`; ``backward()`` returns dLoss/d(output), shape (N, 5 + C, S, S).
    """

    def __init__(self, box_weight=5.0, no_object_weight=0.5):
        self.box_weight, self.no_object_weight = float(box_weight), float(no_object_weight)
        self._saved = None

    def __call__(self, output, target):
        return self.forward(output, target)

    def forward(self, output, target):
        output = as_float_array(output, "output", ndim=4)
        target = as_float_array(target, "target", ndim=4)
        if output.shape[1] < 6 or target.shape != (output.shape[0], 6) + output.shape[2:]:
            raise ValueError(f"output must be (N, 5 + C, S, S) and target (N, 6, S, S) from GridTargets.packed(), "
                             f"got {output.shape} and {target.shape}")
        n = len(output)
        has_object = target[:, 0]                                       # (N, S, S), 1 or 0
        cell_weight = np.where(has_object > 0, 1.0, self.no_object_weight).astype(output.dtype)
        classes = np.where(has_object > 0, target[:, 1], 0).astype(np.int64)  # any class where there is none
        objectness = F.binary_cross_entropy_with_logits(output[:, 0], has_object, weight=cell_weight,
                                                        reduction="sum") / n
        box_error = (output[:, 1:5] - target[:, 2:6]) * has_object[:, None]
        box = self.box_weight * np.sum(box_error ** 2) / n
        class_losses = F.cross_entropy(output[:, 5:], classes, reduction="none")  # (N, S, S)
        classification = np.sum(class_losses * has_object) / n
        self._saved = (output, has_object, cell_weight, classes, box_error)
        self.parts = {"objectness": float(objectness), "box": float(box), "class": float(classification)}
        return float(objectness + box + classification)

    def backward(self):
        """dLoss/d(output), shape (N, 5 + C, S, S)."""
        if self._saved is None:
            raise RuntimeError("call forward before backward")
        output, has_object, cell_weight, classes, box_error = self._saved
        n = len(output)
        grad = np.zeros_like(output)
        grad[:, 0] = F.binary_cross_entropy_with_logits_backward(
            1.0 / n, F.binary_cross_entropy_with_logits_forward(output[:, 0], has_object, weight=cell_weight,
                                                                reduction="sum")[1])
        grad[:, 1:5] = 2 * self.box_weight * box_error / n
        grad[:, 5:] = F.cross_entropy_backward((has_object / n).astype(output.dtype),
                                               F.cross_entropy_forward(output[:, 5:], classes, reduction="none")[1])
        return grad
