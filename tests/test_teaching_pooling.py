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
from cnnlab.teaching.pooling import build_exercises as build  # noqa: E402
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
    np.testing.assert_array_equal(plots.pool2d(feature_map, "min", 2, 2, ceil_mode=True),
                                  [[0, 0, 0], [0, 0, 0], [0, 1, 1]])


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
    def pooled_size(n, k, s):
        return (n - k) // s + 1

    assert outcome_after_title(ex.check_pooled_size, pooled_size, capsys=capsys)[0] == checks.PASSED
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


# --- build it yourself: exercises 04.5-04.8 ----------------------------------------------------

def max_pool_forward(x, kernel_size, stride, reduce=np.max, use_stride=True):
    n, c, h, w = x.shape
    out_h, out_w = (h - kernel_size) // stride + 1, (w - kernel_size) // stride + 1
    step = stride if use_stride else 1
    out = np.empty((n, c, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = reduce(x[:, :, i * step:i * step + kernel_size, j * step:j * step + kernel_size],
                                     axis=(2, 3))
    return out


def first_maximum(window, g):
    share = np.zeros(window.shape)
    share[np.unravel_index(window.argmax(), window.shape)] = g
    return share


def max_pool_backward(grad_output, x, kernel_size, stride):
    return build.route_gradient(grad_output, x, kernel_size, stride, first_maximum)


def max_pool_backward_reshape(grad_output, x, k, every_maximum=False, pad_back=True):
    n, c, out_h, out_w = grad_output.shape
    windows = x[:, :, :out_h * k, :out_w * k].reshape(n, c, out_h, k, out_w, k)
    if every_maximum:  # the natural vectorised mask, wrong on ties
        mask = windows == windows.max(axis=(3, 5), keepdims=True)
    else:
        flat = windows.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, out_h, out_w, k * k)
        mask = (np.arange(k * k) == flat.argmax(-1)[..., None]).reshape(n, c, out_h, out_w, k, k)
        mask = mask.transpose(0, 1, 2, 4, 3, 5)
    routed = (mask * grad_output[:, :, :, None, :, None]).reshape(n, c, out_h * k, out_w * k)
    if not pad_back:
        return routed
    grad_input = np.zeros(x.shape)
    grad_input[:, :, :out_h * k, :out_w * k] = routed
    return grad_input


def avg_pool_backward(grad_output, input_shape, kernel_size, stride, divisor=None, use_stride=True):
    grad_input = np.zeros(input_shape)
    divisor = kernel_size ** 2 if divisor is None else divisor(grad_output)
    step = stride if use_stride else 1
    for n, c, i, j in np.ndindex(grad_output.shape):
        grad_input[n, c, i * step:i * step + kernel_size, j * step:j * step + kernel_size] += \
            grad_output[n, c, i, j] / divisor
    return grad_input


MAX_POOL_FORWARD_MISTAKES = [  # (a typical mistake, the hint it must get)
    (lambda x, k, s: max_pool_forward(x, k, s, reduce=np.mean), "average; take its max"),
    (lambda x, k, s: max_pool_forward(x, k, s, use_stride=False), "not at (i, j)"),
    (lambda x, k, s: F.max_pool2d(x, k, s, ceil_mode=True), "floor((H - kernel_size) / stride) + 1"),
    (lambda x, k, s: max_pool_forward(x, k, s, reduce=np.min), "differs from F.max_pool2d"),
]


def every_maximum(window, g):
    return (window == window.max()) * g


MAX_POOL_BACKWARD_MISTAKES = [  # (a typical mistake, the hint it must get)
    (lambda g, x, k, s: build.route_gradient(g, x, k, s, lambda w, v: np.full(w.shape, v / w.size)),
     "that is average pooling's backward"),
    (lambda g, x, k, s: build.route_gradient(g, x, k, s, lambda w, v: np.full(w.shape, v)),
     "every pixel of the window got the gradient g"),
    (lambda g, x, k, s: build.route_gradient(g, x, k, s, every_maximum), "to the first maximum only"),
    (lambda g, x, k, s: build.route_gradient(g, x, k, 1, first_maximum), "you forgot the stride"),
    (lambda g, x, k, s: np.zeros(g.shape), "gradient of the output's shape"),
    (lambda g, x, k, s: -max_pool_backward(g, x, k, s), "differs from the numerical gradient (relative error 2.0e+00"),
]


MAX_POOL_BACKWARD_RESHAPE_MISTAKES = [  # (a typical mistake, the hint it must get)
    (lambda g, x, k: max_pool_backward_reshape(g, x, k, every_maximum=True), "to the first maximum only"),
    (lambda g, x, k: max_pool_backward_reshape(g, x, k, pad_back=False), "you built the mask from the output's shape"),
    (lambda g, x, k: build.route_gradient(g, x, k, k, lambda w, v: np.full(w.shape, v / w.size)), "average pooling"),
    (lambda g, x, k: np.repeat(np.repeat(g, k, 2), k, 3), "every pixel of the window got the gradient g"),
]


AVG_POOL_BACKWARD_MISTAKES = [  # (a typical mistake, the hint it must get)
    (lambda g, shape, k, s: avg_pool_backward(g, shape, k, s, divisor=lambda g: 1), "forgot to divide by the window"),
    (lambda g, shape, k, s: avg_pool_backward(g, shape, k, s, divisor=lambda g: g.shape[2] * g.shape[3]),
     "divided by the number of windows"),
    (lambda g, shape, k, s: avg_pool_backward(g, shape, k, s, use_stride=False), "you forgot the stride"),
    (lambda g, shape, k, s: g / k ** 2, "gradient of the output's shape"),
    (lambda g, shape, k, s: avg_pool_backward(g, shape, k, s, divisor=lambda g: k), "numerical gradient"),
]


# --- exercises 04.9-04.10: inputs of any size, global average pooling ---------------------------

def adaptive_window(i, size, output_size):
    return i * size // output_size, -(-(i + 1) * size // output_size)


ADAPTIVE_WINDOW_MISTAKES = [  # (a typical mistake, the hint it must get)
    (lambda i, size, out: (i * (size // out), (i + 1) * (size // out)), "leaves the last pixels out"),
    (lambda i, size, out: (i * size // out, (i + 1) * size // out), "round the end up"),
    (lambda i, size, out: (adaptive_window(i, size, out)[0], adaptive_window(i, size, out)[1] - 1), "one past"),
    (lambda i, size, out: (0, size), "start = floor(i * size / output_size)"),
    (lambda i, size, out: 3, "two integers"),
]


GLOBAL_AVERAGE_POOL_MISTAKES = [  # (a typical mistake, the hint it must get)
    (lambda x: x.mean(axis=(2, 3), keepdims=True), "drop the two axes of size 1"),
    (lambda x: x.mean(axis=(1, 2, 3)), "averaged over the channels too"),
    (lambda x: x.mean(), "averaged over the channels too"),
    (lambda x: x.max(axis=(2, 3)), "global max pooling"),
    (lambda x: x.sum(axis=(2, 3)), "divide by its H * W = 16"),
    (lambda x: x.mean(axis=(1, 2)), "shape (2, 4)"),
    (lambda x: x[:, :, 0, 0], "differs at index (0, 0)"),
]


def test_gradient_routing_and_adaptive_plots():
    x = lecture.POOLING_4X4.astype(float)
    grad_output = np.array([[1.0, 2.0], [3.0, 4.0]])
    routes = {"max": F.max_pool2d_backward(grad_output[None, None], F.max_pool2d_forward(x[None, None], 2)[1])[0, 0]}
    fig = plots.plot_gradient_routing(x, grad_output, routes)
    assert [ax.get_title() for ax in fig.axes] == ["input 4x4", "gradient at the output", "max"]
    assert len(fig.axes[0].patches) == 4 and len(fig.axes[2].patches) == 4 and len(fig.axes[1].patches) == 4
    assert sorted(t.get_text() for t in fig.axes[2].texts if t.get_text() != "0") == ["1", "2", "3", "4"]
    fig = plots.plot_adaptive_pooling([np.arange(16.0).reshape(4, 4), np.arange(35.0).reshape(5, 7)], 2)
    assert [ax.get_title() for ax in fig.axes] == ["input 4x4", "pooled 2x2", "input 5x7", "pooled 2x2"]
    first, second = fig.axes[2].patches[0], fig.axes[2].patches[-1]  # the 5x7 map: windows of 3 rows, 4 columns
    assert (first.get_height(), first.get_width()) == (3, 4)
    assert np.allclose(second.get_xy(), (3 - 0.5 + 0.24, 2 - 0.5 + 0.24))  # the last of 4 windows: inset 3 * 0.08


# --- exercises 04.5-04.10: a right answer passes, a stub is not done, each mistake gets its hint ----------

RIGHT_ANSWERS = [
    (build.check_max_pool_forward, max_pool_forward),
    (build.check_max_pool_backward, max_pool_backward),
    (build.check_max_pool_backward_reshape, max_pool_backward_reshape),
    (build.check_avg_pool_backward, avg_pool_backward),
    (ex.check_adaptive_window, adaptive_window),
    (ex.check_global_average_pool, lambda x: x.mean(axis=(2, 3))),
    (ex.check_global_average_pool, cnnlab.nn.Sequential(cnnlab.nn.AdaptiveAvgPool2d(1), cnnlab.nn.Flatten())),
]


@pytest.mark.parametrize("check, right", RIGHT_ANSWERS)
def test_right_answers_pass_and_stubs_are_not_done(check, right, capsys):
    assert outcome_after_title(check, right, capsys=capsys)[0] == checks.PASSED
    assert outcome_after_title(check, stub, capsys=capsys)[0] == checks.NOT_DONE


MISTAKES = [(check, wrong, hint) for check, table in [
    (build.check_max_pool_forward, MAX_POOL_FORWARD_MISTAKES),
    (build.check_max_pool_backward, MAX_POOL_BACKWARD_MISTAKES),
    (build.check_max_pool_backward_reshape, MAX_POOL_BACKWARD_RESHAPE_MISTAKES),
    (build.check_avg_pool_backward, AVG_POOL_BACKWARD_MISTAKES),
    (ex.check_adaptive_window, ADAPTIVE_WINDOW_MISTAKES),
    (ex.check_global_average_pool, GLOBAL_AVERAGE_POOL_MISTAKES),
] for wrong, hint in table]


@pytest.mark.parametrize("check, wrong, hint", MISTAKES)
def test_each_typical_mistake_gets_its_hint(check, wrong, hint, capsys):
    result, printed = outcome_after_title(check, wrong, capsys=capsys)
    assert result == checks.FAILED and hint in printed
