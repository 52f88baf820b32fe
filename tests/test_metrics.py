"""cnnlab.vision: IoU of boxes, NMS, segmentation and detection metrics, the detection grid."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnnlab.datasets import make_shapes
from cnnlab.vision import (GridDetectionLoss, box_area, box_iou, decode_grid, decode_output, encode_grid,
                           iou_per_class, match_detections,
                           mean_iou, non_max_suppression, pixel_accuracy, precision_recall)


# --- boxes ---------------------------------------------------------------------------------------

def test_iou_by_hand():
    iou = box_iou([[0, 0, 2, 2], [0, 0, 4, 4]], [[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6], [2, 0, 4, 2]])
    expected = [[1 / 7, 1.0, 0.0, 0.0],           # corner overlap 1 / (4 + 4 - 1); identical; apart; touching
                [4 / 16, 4 / 16, 0.0, 4 / 16]]    # small boxes inside the big one: area ratio
    np.testing.assert_allclose(iou, expected)
    np.testing.assert_allclose(box_area([[0, 0, 2, 3], [1, 1, 1, 5]]), [6, 0])


def _raster(box, size=12):
    image = np.zeros((size, size), bool)
    x0, y0, x1, y1 = box
    image[y0:y1, x0:x1] = True
    return image


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=8, max_size=8))
def test_iou_equals_the_iou_of_the_painted_pixels(corners):
    xs, ys = np.array(corners[0::2]).reshape(2, 2), np.array(corners[1::2]).reshape(2, 2)
    a = [xs[0].min(), ys[0].min(), xs[0].max(), ys[0].max()]
    b = [xs[1].min(), ys[1].min(), xs[1].max(), ys[1].max()]
    pa, pb = _raster(a), _raster(b)
    union = (pa | pb).sum()
    expected = (pa & pb).sum() / union if union else 0.0
    assert box_iou([a], [b])[0, 0] == pytest.approx(expected)
    assert box_iou([b], [a])[0, 0] == pytest.approx(expected)


def test_nms_keeps_the_best_of_each_cluster():
    boxes = [[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9], [21, 20, 31, 30]]
    scores = [0.9, 0.95, 0.5, 0.3, 0.6]
    # 1 beats 0 and 3 (IoU 0.68 and 0.61); 4 beats 2 (IoU 0.82).
    np.testing.assert_array_equal(non_max_suppression(boxes, scores, 0.5), [1, 4])
    # With a threshold above every overlap, nothing is dropped: all boxes, best first.
    np.testing.assert_array_equal(non_max_suppression(boxes, scores, 0.9), [1, 0, 4, 2, 3])
    assert non_max_suppression(np.zeros((0, 4)), np.zeros(0)).shape == (0,)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.1, 0.9))
def test_nms_leaves_no_big_overlap_and_drops_only_overlapped_boxes(seed, threshold):
    rng = np.random.default_rng(seed)
    corner = rng.uniform(0, 20, (15, 2))
    boxes = np.hstack([corner, corner + rng.uniform(2, 10, (15, 2))])
    scores = rng.random(15)
    keep = non_max_suppression(boxes, scores, threshold)
    iou = box_iou(boxes, boxes)
    assert np.all(np.diff(scores[keep]) <= 0)
    assert np.all(iou[np.ix_(keep, keep)][~np.eye(len(keep), dtype=bool)] <= threshold)
    for dropped in set(range(15)) - set(keep.tolist()):
        assert np.any((iou[dropped, keep] > threshold) & (scores[keep] >= scores[dropped]))


# --- segmentation --------------------------------------------------------------------------------

def test_segmentation_metrics_by_hand():
    target = np.array([[[0, 0, 1, 1],
                        [0, 0, 1, 1],
                        [2, 2, 0, 0]]])
    prediction = np.array([[[0, 0, 1, 0],
                            [0, 1, 1, 1],
                            [2, 0, 0, 0]]])
    assert pixel_accuracy(prediction, target) == pytest.approx(9 / 12)
    # class 0: 5 shared of 8 in either (6 true + 7 predicted - 5); class 1: 3 shared of 5;
    # class 2: 1 shared of 2; class 3 is in neither.
    np.testing.assert_allclose(iou_per_class(prediction, target, 4), [5 / 8, 3 / 5, 1 / 2, np.nan])
    assert mean_iou(prediction, target, 4) == pytest.approx((5 / 8 + 3 / 5 + 1 / 2) / 3)


def test_all_background_prediction_scores_high_accuracy_but_low_mean_iou():
    masks = make_shapes(50, size=24, seed=0).masks
    lazy = np.zeros_like(masks)
    assert pixel_accuracy(lazy, masks) > 0.7
    assert mean_iou(lazy, masks, 5) < 0.2
    assert mean_iou(masks, masks, 5) == 1.0


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_iou_per_class_matches_a_loop_over_classes(seed):
    rng = np.random.default_rng(seed)
    target, prediction = rng.integers(0, 3, (2, 5, 6)), rng.integers(0, 3, (2, 5, 6))
    for k, value in enumerate(iou_per_class(prediction, target, 3)):
        union = np.sum((prediction == k) | (target == k))
        assert value == pytest.approx(np.sum((prediction == k) & (target == k)) / union)


def test_segmentation_metrics_name_bad_arguments():
    with pytest.raises(ValueError, match="same shape"):
        pixel_accuracy(np.zeros((1, 4, 4), int), np.zeros((1, 4, 5), int))
    with pytest.raises(TypeError, match="integer class numbers.*argmax"):
        mean_iou(np.zeros((1, 5, 4, 4)), np.zeros((1, 4, 4), int), 5)
    with pytest.raises(ValueError, match="classes 0 .. 2"):
        iou_per_class(np.full((1, 2, 2), 3), np.zeros((1, 2, 2), int), 3)


# --- detection -----------------------------------------------------------------------------------

def test_matching_by_hand():
    true_boxes, true_labels = [[0, 0, 10, 10], [20, 20, 30, 30]], [0, 1]
    pred_boxes = [[0, 0, 10, 10],     # finds object 0
                  [1, 1, 10, 10],     # a second box on object 0: duplicate, false positive
                  [20, 20, 30, 30],   # right place, wrong class: false positive
                  [20, 20, 26, 26]]   # right class but IoU 0.36 < 0.5: false positive
    hit = match_detections(pred_boxes, [0.9, 0.95, 0.8, 0.7], [0, 0, 0, 1], true_boxes, true_labels)
    # The more confident duplicate (0.95, IoU 0.81) takes object 0 first; the exact box comes too late.
    np.testing.assert_array_equal(hit, [False, True, False, False])
    assert match_detections(pred_boxes, [0.9, 0.95, 0.8, 0.7], [0, 0, 0, 1], true_boxes, true_labels,
                            iou_threshold=0.3).tolist() == [False, True, False, True]


def test_precision_and_recall_over_images():
    truths = [([[0, 0, 10, 10], [20, 20, 30, 30]], [0, 1]), ([[5, 5, 9, 9]], [2])]
    predictions = [([[0, 0, 10, 10], [40, 40, 45, 45]], [0.9, 0.8], [0, 1]),   # 1 hit, 1 miss
                   (np.zeros((0, 4)), np.zeros(0), np.zeros(0, int))]           # nothing found
    precision, recall = precision_recall(predictions, truths)
    assert (precision, recall) == (0.5, 1 / 3)
    assert precision_recall([(np.zeros((0, 4)), np.zeros(0), np.zeros(0, int))], [([], [])]) == (0.0, 0.0)
    with pytest.raises(ValueError, match="one entry per image"):
        precision_recall(predictions, truths[:1])


def test_boxes_are_checked():
    with pytest.raises(ValueError, match=r"shape \(N, 4\)"):
        box_iou([[0, 0, 1]], [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match="x0 <= x1"):
        box_iou([[2, 0, 1, 1]], [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match="one score per box"):
        non_max_suppression([[0, 0, 1, 1]], [0.5, 0.2])
    with pytest.raises(ValueError, match="iou_threshold must be a number between 0 and 1"):
        non_max_suppression([[0, 0, 1, 1]], [0.5], iou_threshold=2)


# --- the detection grid --------------------------------------------------------------------------

def test_grid_targets_by_hand():
    # A 10x6 box centred at (13, 5) in a 32 px image with 4x4 cells of 8 px: cell row 0, column 1.
    targets = encode_grid([[2, -1]], [[[8, 2, 18, 8], [-1, -1, -1, -1]]], image_size=32, grid_size=4)
    assert targets.objectness.sum() == 1 and targets.objectness[0, 0, 1] == 1
    assert targets.classes[0, 0, 1] == 2 and (targets.classes == -1).sum() == 15
    np.testing.assert_allclose(targets.offsets[0, :, 0, 1], [13 / 8 - 1, 5 / 8, 10 / 32, 6 / 32])


def test_two_centres_in_one_cell_keep_the_larger_box():
    targets = encode_grid([[0, 1]], [[[0, 0, 4, 4], [0, 0, 6, 6]]], image_size=16, grid_size=2)
    assert targets.classes[0, 0, 0] == 1 and targets.objectness.sum() == 1


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([2, 4, 8]))
def test_decoding_the_targets_gives_back_the_boxes(seed, grid_size):
    data = make_shapes(6, size=32, max_objects=3, scale=(0.1, 0.2), seed=seed)
    targets = encode_grid(data.labels, data.boxes, 32, grid_size)
    decoded = decode_grid(targets.objectness, targets.classes, targets.offsets, 32)
    for i, (boxes, scores, labels) in enumerate(decoded):
        true_labels, true_boxes = data.objects(i)
        hit = match_detections(boxes, scores, labels, true_boxes, true_labels, iou_threshold=0.999)
        assert hit.all()  # every decoded box is exactly one true box ...
        centres = (true_boxes[:, :2] + true_boxes[:, 2:]) / 2 // (32 // grid_size)
        assert len(boxes) == len({tuple(c) for c in centres})  # ... one for each cell holding a centre


def test_grid_arguments_are_checked():
    with pytest.raises(ValueError, match="must divide image_size"):
        encode_grid([[0]], [[[0, 0, 2, 2]]], image_size=30, grid_size=4)
    with pytest.raises(ValueError, match="to match labels"):
        encode_grid([[0, 1]], [[[0, 0, 2, 2]]], image_size=32, grid_size=4)


def test_packed_targets_keep_every_part():
    targets = encode_grid([[2, -1]], [[[8, 2, 18, 8], [-1, -1, -1, -1]]], image_size=32, grid_size=4)
    packed = targets.packed()
    assert packed.shape == (1, 6, 4, 4) and packed.dtype == np.float32
    np.testing.assert_array_equal(packed[0, 0], targets.objectness[0])
    np.testing.assert_array_equal(packed[0, 1], targets.classes[0])
    np.testing.assert_allclose(packed[0, 2:], targets.offsets[0], rtol=1e-6)


def test_grid_loss_gradient_matches_centred_differences():
    data = make_shapes(3, size=16, max_objects=2, scale=(0.2, 0.3), seed=1)
    target = encode_grid(data.labels, data.boxes, 16, 2).packed(np.float64)
    output = np.random.default_rng(0).normal(size=(3, 9, 2, 2))
    loss = GridDetectionLoss(box_weight=5.0, no_object_weight=0.5)
    loss(output, target)
    analytic = loss.backward()
    numeric = np.zeros_like(output)
    for index in np.ndindex(output.shape):
        bumped = output.copy()
        bumped[index] += 1e-6
        up = loss(bumped, target)
        bumped[index] -= 2e-6
        numeric[index] = (up - loss(bumped, target)) / 2e-6
    np.testing.assert_allclose(analytic, numeric, atol=1e-7)


def test_grid_loss_by_hand_and_perfect_output_decodes_to_the_truth():
    # One 1x1 grid cell holding class 1: objectness logit 0 gives ln 2; box error 0.1 each -> 5 * 4 * 0.01.
    target = np.array([1.0, 1.0, 0.5, 0.5, 0.2, 0.2]).reshape(1, 6, 1, 1)
    output = np.array([0.0, 0.6, 0.6, 0.3, 0.3, 0.0, 0.0]).reshape(1, 7, 1, 1)
    loss = GridDetectionLoss()
    assert loss(output, target) == pytest.approx(np.log(2) + 5 * 4 * 0.01 + np.log(2))
    data = make_shapes(4, size=32, max_objects=3, scale=(0.1, 0.2), seed=2)
    targets = encode_grid(data.labels, data.boxes, 32, 8)
    perfect = np.concatenate([np.where(targets.objectness > 0, 20.0, -20.0)[:, None], targets.offsets,
                              20.0 * (np.arange(4)[None, :, None, None] == targets.classes[:, None])], axis=1)
    for (boxes, scores, labels), i in zip(decode_output(perfect, 32), range(4)):
        assert match_detections(boxes, scores, labels, data.objects(i)[1], data.objects(i)[0], 0.999).all()
