"""Notebook 08's pictures and exercise checks: right answers pass, the usual slips get their hint."""
import matplotlib
import numpy as np

matplotlib.use("Agg")

from cnnlab.datasets import make_shapes  # noqa: E402
from cnnlab.teaching import checks  # noqa: E402
from cnnlab.teaching.problem_types import exercises as ex  # noqa: E402
from cnnlab.teaching.problem_types import plots  # noqa: E402
from _teaching_helpers import outcome  # noqa: E402


def _iou(a, b, clamp=True, subtract=True):
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if clamp:
        width, height = max(0, width), max(0, height)
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - (inter if subtract else 0)
    return inter / union


def test_iou_check(capsys):
    assert outcome(ex.check_iou, _iou, capsys=capsys)[0] == checks.PASSED
    state, text = outcome(ex.check_iou, lambda a, b: _iou(a, b, clamp=False), capsys=capsys)
    assert state == checks.FAILED and "clamp" in text
    state, text = outcome(ex.check_iou, lambda a, b: _iou(a, b, subtract=False), capsys=capsys)
    assert state == checks.FAILED and "counted twice" in text


def test_class_iou_check(capsys):
    def right(p, t, k):
        return np.sum((p == k) & (t == k)) / np.sum((p == k) | (t == k))
    assert outcome(ex.check_class_iou, right, capsys=capsys)[0] == checks.PASSED

    def recall(p, t, k):
        return np.sum((p == k) & (t == k)) / np.sum(t == k)

    state, text = outcome(ex.check_class_iou, recall, capsys=capsys)
    assert state == checks.FAILED and "recall" in text


def _cell(box, image_size, grid_size, swap=False, corner=False):
    cell = image_size / grid_size
    cx, cy = ((box[0], box[1]) if corner else ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2))
    row, col = min(int(cy // cell), grid_size - 1), min(int(cx // cell), grid_size - 1)
    offsets = (cx / cell - col, cy / cell - row, (box[2] - box[0]) / image_size, (box[3] - box[1]) / image_size)
    return (col, row, offsets) if swap else (row, col, offsets)


def test_grid_cell_check(capsys):
    assert outcome(ex.check_grid_cell, _cell, capsys=capsys)[0] == checks.PASSED
    state, text = outcome(ex.check_grid_cell, lambda *a: _cell(*a, swap=True), capsys=capsys)
    assert state == checks.FAILED and "swapped" in text
    state, text = outcome(ex.check_grid_cell, lambda *a: _cell(*a, corner=True), capsys=capsys)
    assert state == checks.FAILED and "top-left corner" in text and "centre" in text


def test_pictures_draw():
    data = make_shapes(6, size=32, max_objects=3, scale=(0.1, 0.2), seed=0)
    assert len(plots.plot_shapes(data, count=4).axes) == 8
    plots.plot_segmentation(data.images, data.masks, np.zeros_like(data.masks), data.class_names, count=3)
    truths = [data.objects(i)[::-1] for i in range(3)]
    predictions = [(boxes, np.ones(len(labels)), labels) for boxes, labels in truths]
    plots.plot_detections(data.images, truths, predictions, data.class_names, count=3)
    plots.plot_invariance([0, 45, 90], {"a": [1, 0.5, 0.9]}, "angle", trained_range=(-10, 10))
    matplotlib.pyplot.close("all")


def test_detection_explorer_reports_precision_and_recall_of_a_perfect_detector():
    from cnnlab.teaching.problem_types.widgets import DetectionExplorer, detect
    from cnnlab.vision import encode_grid
    data = make_shapes(6, size=32, max_objects=2, scale=(0.1, 0.2), seed=1)
    targets = encode_grid(data.labels, data.boxes, 32, 8)
    perfect = np.concatenate([np.where(targets.objectness > 0, 20.0, -20.0)[:, None], targets.offsets,
                              20.0 * (np.arange(4)[None, :, None, None] == targets.classes[:, None])], axis=1)
    assert sum(len(b) for b, _, _ in detect(perfect, 32)) == int(targets.objectness.sum())
    precision, recall = DetectionExplorer(perfect, data, count=2).update(threshold=0.5, start=0)
    assert precision == 1.0 and recall == 1.0  # every centre has a cell of its own here
    plots.plot_grid_targets(data.images[0], *data.objects(0), encode_grid(data.labels[:1], data.boxes[:1], 32, 4),
                            data.class_names)
    matplotlib.pyplot.close("all")


THREE_BOXES = [(2, 2, 14, 14), (5, 3, 17, 15), (8, 4, 20, 16)]   # notebook 08's NMS example, scores 0.9, 0.8, 0.7


def test_the_nms_example_by_hand():
    from cnnlab.vision import box_iou, non_max_suppression
    # A and B: intersection 9 x 11 = 99, union 144 + 144 - 99 = 189; A and C: 6 x 10 = 60 over 288 - 60.
    np.testing.assert_allclose(box_iou(THREE_BOXES[:1], THREE_BOXES[1:])[0], [99 / 189, 60 / 228])
    steps = plots.nms_steps(THREE_BOXES, [0.9, 0.8, 0.7], 0.5)
    assert [kept for kept, _ in steps] == [0, 2] == non_max_suppression(THREE_BOXES, [0.9, 0.8, 0.7]).tolist()
    assert [j for j, _ in steps[0][1]] == [1] and steps[1][1] == []   # B, dropped, does not drop C
    rng = np.random.default_rng(3)
    for _ in range(20):
        corners = rng.integers(0, 20, (6, 2))
        boxes = np.concatenate([corners, corners + rng.integers(2, 12, (6, 2))], axis=1)
        scores = rng.random(6)
        assert [k for k, _ in plots.nms_steps(boxes, scores, 0.3)] == non_max_suppression(boxes, scores, 0.3).tolist()
    assert len(plots.plot_nms_steps(THREE_BOXES, [0.9, 0.8, 0.7]).axes) == 3
    plots.plot_layer_shapes([(1, 24, 24), (8, 12, 12), (5, 24, 24)], ["input", "down", "up"])
    matplotlib.pyplot.close("all")


def _nms(boxes, scores, threshold, **slip):
    return ex._greedy_nms(boxes, scores, threshold, **slip)


def test_nms_check(capsys):
    assert outcome(ex.check_nms, _nms, capsys=capsys)[0] == checks.PASSED
    for slip, words in [({"by_score": False}, "sort by score"), ({"strict": False}, "exactly 0.5"),
                        ({"dropped_suppress": True}, "dropped drops nothing")]:
        state, text = outcome(ex.check_nms, lambda b, s, t, slip=slip: _nms(b, s, t, **slip), capsys=capsys)
        assert state == checks.FAILED and words in text, (slip, text)
    state, text = outcome(ex.check_nms, lambda b, s, t: sorted(_nms(b, s, t)), capsys=capsys)
    assert state == checks.FAILED and "highest score first" in text


def test_decoder_shape_check(capsys):
    def right(shape, channels, k, s):
        n, _, h, w = shape
        for _ in channels:
            h, w = (h - 1) * s + k, (w - 1) * s + k
        return n, channels[-1], h, w
    assert outcome(ex.check_decoder_shape, right, capsys=capsys)[0] == checks.PASSED
    state, text = outcome(ex.check_decoder_shape, lambda sh, c, k, s: (sh[0], c[-1], sh[2] * s, sh[3] * s),
                          capsys=capsys)
    assert state == checks.FAILED and "once per layer" in text
    state, text = outcome(ex.check_decoder_shape,
                          lambda sh, c, k, s: (sh[0], c[-1], sh[2] * s ** len(c), sh[3] * s ** len(c)), capsys=capsys)
    assert state == checks.FAILED and "kernel_size == stride" in text
    state, text = outcome(ex.check_decoder_shape, lambda sh, c, k, s: (sh[0], sh[1]) + right(sh, c, k, s)[2:],
                          capsys=capsys)
    assert state == checks.FAILED and "out_channels" in text


def test_conv1x1_check(capsys):
    def right(x, w, b):
        return np.einsum("fc,nchw->nfhw", w, x) + b[None, :, None, None]
    assert outcome(ex.check_conv1x1, right, capsys=capsys)[0] == checks.PASSED
    state, text = outcome(ex.check_conv1x1, lambda x, w, b: np.einsum("fc,nchw->nfhw", w, x), capsys=capsys)
    assert state == checks.FAILED and "bias is missing" in text
    state, text = outcome(ex.check_conv1x1, lambda x, w, b: np.einsum("fc,nchw->nhwf", w, x) + b, capsys=capsys)
    assert state == checks.FAILED and "last axis" in text
    state, text = outcome(ex.check_conv1x1, lambda x, w, b: right(x, w, b).mean(axis=(2, 3)), capsys=capsys)
    assert state == checks.FAILED and "keeps every pixel" in text


def test_unfinished_exercises_say_not_done(capsys):
    def stub(*args):
        raise NotImplementedError("TODO")
    for check in (ex.check_nms, ex.check_decoder_shape, ex.check_conv1x1, ex.check_iou):
        assert outcome(check, stub, capsys=capsys)[0] == checks.NOT_DONE


def _gap(x):
    return x.mean(axis=(2, 3))


def _gap_backward(grad_output, shape, scale=True):
    spread = np.broadcast_to(grad_output[:, :, None, None], shape).copy()
    return spread / (shape[2] * shape[3]) if scale else spread


def test_global_avg_pool_check(capsys):
    assert outcome(ex.check_global_avg_pool, _gap, _gap_backward, capsys=capsys)[0] == checks.PASSED
    state, text = outcome(ex.check_global_avg_pool, _gap, lambda g, s: _gap_backward(g, s, scale=False),
                          capsys=capsys)
    assert state == checks.FAILED and "1 / (H * W)" in text
    state, text = outcome(ex.check_global_avg_pool, lambda x: x.max(axis=(2, 3)), _gap_backward, capsys=capsys)
    assert state == checks.FAILED and "global max pooling" in text
    state, text = outcome(ex.check_global_avg_pool, lambda x: x.mean(axis=1), _gap_backward, capsys=capsys)
    assert state == checks.FAILED and "over the channels" in text

    def to_one_pixel(g, s):
        out = np.zeros(s)
        out[:, :, 0, 0] = g
        return out
    state, text = outcome(ex.check_global_avg_pool, _gap, to_one_pixel, capsys=capsys)
    assert state == checks.FAILED and "max pooling" in text

    def stub(*args):
        raise NotImplementedError("TODO")
    assert outcome(ex.check_global_avg_pool, _gap, stub, capsys=capsys)[0] == checks.NOT_DONE


def test_global_pooling_picture_sends_the_gradient_where_the_library_does():
    figure = plots.plot_global_pooling(np.arange(16.0).reshape(4, 4))
    assert len(figure.axes) == 3 and "max 15.00, mean 7.50" in figure.axes[0].get_title()
    matplotlib.pyplot.close("all")
