"""The teaching surface of notebook 04: pooling and upsampling plots, the explorer and exercise checks."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import cnnlab  # noqa: E402
import cnnlab.functional as F  # noqa: E402
from cnnlab.teaching import checks, lecture_data as lecture  # noqa: E402
from cnnlab.teaching.images import load_image  # noqa: E402
from cnnlab.teaching.pooling import exercises as ex  # noqa: E402
from cnnlab.teaching.pooling import plots  # noqa: E402
from cnnlab.teaching.pooling.widgets import PoolingExplorer  # noqa: E402
from cnnlab.teaching.upsampling import plots as upsampling_plots  # noqa: E402
from _teaching_helpers import outcome_after_title, stub  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- the lecture's numbers --------------------------------------------------------------------

def test_max_pooling_the_feature_map_gives_the_slide_3x3_with_ceil_mode():
    feature_map = ex.feature_map()
    np.testing.assert_array_equal(plots.pool2d(feature_map, "max", 2, 2, ceil_mode=True), lecture.SLIDE_MAX_POOLED)
    np.testing.assert_array_equal(plots.pool2d(feature_map, "max", 2, 2), [[1, 1], [4, 2]])  # floor: 2x2
    np.testing.assert_array_equal(plots.pool2d(feature_map, "average", 2, 2, ceil_mode=True),
                                  [[0.5, 0.5, 0], [1.5, 1.25, 0.5], [0, 1.5, 1]])
    np.testing.assert_array_equal(plots.pool2d(feature_map, "min", 2, 2, ceil_mode=True), [[0, 0, 0], [0, 0, 0], [0, 1, 1]])


def test_pooling_the_4x4_input():
    np.testing.assert_array_equal(plots.pool2d(lecture.POOLING_4X4, "max"), [[6, 8], [3, 4]])
    np.testing.assert_array_equal(plots.pool2d(lecture.POOLING_4X4, "average"), [[3.25, 5.25], [2, 2]])
    np.testing.assert_array_equal(plots.pool2d(lecture.POOLING_4X4, "min"), [[1, 2], [1, 0]])
    with pytest.raises(ValueError, match="'max'"):
        plots.pool2d(lecture.POOLING_4X4, "median")


def test_upsampling_the_2x2_example():
    np.testing.assert_array_equal(upsampling_plots.upsample2d(lecture.UPSAMPLING_2X2), lecture.SLIDE_NEAREST_4X4)
    bilinear = upsampling_plots.upsample2d(lecture.UPSAMPLING_2X2, mode="bilinear", align_corners=False)
    np.testing.assert_allclose(bilinear[0], [20, 26.25, 38.75, 45])  # a quarter of the way: 20 + (45 - 20) / 4
    np.testing.assert_allclose(bilinear[:, 0], [20, 17.5, 12.5, 10])


@pytest.mark.torch
def test_upsampling_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = torch.tensor(lecture.UPSAMPLING_2X2)[None, None]
    for mode, corners in (("nearest", None), ("bilinear", False), ("bilinear", True)):
        expected = torch.nn.functional.interpolate(x, scale_factor=2, mode=mode, align_corners=corners)[0, 0].numpy()
        np.testing.assert_allclose(upsampling_plots.upsample2d(lecture.UPSAMPLING_2X2, 2, mode, corners), expected)


# --- plots ------------------------------------------------------------------------------------

def test_pooling_plot_outlines_one_window_per_output_cell():
    pooled = {mode: plots.pool2d(ex.feature_map(), mode, 2, 2, ceil_mode=True) for mode in ("max", "min")}
    fig = plots.plot_pooling(ex.feature_map(), pooled, 2, 2)
    assert len(fig.axes) == 3
    windows = fig.axes[0].patches
    assert len(windows) == 9
    assert (windows[-1].get_width(), windows[-1].get_height()) == (1, 1)  # the corner window holds one value
    assert [t.get_text() for t in fig.axes[1].texts] == ["1", "1", "0", "4", "2", "1", "0", "2", "1"]
    assert fig.axes[2].get_title() == "min pooling 3x3"


def test_upsampling_shift_flattening_and_photo_plots():
    fig = upsampling_plots.plot_upsampling(lecture.UPSAMPLING_2X2, {"nearest": lecture.SLIDE_NEAREST_4X4})
    assert [ax.get_title() for ax in fig.axes] == ["input 2x2", "nearest 4x4"] and len(fig.axes[1].texts) == 16
    image = load_image("camera", 16)
    fig = plots.plot_shift_comparison({"photo": [image, image], "pooled": [image[::2, ::2]] * 2}, ["a", "b"])
    assert len(fig.axes) == 4 and fig.axes[3].get_title() == "b: pooled 8x8"
    stack = np.arange(12.0).reshape(3, 2, 2)
    fig = plots.plot_flattening(stack, stack.reshape(-1))
    assert len(fig.axes) == 4 and [t.get_text() for t in fig.axes[3].texts] == [str(i) for i in range(12)]
    fig, artists = plots.plot_pooled_image(image, image[::2, ::2])
    assert artists["output"].get_array().shape == (8, 8)


# --- explorer ---------------------------------------------------------------------------------

def test_pooling_explorer_pools_with_cnnlab():
    explorer = PoolingExplorer(images=("camera", "coins"), size=64)
    pooled = explorer.update(image="coins", mode="min", kernel_size=3, stride=2)
    expected = F.min_pool2d(load_image("coins", 64)[None, None], 3, 2)[0, 0]
    np.testing.assert_allclose(pooled, expected)
    np.testing.assert_allclose(explorer.artists["output"].get_array(), expected)
    assert "31x31" in explorer.artists["output"].axes.get_title()
    explorer.update(image="camera", mode="max", kernel_size=2, stride=2)
    assert "(25.0% of the values kept)" in explorer.artists["output"].axes.get_title()
    assert explorer.time_update(repeats=1) > 0
    assert type(explorer.widget()).__name__ == "VBox"


# --- exercise 04.1 -----------------------------------------------------------------------------

@pytest.mark.parametrize("answer, hint", [
    (lambda: (1.25, 2.0), "swapped"),
    (lambda: (2.0, 5.0), "sum of the window"),
    (lambda: (2.0, 1.5), "misprint"),
    (lambda: (4.0, 1.25), "rows 2-3"),
    (lambda: (2.0, 1.0), "divide by 4"),
    (lambda: 2.0, "two numbers"),
])
def test_pooled_window_hints(answer, hint, capsys):
    result, printed = outcome_after_title(ex.check_pooled_window, answer, capsys=capsys)
    assert result == checks.FAILED and hint in printed


def test_pooled_window_right_and_stub(capsys):
    assert outcome_after_title(ex.check_pooled_window, lambda: (2, 1.25), capsys=capsys)[0] == checks.PASSED
    assert outcome_after_title(ex.check_pooled_window, stub, capsys=capsys)[0] == checks.NOT_DONE


# --- exercise 04.2 -----------------------------------------------------------------------------

@pytest.mark.parametrize("wrong, hint", [
    (lambda n, k, s: -(-(n - k) // s) + 1, "ceil_mode"),
    (lambda n, k, s: n // s, "subtract the window"),
    (lambda n, k, s: (n - k) // s, "forgot the + 1"),
    (lambda n, k, s: n - k + 1, "ignored the stride"),
])
def test_pooled_size_hints(wrong, hint, capsys):
    result, printed = outcome_after_title(ex.check_pooled_size, wrong, capsys=capsys)
    assert result == checks.FAILED and hint in printed


def test_pooled_size_right_and_stub(capsys):
    assert outcome_after_title(ex.check_pooled_size, lambda n, k, s: (n - k) // s + 1, capsys=capsys)[0] == checks.PASSED
    assert outcome_after_title(ex.check_pooled_size, stub, capsys=capsys)[0] == checks.NOT_DONE


# --- exercise 04.3 -----------------------------------------------------------------------------

def reshape_pool(x, k, reduce=np.max, crop=True, grouping="right"):
    h, w = x.shape[0] // k, x.shape[1] // k
    x = x[:h * k, :w * k] if crop else x
    if grouping == "right":
        return reduce(x.reshape(h, k, w, k), axis=(1, 3))
    return reduce(x.reshape(h, w, k, k), axis=(2, 3))


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, k: reshape_pool(x, k, reduce=np.mean), "average"),
    (lambda x, k: reshape_pool(x, k, grouping="wrong"), "mix pixels"),
    (lambda x, k: reshape_pool(x, k, crop=False), "crop the map"),
    (lambda x, k: x[::k, ::k], "differs at index (0, 0)"),
])
def test_max_pool_reshape_hints(wrong, hint, capsys):
    result, printed = outcome_after_title(ex.check_max_pool_reshape, wrong, capsys=capsys)
    assert result == checks.FAILED and hint in printed


def test_max_pool_reshape_right_and_stub(capsys):
    assert outcome_after_title(ex.check_max_pool_reshape, reshape_pool, capsys=capsys)[0] == checks.PASSED
    assert outcome_after_title(ex.check_max_pool_reshape, stub, capsys=capsys)[0] == checks.NOT_DONE


# --- exercise 04.4 -----------------------------------------------------------------------------

@pytest.mark.parametrize("wrong, hint", [
    (lambda x: x.reshape(-1), "keep the batch axis"),
    (lambda x: x.transpose(0, 2, 3, 1).reshape(x.shape[0], -1), "channels last"),
    (lambda x: x.reshape(x.shape[0], -1, order="F"), "Fortran"),
    (lambda x: x.reshape(x.shape[0], x.shape[1], -1), "shape"),
    (lambda x: x.reshape(x.shape[0], -1)[:, ::-1], "another order"),
])
def test_flatten_hints(wrong, hint, capsys):
    result, printed = outcome_after_title(ex.check_flatten, wrong, capsys=capsys)
    assert result == checks.FAILED and hint in printed


def test_flatten_right_and_stub(capsys):
    assert outcome_after_title(ex.check_flatten, lambda x: x.reshape(x.shape[0], -1), capsys=capsys)[0] == checks.PASSED
    assert outcome_after_title(ex.check_flatten, cnnlab.nn.Flatten(), capsys=capsys)[0] == checks.PASSED
    assert outcome_after_title(ex.check_flatten, stub, capsys=capsys)[0] == checks.NOT_DONE
