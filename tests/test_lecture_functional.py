"""The lectures' worked examples for pooling, upsampling and the losses, computed with cnnlab.

Each value here was worked out by hand; where a slide prints something else, the test holds the
correct value and says what the slide shows.
"""
import numpy as np
import pytest

import cnnlab
from cnnlab import functional as F
from cnnlab.teaching import lecture_data as lecture
from _contract import backward_of
from _numgrad import numerical_gradient

# The plan-of-attack lecture's "Max Pooling": the 7x7 smiley under the 3x3 feature detector. The slide prints
# this 5x5 map with one cell wrong (row 2, column 2 from 0: 1 where the sum is 0; notebook 01 shows it);
# the tests pool the map the arithmetic gives, and say where the slide's misprint would change a value.
FEATURE_MAP = cnnlab.correlate2d(lecture.SMILEY, lecture.FEATURE_DETECTOR)[None, None]


def test_the_feature_map_differs_from_the_slide_in_one_cell():
    assert np.argwhere(FEATURE_MAP[0, 0] != lecture.SLIDE_FEATURE_MAP).tolist() == [[2, 2]]
    assert FEATURE_MAP[0, 0, 2, 2] == 0 and lecture.SLIDE_FEATURE_MAP[2, 2] == 1


# ------------------------------------------------------------------------- pooling (seeds/002)
def test_max_pooling_the_feature_map_to_3x3():
    # A 2x2 window with stride 2 on 5 columns needs a third, partial window: PyTorch's ceil_mode=True.
    pooled = F.max_pool2d(FEATURE_MAP, kernel_size=2, stride=2, ceil_mode=True)
    np.testing.assert_array_equal(pooled[0, 0], [[1, 1, 0], [4, 2, 1], [0, 2, 1]])  # as the slide prints


def test_without_ceil_mode_the_border_is_dropped():
    pooled = F.max_pool2d(FEATURE_MAP, kernel_size=2, stride=2)
    np.testing.assert_array_equal(pooled[0, 0], [[1, 1], [4, 2]])


def test_flattening_the_pooled_map():
    pooled = F.max_pool2d(FEATURE_MAP, kernel_size=2, stride=2, ceil_mode=True)
    np.testing.assert_array_equal(pooled.reshape(len(pooled), -1), [[1, 1, 0, 4, 2, 1, 0, 2, 1]])


def test_min_and_average_pooling_the_feature_map():
    np.testing.assert_array_equal(F.min_pool2d(FEATURE_MAP, 2, 2, ceil_mode=True)[0, 0],
                                  [[0, 0, 0], [0, 0, 0], [0, 1, 1]])
    np.testing.assert_allclose(F.avg_pool2d(FEATURE_MAP, 2, 2, ceil_mode=True)[0, 0],
                               [[0.5, 0.5, 0], [1.5, 1.25, 0.5], [0, 1.5, 1]])


def test_the_slides_misprint_changes_min_and_average_of_one_window():
    # Pooled cell [1, 1] is the window of rows 2-3, columns 2-3: [[0, 2], [2, 1]] computed,
    # [[1, 2], [2, 1]] on the slide. Its maximum is 2 either way; its minimum and average are not.
    computed, slide = FEATURE_MAP, lecture.SLIDE_FEATURE_MAP[None, None]
    assert (F.max_pool2d(computed, 2, 2, ceil_mode=True)[0, 0, 1, 1]
            == F.max_pool2d(slide, 2, 2, ceil_mode=True)[0, 0, 1, 1] == 2)
    assert F.min_pool2d(computed, 2, 2, ceil_mode=True)[0, 0, 1, 1] == 0
    assert F.min_pool2d(slide, 2, 2, ceil_mode=True)[0, 0, 1, 1] == 1
    assert F.avg_pool2d(computed, 2, 2, ceil_mode=True)[0, 0, 1, 1] == 1.25
    assert F.avg_pool2d(slide, 2, 2, ceil_mode=True)[0, 0, 1, 1] == 1.5


def test_2x2_stride_2_keeps_25_percent():
    # seeds/003: "2x2 filter with stride = 2 discards 75% of the activations"
    activations = np.random.default_rng(0).normal(size=(1, 8, 28, 28))
    kept = F.max_pool2d(activations, 2, 2).size / activations.size
    assert kept == 0.25


def test_4x4_input_to_2x2_output_max_min_and_average():
    # The pooling lectures show a 4x4 input pooled to 2x2 (the numbers of CS231n's figure, lost with the
    # picture in the text): lecture_data.POOLING_4X4, the array notebook 04 pools.
    x = lecture.POOLING_4X4[None, None]
    np.testing.assert_array_equal(F.max_pool2d(x, 2)[0, 0], [[6, 8], [3, 4]])
    np.testing.assert_array_equal(F.min_pool2d(x, 2)[0, 0], [[1, 2], [1, 0]])
    np.testing.assert_allclose(F.avg_pool2d(x, 2)[0, 0], [[3.25, 5.25], [2, 2]])


# ------------------------------------------------------------------------- upsampling (seeds/004)
def test_nearest_upsampling_the_2x2_map():
    small = np.array([[20.0, 45.0], [10.0, 43.0]])[None, None]
    np.testing.assert_array_equal(F.interpolate(small, scale_factor=2, mode="nearest")[0, 0],
                                  [[20, 20, 45, 45], [20, 20, 45, 45], [10, 10, 43, 43], [10, 10, 43, 43]])


# -------------------------------------------------- MSE versus cross-entropy (seeds/000, ground truth 1)
PREDICTIONS = np.array([0.02, 0.002, 0.5, 0.95, 0.4, 1e-10])


def test_the_mse_column():
    mse = F.mse_loss(PREDICTIONS, np.ones(6), reduction="none")
    # The slide prints 0.96 and 0.996: (1 - 0.02)^2 = 0.9604 and (1 - 0.002)^2 = 0.996004 exactly.
    np.testing.assert_allclose(mse, [0.9604, 0.996004, 0.25, 0.0025, 0.36, 1 - 2e-10 + 1e-20])


def test_the_cross_entropy_column():
    cross_entropy = F.binary_cross_entropy(PREDICTIONS, np.ones(6), reduction="none")
    # -ln p, natural log. The slide prints 3.9, 6.21, 1.38, 0.05, 0.91, 23.
    np.testing.assert_allclose(cross_entropy, -np.log(PREDICTIONS))
    np.testing.assert_allclose(np.round(cross_entropy, 2), [3.91, 6.21, 0.69, 0.05, 0.92, 23.03])
    # The slide's 1.38 for p = 0.5 is 2 ln 2 = 1.386, cut to two decimals: the cross-entropy of 0.5
    # counted twice. Summing both terms -ln p - ln(1 - p) gives that at p = 0.5 only; at p = 0.95 it
    # gives 3.05 where the slide prints 0.05, so it is a one-off slip, not another convention
    # (notebook 03 reads it the same way). The slide's 0.91 is 0.916 cut, not rounded.
    both_terms = -np.log(PREDICTIONS) - np.log(1 - PREDICTIONS)
    assert np.floor(both_terms[2] * 100) / 100 == 1.38
    assert round(both_terms[3], 2) == 3.05 and round(cross_entropy[3], 2) == 0.05
    assert cross_entropy[2] == pytest.approx(0.6931, abs=1e-4)
    assert np.floor(cross_entropy[4] * 100) / 100 == 0.91


def test_the_slides_formula_has_prediction_and_ground_truth_swapped():
    # The slide writes the loss as -{prediction * log(ground_truth) + (1 - prediction) * log(1 - ground_truth)}.
    # With ground truth 1 that is log(0) for every prediction below 1: it cannot have made the table.
    with np.errstate(divide="ignore"):
        swapped = -(PREDICTIONS * np.log(1.0) + (1 - PREDICTIONS) * np.log(1 - 1.0))
    assert np.isinf(swapped).all()
    # The right way round: -{t ln p + (1 - t) ln(1 - p)}
    t = 1.0
    right = -(t * np.log(PREDICTIONS) + (1 - t) * np.log(1 - PREDICTIONS))
    np.testing.assert_allclose(F.binary_cross_entropy(PREDICTIONS, np.ones(6), reduction="none"), right)


def test_the_mean_absolute_error_the_hands_on_lecture_lists_beside_mse():
    # The lecture's objective functions: mean_squared_error, mean_absolute_error, binary and categorical
    # cross-entropy. For ground truth 1, MAE is 1 - p; its gradient has the same size, 1/N, for every prediction.
    mae = F.l1_loss(PREDICTIONS, np.ones(6), reduction="none")
    np.testing.assert_allclose(mae, [0.98, 0.998, 0.5, 0.05, 0.6, 1 - 1e-10])
    assert F.l1_loss(PREDICTIONS, np.ones(6)) == pytest.approx((0.98 + 0.998 + 0.5 + 0.05 + 0.6 + 1 - 1e-10) / 6)
    np.testing.assert_allclose(backward_of("l1_loss", 1.0, PREDICTIONS, np.ones(6)), np.full(6, -1 / 6))
    numerical = numerical_gradient(lambda p: F.l1_loss(p, np.ones(6)), PREDICTIONS.copy())
    np.testing.assert_allclose(numerical, np.full(6, -1 / 6), rtol=1e-6)


def test_cross_entropy_punishes_confident_mistakes_far_more():
    mse = F.mse_loss(PREDICTIONS, np.ones(6), reduction="none")
    cross_entropy = F.binary_cross_entropy(PREDICTIONS, np.ones(6), reduction="none")
    # from 0.02 to 0.002 (ten times more confidently wrong): MSE grows by 3.7%, cross-entropy by ln 10 = 2.3
    assert mse[1] / mse[0] == pytest.approx(1.0371, abs=1e-4)
    assert cross_entropy[1] - cross_entropy[0] == pytest.approx(np.log(10))


# ------------------------------------------------------------------ the dog/cat table (seeds/002)
NN1 = np.array([[0.9, 0.1], [0.1, 0.9], [0.4, 0.6]])  # predicted (dog, cat) per row
NN2 = np.array([[0.6, 0.4], [0.3, 0.7], [0.1, 0.9]])
TARGET = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])  # dog, cat, dog
CLASSES = TARGET.argmax(axis=1)


@pytest.mark.parametrize("predictions", [NN1, NN2])
def test_classification_error_is_one_third_for_both(predictions):
    assert np.mean(predictions.argmax(axis=1) != CLASSES) == pytest.approx(1 / 3)


def test_mse_sum_over_classes_then_mean_over_rows():
    # The slide's convention: each row's squared error summed over dog and cat, then the mean of the rows.
    # NN1: (0.02 + 0.02 + 0.72) / 3 = 0.2533; NN2: (0.32 + 0.18 + 1.62) / 3 = 0.7067, the slide's 0.71.
    per_row = {name: F.mse_loss(p, TARGET, reduction="sum") / len(p) for name, p in [("NN1", NN1), ("NN2", NN2)]}
    assert per_row["NN1"] == pytest.approx(0.76 / 3)
    assert per_row["NN2"] == pytest.approx(2.12 / 3)
    assert round(per_row["NN2"], 2) == 0.71


def test_mse_mean_over_all_entries():
    # PyTorch's mse_loss default (mean over all 6 entries) gives half of that: 0.1267 and 0.3533.
    assert F.mse_loss(NN1, TARGET) == pytest.approx(0.76 / 6)
    assert F.mse_loss(NN2, TARGET) == pytest.approx(2.12 / 6)


def test_cross_entropy_sum_over_classes_then_mean_over_rows():
    # -ln of the probability of the right class, averaged over rows (natural log):
    # NN1: (-ln 0.9 - ln 0.9 - ln 0.4) / 3 = 0.3757; NN2: (-ln 0.6 - ln 0.7 - ln 0.1) / 3 = 1.0567, the slide's 1.06.
    nn1 = F.nll_loss(np.log(NN1), CLASSES)
    nn2 = F.nll_loss(np.log(NN2), CLASSES)
    assert nn1 == pytest.approx(-(2 * np.log(0.9) + np.log(0.4)) / 3)
    assert nn2 == pytest.approx(-(np.log(0.6) + np.log(0.7) + np.log(0.1)) / 3)
    assert (round(nn1, 2), round(nn2, 2)) == (0.38, 1.06)
    # the same with the class probabilities as the target, H(p, q) = -sum p(x) log q(x) per row
    assert -(TARGET * np.log(NN2)).sum(axis=1).mean() == pytest.approx(nn2)


def test_cross_entropy_mean_over_all_entries():
    # Averaging over all 6 entries (zeros included) halves it: 0.1878 and 0.5283; not the slide's convention.
    assert -(TARGET * np.log(NN1)).mean() == pytest.approx(0.18784, abs=1e-5)
    assert -(TARGET * np.log(NN2)).mean() == pytest.approx(0.52835, abs=1e-5)


def test_the_slide_shows_nn2_and_nn1_is_better():
    # Same classification error, but MSE and cross-entropy both see that NN1 is closer to the truth.
    assert F.mse_loss(NN1, TARGET) < F.mse_loss(NN2, TARGET)
    assert F.nll_loss(np.log(NN1), CLASSES) < F.nll_loss(np.log(NN2), CLASSES)


# --------------------------------------------------------------- the gradient y - t (seeds/002)
def test_softmax_cross_entropy_gradient_is_y_minus_t():
    logits = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]])
    target = np.array([0, 1])
    y, t = F.softmax(logits, dim=1), np.eye(3)[target]
    gradient = backward_of("cross_entropy", 1.0, logits, target, reduction="sum")
    np.testing.assert_allclose(gradient, y - t)
    numerical = numerical_gradient(lambda z: F.cross_entropy(z, target, reduction="sum"), logits)
    np.testing.assert_allclose(numerical, y - t, rtol=1e-6, atol=1e-8)
    # with the mean over the batch, each row is divided by N
    np.testing.assert_allclose(backward_of("cross_entropy", 1.0, logits, target), (y - t) / 2)
