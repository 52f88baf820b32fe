"""The targets of a single-shot grid detector, and the way back from its output to boxes.

In the spirit of YOLO v1 (Redmon et al., 2016), the image is cut into an S x S grid of cells. The
cell that holds an object's centre is responsible for it and learns to predict

- its *objectness*: 1 for "an object's centre is in me", 0 for every other cell;
- its *class*;
- its *box*: the centre's position inside the cell (two numbers between 0 and 1) and the box's
  width and height as fractions of the image.

One convolutional network predicts all cells at once, in a single pass. A cell can hold only one
object: when two centres fall into the same cell, the larger box is kept (YOLO v1's known limit).
"""
from dataclasses import dataclass

import numpy as np

from .._validate import as_float_array
from ._checks import as_fraction, as_labels

__all__ = ["GridTargets", "encode_grid", "decode_grid"]


@dataclass(frozen=True)
class GridTargets:
    """What each cell of an S x S grid should predict.

    Attributes
    ----------
    objectness : ndarray, shape (N, S, S)
        1.0 in the cell that holds an object's centre, else 0.0.
    classes : ndarray of int64, shape (N, S, S)
        The object's class in those cells, -1 elsewhere.
    offsets : ndarray, shape (N, 4, S, S)
        ``(centre x in the cell, centre y in the cell, width / image, height / image)``, each in [0, 1];
        0 in cells without an object.
    """

    objectness: np.ndarray
    classes: np.ndarray
    offsets: np.ndarray


def _grid_size(image_size, grid_size):
    for name, value in (("image_size", image_size), ("grid_size", grid_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
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
        centre_x, centre_y = (x0 + x1) / 2 / cell, (y0 + y1) / 2 / cell  # in cells
        col, row = min(int(centre_x), grid_size - 1), min(int(centre_y), grid_size - 1)
        if (x1 - x0) * (y1 - y0) <= area[i, row, col]:
            continue  # the cell already holds a larger object
        area[i, row, col] = (x1 - x0) * (y1 - y0)
        objectness[i, row, col] = 1.0
        classes[i, row, col] = labels[i, k]
        offsets[i, :, row, col] = (centre_x - col, centre_y - row, (x1 - x0) / image_size, (y1 - y0) / image_size)
    return GridTargets(objectness, classes, offsets)


def decode_grid(objectness, classes, offsets, image_size, threshold=0.5):
    """Turn every cell whose objectness reaches ``threshold`` back into a box, image by image.

    Parameters
    ----------
    objectness : array_like, shape (N, S, S)
        Predicted probability that an object's centre is in each cell (after the sigmoid).
    classes : array_like of int, shape (N, S, S)
        Predicted class of each cell (the argmax of its class scores).
    offsets : array_like, shape (N, 4, S, S)
        Predicted ``(centre x in the cell, centre y in the cell, width / image, height / image)``.
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
        centre_x, centre_y = (cols + dx) * cell, (rows + dy) * cell
        half_w, half_h = width * image_size / 2, height * image_size / 2
        boxes = np.stack([centre_x - half_w, centre_y - half_h, centre_x + half_w, centre_y + half_h], axis=1)
        results.append((boxes.reshape(-1, 4), objectness[i, rows, cols], classes[i, rows, cols]))
    return results
