"""Exercise checks for notebook 08, Lecture Ex. 3.3: classification, segmentation and detection on shapes.

Each check runs the student's function on small cases whose answers :mod:`cnnlab.vision` knows,
and names the usual slips: an intersection that goes negative when boxes do not touch, a union
that counts the overlap twice, dividing a class's overlap by the true pixels only (that is recall,
not IoU), row and column swapped, or the box's corner used where its centre belongs.
"""
import numpy as np

from ...vision import box_iou, encode_grid, iou_per_class
from ..checks import Hint, call, exercise, expect, expect_returned

# (box a, box b) pairs that catch the usual slips: overlap, apart, inside, touching, identical.
_IOU_CASES = [
    ((0, 0, 4, 4), (2, 2, 6, 6)),
    ((0, 0, 2, 2), (5, 5, 8, 9)),
    ((0, 0, 10, 10), (2, 3, 5, 7)),
    ((0, 0, 3, 3), (3, 0, 6, 3)),
    ((1, 2, 7, 5), (1, 2, 7, 5)),
    ((0, 5, 4, 9), (1, 0, 3, 20)),
]


@exercise("08.1 Intersection over union of two boxes")
def check_iou(iou):
    """``iou(box_a, box_b)`` for two ``(x0, y0, x1, y1)`` boxes must return one number."""
    for a, b in _IOU_CASES:
        answer = call(iou, a, b)
        expect_returned(answer, "the ratio")
        expect(np.ndim(answer) == 0, f"iou{a, b} returned an array of shape {np.shape(answer)}; return one number.")
        right = float(box_iou([a], [b])[0, 0])
        given = float(answer)
        if abs(given - right) < 1e-9:
            continue
        width = min(a[2], b[2]) - max(a[0], b[0])
        height = min(a[3], b[3]) - max(a[1], b[1])
        area_a, area_b = (a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])
        if right == 0 and given != 0:
            raise Hint(f"iou{a, b} = {given:.4g}, but these boxes do not overlap, so IoU is 0. The overlap's width "
                       f"min(x1) - max(x0) = {width} or height {height} is negative: clamp each at 0 with max(0, ...).")
        if width > 0 and height > 0 and abs(given - width * height / (area_a + area_b)) < 1e-9:
            raise Hint(f"iou{a, b} = {given:.4g}: the union is area_a + area_b minus the intersection, "
                       "otherwise the overlap is counted twice.")
        if width > 0 and height > 0 and abs(given - width * height / area_a) < 1e-9:
            raise Hint(f"iou{a, b} = {given:.4g}: you divided by the first box's area; divide by the union.")
        raise Hint(f"iou{a, b} = {given:.4g}, expected {right:.4g}. Intersection = overlap width x overlap height; "
                   "union = area_a + area_b - intersection.")
    return "IoU is 1 for identical boxes, 0 for boxes apart, and the same whichever box comes first."


def _small_masks():
    target = np.array([[[0, 0, 1, 1, 0],
                        [0, 1, 1, 1, 0],
                        [0, 0, 2, 2, 2],
                        [0, 0, 2, 2, 0]]])
    prediction = np.array([[[0, 1, 1, 1, 0],
                            [0, 1, 1, 0, 0],
                            [0, 0, 2, 2, 0],
                            [0, 2, 2, 2, 0]]])
    return prediction, target


@exercise("08.2 The IoU of one class in a segmentation")
def check_class_iou(class_iou):
    """``class_iou(prediction, target, k)`` on integer masks of the same shape returns one number."""
    prediction, target = _small_masks()
    right = iou_per_class(prediction, target, 3)
    for k in (1, 2, 0):
        answer = call(class_iou, prediction.copy(), target.copy(), k)
        expect_returned(answer, "the ratio")
        expect(np.ndim(answer) == 0, f"class_iou(..., {k}) returned shape {np.shape(answer)}; return one number.")
        given = float(answer)
        if abs(given - right[k]) < 1e-9:
            continue
        shared = np.sum((prediction == k) & (target == k))
        if abs(given - shared / np.sum(target == k)) < 1e-9:
            raise Hint(f"class {k}: {given:.3f} is the shared pixels over the true pixels of the class, which is the "
                       "recall. IoU divides by the pixels that either mask calls class k: (pred == k) | (target == k).")
        if abs(given - shared / np.sum(prediction == k)) < 1e-9:
            raise Hint(f"class {k}: {given:.3f} is the shared pixels over the predicted pixels (the precision). "
                       "Divide by the union: (pred == k) | (target == k).")
        if abs(given - np.mean(prediction == target)) < 1e-9:
            raise Hint("that is the pixel accuracy of the whole mask; count only the pixels of class k.")
        raise Hint(f"class {k}: got {given:.4g}, expected {right[k]:.4g} = |pred k and true k| / |pred k or true k|.")
    return (f"IoU per class {np.round(right, 3).tolist()}: background is easy, the small shapes are what "
            "mean IoU is about.")


_GRID_CASES = [((8, 2, 18, 8), 32, 4), ((0, 0, 32, 32), 32, 4), ((20, 25, 28, 31), 32, 4), ((3, 17, 9, 21), 24, 3)]


@exercise("08.3 Which grid cell is responsible for a box, and what it predicts")
def check_grid_cell(responsible_cell):
    """``responsible_cell(box, image_size, grid_size)`` returns ``(row, col, (dx, dy, w, h))``."""
    for box, image_size, grid_size in _GRID_CASES:
        answer = call(responsible_cell, box, image_size, grid_size)
        expect(isinstance(answer, (tuple, list)) and len(answer) == 3,
               "return a tuple (row, col, (dx, dy, w, h)).")
        row, col, offsets = answer
        targets = encode_grid([[0]], [[box]], image_size, grid_size)
        right_row, right_col = (int(i) for i in np.argwhere(targets.objectness[0] == 1)[0])
        right_offsets = targets.offsets[0, :, right_row, right_col]
        cell = image_size / grid_size
        if (row, col) != (right_row, right_col):
            if (row, col) == (right_col, right_row):
                raise Hint(f"box {box}: row and column are swapped; the row comes from y, the column from x.")
            corner = (int(box[1] // cell), int(box[0] // cell))
            if (row, col) == corner:
                raise Hint(f"box {box}: cell {corner} holds the box's top-left corner; the responsible cell holds "
                           "its centre ((x0 + x1) / 2, (y0 + y1) / 2).")
            raise Hint(f"box {box}: got cell ({row}, {col}), expected ({right_row}, {right_col}). The cell is the "
                       f"centre divided by the cell size ({cell:g} px), rounded down.")
        offsets = np.asarray(offsets, dtype=float)
        expect(offsets.shape == (4,), f"the offsets must be 4 numbers (dx, dy, w, h), got shape {offsets.shape}.")
        if not np.allclose(offsets, right_offsets):
            if np.allclose(offsets[:2], (box[0] / cell - col, box[1] / cell - row)):
                raise Hint(f"box {box}: dx, dy place the box's top-left corner in the cell; they place its centre "
                           "((x0 + x1) / 2, (y0 + y1) / 2).")
            if np.allclose(offsets[:2], right_offsets[:2] * cell):
                raise Hint(f"box {box}: dx, dy are in pixels; divide by the cell size so they lie between 0 and 1.")
            if np.allclose(offsets[2:], right_offsets[2:] * image_size):
                raise Hint(f"box {box}: w, h are in pixels; divide by the image size so they lie between 0 and 1.")
            raise Hint(f"box {box}: offsets {np.round(offsets, 4).tolist()}, expected "
                       f"{np.round(right_offsets, 4).tolist()} = (centre x / cell - col, centre y / cell - row, "
                       "width / image, height / image).")
    return "every number the cell learns lies between 0 and 1, whatever the image size."
