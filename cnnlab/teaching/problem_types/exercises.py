"""Exercise checks for notebook 08, Lecture Ex. 3.3: classification, segmentation and detection on shapes.

Each check runs the student's function on small cases whose answers :mod:`cnnlab.vision` knows,
and names the usual slips: an intersection that goes negative when boxes do not touch, a union
that counts the overlap twice, dividing a class's overlap by the true pixels only (that is recall,
not IoU), row and column swapped, the box's corner used where its centre belongs, non-maximum
suppression that walks the boxes unsorted, drops at IoU equal to the threshold or lets a dropped box
drop others, a decoder whose size rule is applied once, a 1x1 convolution without its bias, and global
average pooling over the wrong axes or with its gradient not divided by H x W.
"""
import numpy as np

from ... import functional as F
from ... import nn
from ...gradcheck import gradcheck
from ...vision import box_iou, encode_grid, iou_per_class, non_max_suppression
from ..checks import Hint, call, exercise, expect, expect_close, expect_returned, expect_shape

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


def _greedy_nms(boxes, scores, threshold, by_score=True, strict=True, dropped_suppress=False):
    """Greedy NMS and its usual slips, to recognise a student's answer: ``by_score=False`` walks the boxes in
    the order given, ``strict=False`` drops at IoU == threshold too, ``dropped_suppress=True`` lets a dropped
    box drop others."""
    overlaps = box_iou(boxes, boxes)
    order = np.argsort(-np.asarray(scores), kind="stable") if by_score else np.arange(len(boxes))
    keep, dropped = [], np.zeros(len(boxes), dtype=bool)
    for i in order:
        if not dropped[i]:
            keep.append(int(i))
        if not dropped[i] or dropped_suppress:
            over = overlaps[i] > threshold if strict else overlaps[i] >= threshold
            over[i] = False
            dropped |= over & ~np.isin(np.arange(len(boxes)), keep)
    return keep


# (boxes, scores): a chain A-B-C where only A and C survive; boxes given in no score order; an IoU of exactly
# 0.5 (kept: NMS drops only what overlaps *more* than the threshold); boxes apart.
_NMS_CASES = [
    ([(2, 2, 14, 14), (5, 3, 17, 15), (8, 4, 20, 16)], [0.9, 0.8, 0.7]),
    ([(2, 2, 14, 14), (5, 3, 17, 15), (8, 4, 20, 16)], [0.6, 0.9, 0.7]),
    ([(0, 0, 4, 4), (0, 0, 4, 2), (10, 10, 14, 14)], [0.9, 0.8, 0.7]),
    ([(0, 0, 4, 4), (6, 6, 9, 9), (1, 1, 4, 5), (20, 20, 30, 30)], [0.3, 0.8, 0.9, 0.5]),
]


@exercise("08.4 Non-maximum suppression")
def check_nms(nms):
    """``nms(boxes, scores, iou_threshold)`` returns the indices of the kept boxes, highest score first."""
    for boxes, scores in _NMS_CASES:
        answer = call(nms, [tuple(b) for b in boxes], list(scores), 0.5)
        expect_returned(answer, "the list of kept indices")
        given = [int(i) for i in np.asarray(answer).ravel()]
        right = [int(i) for i in non_max_suppression(boxes, scores, 0.5)]
        if given == right:
            continue
        case = f"boxes {boxes} with scores {scores}"
        if sorted(given) == sorted(right):
            raise Hint(f"{case}: you kept the right boxes {sorted(right)}, but list them highest score first: "
                       f"{right}.")
        if given == _greedy_nms(boxes, scores, 0.5, by_score=False):
            raise Hint(f"{case}: got {given}, expected {right}. You walked the boxes in the order given; sort by "
                       "score first (np.argsort(scores)[::-1]), so the most confident box is kept before it can be "
                       "dropped.")
        if given == _greedy_nms(boxes, scores, 0.5, strict=False):
            raise Hint(f"{case}: got {given}, expected {right}. Two of these boxes overlap with IoU exactly 0.5; "
                       "drop only boxes that overlap a kept box by *more* than the threshold (>, not >=).")
        if given == _greedy_nms(boxes, scores, 0.5, dropped_suppress=True):
            raise Hint(f"{case}: got {given}, expected {right}. A box that was dropped drops nothing itself: "
                       "compare each remaining box with the *kept* boxes only.")
        raise Hint(f"{case}: got {given}, expected {right}. Repeat: keep the best remaining box, drop every "
                   "remaining box whose IoU with it is above the threshold.")
    return "the best box of every cluster survives, and a box that was dropped drops no other."


def _decoder_shape(shape, channels, kernel_size, stride):
    n, _, height, width = shape
    for _ in channels:
        height, width = (height - 1) * stride + kernel_size, (width - 1) * stride + kernel_size
    return (n, channels[-1], height, width)


_DECODER_CASES = [((1, 32, 6, 6), [16, 5], 2, 2), ((4, 8, 3, 5), [8, 4, 2], 2, 2), ((2, 16, 4, 4), [3], 3, 2),
                  ((1, 10, 5, 7), [6, 6], 4, 2)]


@exercise("08.5 The output shape of a decoder")
def check_decoder_shape(decoder_output_shape):
    """``decoder_output_shape(shape, channels, kernel_size, stride)`` returns ``(N, C, H, W)``."""
    for shape, channels, kernel_size, stride in _DECODER_CASES:
        given = call(decoder_output_shape, shape, list(channels), kernel_size, stride)
        expect_returned(given, "the shape")
        given = tuple(int(v) for v in given)
        x = np.zeros(shape)
        for cin, cout in zip([shape[1]] + channels[:-1], channels):
            x = nn.ConvTranspose2d(cin, cout, kernel_size, stride=stride, rng=0)(x)
        right = x.shape
        assert right == _decoder_shape(shape, channels, kernel_size, stride)
        if given == right:
            continue
        case = f"input {shape}, channels {channels}, kernel {kernel_size}, stride {stride}"
        n, c, h, w = shape
        if given[:2] != right[:2]:
            raise Hint(f"{case}: got {given}, expected {right}. N stays; the channels are the last layer's "
                       "out_channels, whatever came in.")
        if given[2:] == (h * stride, w * stride) and len(channels) > 1:
            raise Hint(f"{case}: got {given}, expected {right}. Every layer of the decoder upsamples: apply the size "
                       f"rule {len(channels)} times, once per layer.")
        if given[2:] == (h * stride ** len(channels), w * stride ** len(channels)):
            raise Hint(f"{case}: got {given}, expected {right}. Multiplying by the stride is right only when "
                       "kernel_size == stride; each layer gives (H - 1) * stride + kernel_size.")
        raise Hint(f"{case}: got {given}, expected {right}. Each layer: H -> (H - 1) * stride + kernel_size.")
    return "kernel 2, stride 2 doubles height and width at every layer: 6x6 -> 12x12 -> 24x24, one score map per class."


@exercise("08.6 A 1x1 convolution is a dense layer at every pixel")
def check_conv1x1(conv1x1):
    """``conv1x1(x, weight, bias)`` with x (N, C, H, W), weight (F, C), bias (F,) returns (N, F, H, W)."""
    rng = np.random.default_rng(8)
    x, weight, bias = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(6, 3)), rng.normal(size=6)
    answer = call(conv1x1, x.copy(), weight.copy(), bias.copy())
    expect_returned(answer, "the output")
    answer = np.asarray(answer, dtype=float)
    right = F.conv2d(x, weight[:, :, None, None], bias)
    if answer.shape == (2, 6):
        raise Hint("your output has shape (2, 6): a 1x1 convolution keeps every pixel; the output is (N, F, H, W).")
    if answer.shape == (2, 4, 5, 6):
        raise Hint("the channels are on the last axis (N, H, W, F); they belong on axis 1: (N, F, H, W). "
                   "np.einsum('fc,nchw->nfhw', weight, x) puts them there.")
    expect_shape(answer, right.shape, "conv1x1(x (2, 3, 4, 5), weight (6, 3), bias (6,))",
                 "Each of the F filters mixes the C channels of every pixel.")
    if np.allclose(answer, right - bias[None, :, None, None]):
        raise Hint("the bias is missing: add bias[f] to every pixel of output channel f (bias[None, :, None, None]).")
    expect_close(answer, right, "conv1x1(x, weight, bias)",
                 "out[n, f, i, j] = sum over c of weight[f, c] * x[n, c, i, j], plus bias[f].")
    return ("the same weights at every pixel mix the channels and leave the positions alone, as F.conv2d with 1x1 "
            "kernels.")


@exercise("08.7 Global average pooling, forward and backward")
def check_global_avg_pool(global_avg_pool, global_avg_pool_backward):
    """``global_avg_pool(x)``: (N, C, H, W) -> (N, C); ``global_avg_pool_backward(grad_output, shape)`` -> ``shape``."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 4, 5))
    right, ctx = F.avg_pool2d_forward(x, (4, 5))
    right = right[:, :, 0, 0]
    answer = call(global_avg_pool, x.copy())
    expect_returned(answer, "the pooled array")
    answer = np.asarray(answer, dtype=float)
    if answer.shape == right.shape and np.allclose(answer, x.max(axis=(2, 3))):
        raise Hint("global_avg_pool returned each channel's maximum: that is global max pooling; take the mean.")
    if answer.shape == (2, 4, 5):
        raise Hint("global_avg_pool averaged over the channels (axis 1); average over height and width, "
                   "axis=(2, 3), one number per channel.")
    expect_close(answer, right, "global_avg_pool(x (2, 3, 4, 5))", "Average every channel over axis=(2, 3).")

    grad_output = rng.normal(size=(2, 3))
    right_grad = F.avg_pool2d_backward(grad_output[:, :, None, None], ctx)
    given = call(global_avg_pool_backward, grad_output.copy(), x.shape)
    expect_returned(given, "the gradient")
    given = np.asarray(given, dtype=float)
    expect_shape(given, x.shape, "global_avg_pool_backward(grad (2, 3), (2, 3, 4, 5))",
                 "The gradient has the input's shape: one number per input pixel.")
    if np.allclose(given, right_grad * 20):
        raise Hint("every pixel got the whole upstream gradient: each pixel counts 1 / (H * W) in the mean, so "
                   "its gradient is grad_output / (H * W).")
    if np.count_nonzero(given[0, 0]) == 1:
        raise Hint("only one pixel per channel got a gradient, as in max pooling; in the mean every pixel counts "
                   "equally: spread grad_output / (H * W) over all H x W pixels.")
    expect_close(given, right_grad, "global_avg_pool_backward(grad (2, 3), (2, 3, 4, 5))",
                 "d out[n, c] / d x[n, c, i, j] = 1 / (H * W) for every pixel (i, j) of that channel.")
    numeric = gradcheck(lambda v: np.asarray(global_avg_pool(v), dtype=float), x,
                        backward=lambda g, v: np.asarray(global_avg_pool_backward(g, v.shape), dtype=float))
    expect(bool(numeric), f"the backward pass disagrees with centred differences: {numeric}")
    return ("every pixel of a channel gets 1 / (H * W) of its gradient, as F.avg_pool2d over the whole map, and "
            "centred differences agree.")
