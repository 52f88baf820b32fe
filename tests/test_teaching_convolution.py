"""The teaching surface of notebook 01: lecture arrays, photos, plots, widgets and exercise checks."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

import cnnlab  # noqa: E402
from cnnlab.kernels import KERNELS  # noqa: E402
from cnnlab.teaching import checks, lecture_data as lecture  # noqa: E402
from cnnlab.teaching import drawing  # noqa: E402
from cnnlab.teaching.convolution import exercises as ex  # noqa: E402
from cnnlab.teaching.convolution import counting, plots  # noqa: E402
from cnnlab.teaching.convolution import widgets as conv_widgets  # noqa: E402
from cnnlab.teaching.images import SAMPLE_IMAGES, load_color_image, load_image  # noqa: E402
from _teaching_helpers import outcome_after_title  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- lecture arrays ---------------------------------------------------------------------------

def test_100x100_image_has_the_slide_corner_and_gives_10():
    image = lecture.image_100x100()
    assert image.shape == (100, 100)
    np.testing.assert_array_equal(image[:2, :2], [[1, 1], [3, 4]])
    np.testing.assert_array_equal(image, lecture.image_100x100())  # seeded: the same every time
    assert cnnlab.correlate2d(image, lecture.KERNEL_2X2)[0, 0] == 10


def test_smiley_feature_map_differs_from_the_slide_in_one_cell_only():
    computed = cnnlab.correlate2d(lecture.SMILEY, lecture.FEATURE_DETECTOR)
    assert computed.shape == (5, 5)
    assert [tuple(i) for i in np.argwhere(computed != lecture.SLIDE_FEATURE_MAP)] == [(2, 2)]
    assert computed[2, 2] == 0 and lecture.SLIDE_FEATURE_MAP[2, 2] == 1
    assert computed[3, 1] == 4  # the best match, as the slide says


def test_edge_example_matches_the_slides_at_both_strides():
    np.testing.assert_array_equal(cnnlab.correlate2d(lecture.EDGE_IMAGE, lecture.VERTICAL_EDGE_FILTER),
                                  lecture.SLIDE_EDGE_STRIDE_1)
    np.testing.assert_array_equal(cnnlab.correlate2d(lecture.EDGE_IMAGE, lecture.VERTICAL_EDGE_FILTER, stride=2),
                                  lecture.SLIDE_EDGE_STRIDE_2)


# --- photos -----------------------------------------------------------------------------------

def test_load_image_is_grayscale_float_in_unit_range_and_a_fresh_copy():
    camera = load_image("camera")
    assert camera.shape == (512, 512) and camera.dtype == np.float64
    assert 0 <= camera.min() and camera.max() <= 1
    camera[:] = 0
    assert load_image("camera").max() > 0  # the cache was not changed
    assert load_image("astronaut").ndim == 2


def test_load_image_resizes_and_loads_color():
    assert load_image("coins", size=(30, 40)).shape == (30, 40)
    astronaut = load_color_image("astronaut", size=32)
    assert astronaut.shape == (32, 32, 3) and 0 <= astronaut.min() and astronaut.max() <= 1
    assert load_color_image("camera", size=8).shape == (8, 8, 3)


def test_load_image_names_the_choices_for_an_unknown_photo():
    with pytest.raises(ValueError, match="'camera'"):
        load_image("brain")  # ships only as a download
    with pytest.raises(ValueError, match="size"):
        load_image("camera", size=0)
    assert "camera" in SAMPLE_IMAGES


# --- plots ------------------------------------------------------------------------------------

def test_products_text_writes_the_lecture_sum():
    assert plots.products_text([[1, 1], [3, 4]], lecture.KERNEL_2X2, 10.0) == "1×2 + 1×0 + 3×0 + 4×2 = 10"
    assert plots.products_text([[50, 0]], [[1, -1]], 50) == "50×1 + 0×(-1) = 50"
    assert plots.products_text([[0.5]], [[0.25]], 0.125) == "0.5×0.25 = 0.125"


def test_sliding_window_plot_shows_window_products_and_filled_output():
    image, kernel = lecture.image_100x100(), lecture.KERNEL_2X2
    output = cnnlab.correlate2d(image, kernel)
    fig = plots.plot_sliding_window(image, kernel, output, step=1, show_rows=4, show_cols=4)
    input_ax, kernel_ax, output_ax = fig.axes
    assert "1×2 + 5×0 + 4×0 + 3×2 = 8" in fig._suptitle.get_text() and output[0, 1] == 8
    assert [t.get_text() for t in output_ax.texts] == ["10", "8"]  # two cells filled so far
    window = [p for p in input_ax.patches if p.get_edgecolor()[:3] == matplotlib.colors.to_rgb(drawing.HIGHLIGHT)][0]
    assert window.get_xy() == (0.5, -0.5) and (window.get_width(), window.get_height()) == (2, 2)
    assert [t.get_text() for t in kernel_ax.texts] == ["2", "0", "0", "2"]


def test_sliding_window_plot_with_stride_padding_and_flip():
    output = cnnlab.convolve2d(lecture.SMILEY, lecture.FEATURE_DETECTOR, stride=2, padding=1)
    fig = plots.plot_sliding_window(lecture.SMILEY, lecture.FEATURE_DETECTOR, output, step=5, stride=2, padding=1,
                                    flip=True)
    assert fig.axes[1].get_title() == "kernel, flipped"
    flipped = lecture.FEATURE_DETECTOR[::-1, ::-1]
    assert [t.get_text() for t in fig.axes[1].texts] == [drawing.format_number(v) for v in flipped.ravel()]
    assert "input (zero padded)" == fig.axes[0].get_title()
    assert fig.axes[0].images[0].get_array().shape == (9, 9)
    assert "position (1, 1)" in fig._suptitle.get_text()


def test_map_comparison_outlines_the_misprinted_cell():
    computed = cnnlab.correlate2d(lecture.SMILEY, lecture.FEATURE_DETECTOR)
    fig = plots.plot_map_comparison(computed, lecture.SLIDE_FEATURE_MAP)
    for ax in fig.axes:
        assert len(ax.patches) == 1 and ax.patches[0].get_xy() == (2 - 0.45, 2 - 0.45)


def test_kernel_gallery_shows_each_kernel_applied_with_same_padding():
    photo = load_image("coins", size=40)
    chosen = {name: KERNELS[name] for name in ("identity", "Sobel x (vertical edges)", "Gaussian blur 5x5")}
    fig = plots.plot_kernel_gallery(photo, chosen, columns=2)
    shown = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(shown) == 3
    np.testing.assert_allclose(shown[0], photo)
    np.testing.assert_allclose(shown[2], cnnlab.correlate2d(photo, chosen["Gaussian blur 5x5"], padding="same"))


def test_display_limits_are_symmetric_for_edge_maps_only():
    edges = cnnlab.correlate2d(load_image("camera", 64), KERNELS["Sobel x (vertical edges)"])
    low, high = drawing.display_limits(edges)
    assert low == -high and high > 0
    low, high = drawing.display_limits(load_image("camera", 64))
    assert 0 <= low < high <= 1


def test_kernel_drawing_writes_whole_numbers_and_the_denominator():
    fig, ax = plt.subplots()
    plots.draw_kernel(ax, KERNELS["Gaussian blur 3x3"], "Gaussian")
    assert [t.get_text() for t in ax.texts[:9]] == ["1", "2", "1", "2", "4", "2", "1", "2", "1"]
    assert ax.texts[-1].get_text() == "all × 1/16"
    plots.draw_kernel(ax, KERNELS["sharpen"])  # redrawing replaces the numbers
    assert [t.get_text() for t in ax.texts] == ["0", "-1", "0", "-1", "5", "-1", "0", "-1", "0"]


def test_visit_counts_channels_and_activation_maps_plots():
    fig = plots.plot_visit_counts({"a": np.ones((5, 5)), "b": 2 * np.ones((5, 5))})
    assert len(fig.axes) == 2 and len(fig.axes[0].texts) == 25
    fig = plots.plot_channels(load_color_image("astronaut", 16))
    assert len(fig.axes) == 4 and fig.axes[1].get_title() == "channel 0 (red)"
    fig = plots.plot_activation_maps(np.zeros((6, 28, 28)), names=list("abcdef"))
    assert len(fig.axes) == 6 and fig.axes[5].get_title() == "f\n28x28"
    fig = plots.plot_grids([np.eye(3), np.ones((2, 2))], ["eye", "ones"])
    assert [ax.get_title() for ax in fig.axes] == ["eye", "ones"]


# --- widgets ----------------------------------------------------------------------------------

def test_kernel_explorer_swaps_in_cnnlab_output():
    explorer = conv_widgets.KernelExplorer(images=("coins", "camera"))
    output = explorer.update(image="camera", kernel="sharpen", stride=2, padding=1)
    np.testing.assert_allclose(output,
                               cnnlab.correlate2d(load_image("camera"), KERNELS["sharpen"], stride=2, padding=1))
    assert output.shape == (256, 256)
    np.testing.assert_allclose(explorer.artists["output"].get_array(), output)
    assert explorer.artists["output"].axes.get_title() == "output: 256x256 (stride 2, padding 1)"
    explorer.update(image="coins", kernel="Gaussian blur 5x5", stride=1, padding=0)
    assert len([t for t in explorer.artists["kernel"].texts if t.get_text() != "all × 1/256"]) == 25
    assert explorer.artists["input"].get_array().shape == (303, 384)
    assert explorer.time_update(repeats=1) > 0
    assert type(explorer.widget()).__name__ == "VBox"


def test_sliding_window_and_output_size_widgets_build():
    widget = conv_widgets.sliding_window_widget(lecture.EDGE_IMAGE, lecture.VERTICAL_EDGE_FILTER, stride=2)
    slider = widget.children[0].children[1]
    assert (slider.min, slider.max) == (0, 3)  # four positions at stride 2
    assert type(conv_widgets.output_size_widget()).__name__ == "VBox"


def test_output_size_message_shows_the_fraction_or_the_size():
    assert "2.333" in conv_widgets._size_message(7, 3, 3, 0) and "ValueError" in conv_widgets._size_message(7, 3, 3, 0)
    assert conv_widgets._size_message(7, 3, 1, 1).endswith("output 7 pixels")


# --- exercise 01.1 ----------------------------------------------------------------------------

@pytest.mark.parametrize("answer, hint", [
    (lambda: -12, "flipped"),
    (lambda: 18, "sum of the pixels"),
    (lambda: float(np.sum(ex.PATCH * ex.SOBEL.T)), "transposed"),
    (lambda: ex.PATCH * ex.SOBEL, "one number"),
    (lambda: None, "return"),
    (lambda: 11, "expected another number"),
])
def test_output_cell_hints(answer, hint, capsys):
    result, printed = outcome_after_title(ex.check_output_cell, answer, capsys=capsys)
    assert result == checks.FAILED and hint in printed


def test_output_cell_right_and_stub(capsys):
    result, printed = outcome_after_title(ex.check_output_cell, lambda: 12, capsys=capsys)
    assert result == checks.PASSED and "= 12" in printed

    def stub():
        raise NotImplementedError("work it out")
    assert outcome_after_title(ex.check_output_cell, stub, capsys=capsys)[0] == checks.NOT_DONE


# --- exercise 01.4 ----------------------------------------------------------------------------

def right_size(n, kernel_size, stride=1, padding=0):
    span = n - kernel_size + 2 * padding
    if span < 0 or span % stride:
        raise ValueError("does not fit")
    return span // stride + 1


@pytest.mark.parametrize("wrong, hint", [
    (lambda n, f, stride=1, padding=0: (n - f) // stride + 1, "left out the padding"),
    (lambda n, f, stride=1, padding=0: (n - f + padding) // stride + 1, "not P"),
    (lambda n, f, stride=1, padding=0: (n - f + 2 * padding) // stride, "forgot the + 1"),
    (lambda n, f, stride=1, padding=0: n - f + 2 * padding + 1, "ignored the stride"),
    (lambda n, f, stride=1, padding=0: (n - f + 2 * padding) // stride + 1, "Raise a ValueError"),
    (lambda n, f, stride=1, padding=0: (n - f + 2 * padding) / stride + 1, "Raise a ValueError"),
])
def test_output_size_hints(wrong, hint, capsys):
    result, printed = outcome_after_title(ex.check_output_size, wrong, capsys=capsys)
    assert result == checks.FAILED and hint in printed


def test_output_size_right_and_stub(capsys):
    assert outcome_after_title(ex.check_output_size, right_size, capsys=capsys)[0] == checks.PASSED

    def stub(n, kernel_size, stride=1, padding=0):
        raise NotImplementedError
    assert outcome_after_title(ex.check_output_size, stub, capsys=capsys)[0] == checks.NOT_DONE


# --- exercises 01.2 and 01.3 ------------------------------------------------------------------

def loops(image, kernel, stride=1, flip=False, start_step=None, extra=1, same_size=False):
    """A correlate2d with switchable mistakes."""
    kernel = kernel[::-1, ::-1] if flip else kernel
    kh, kw = kernel.shape
    step = stride if start_step is None else start_step
    if same_size:
        out = np.zeros(image.shape)
        padded = np.pad(image, ((0, kh), (0, kw)))
        for i in range(image.shape[0]):
            for j in range(image.shape[1]):
                out[i, j] = np.sum(padded[i:i + kh, j:j + kw] * kernel)
        return out
    rows = (image.shape[0] - kh) // stride + extra
    cols = (image.shape[1] - kw) // stride + extra
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = np.sum(image[i * step:i * step + kh, j * step:j * step + kw] * kernel)
    return out


def fast(image, kernel, stride=1):
    return np.einsum("ijkl,kl->ij", sliding_window_view(image, kernel.shape)[::stride, ::stride], kernel)


@pytest.mark.parametrize("wrong, hint", [
    (lambda image, kernel, stride=1: loops(image, kernel, stride, flip=True), "convolution"),
    (lambda image, kernel, stride=1: loops(image, kernel, 1), "forgot the stride"),
    (lambda image, kernel, stride=1: loops(image, kernel, stride, extra=0), "off by one"),
    (lambda image, kernel, stride=1: loops(image, kernel, stride, start_step=1), "one pixel apart"),
    (lambda image, kernel, stride=1: loops(image, kernel, stride, same_size=True), "as big as the input"),
    (lambda image, kernel, stride=1: loops(image, kernel, stride).T, "swapped"),
    (lambda image, kernel, stride=1: None, "return"),
])
def test_correlate2d_loops_hints(wrong, hint, capsys):
    result, printed = outcome_after_title(ex.check_correlate2d_loops, wrong, capsys=capsys)
    assert result == checks.FAILED and hint in printed


def test_correlate2d_loops_right_and_stub(capsys):
    assert outcome_after_title(ex.check_correlate2d_loops, loops, capsys=capsys)[0] == checks.PASSED
    assert outcome_after_title(ex.check_correlate2d_loops, cnnlab.correlate2d_naive, capsys=capsys)[0] == checks.PASSED

    def stub(image, kernel, stride=1):
        raise NotImplementedError
    assert outcome_after_title(ex.check_correlate2d_loops, stub, capsys=capsys)[0] == checks.NOT_DONE


def test_correlate2d_fast_passes_and_rejects_python_loops(capsys):
    assert outcome_after_title(ex.check_correlate2d_fast, fast, capsys=capsys)[0] == checks.PASSED
    result, printed = outcome_after_title(ex.check_correlate2d_fast, loops, capsys=capsys)
    assert result == checks.FAILED and "sliding_window_view" in printed

    def flipped(image, kernel, stride=1):
        return fast(image, kernel[::-1, ::-1], stride)
    result, printed = outcome_after_title(ex.check_correlate2d_fast, flipped, capsys=capsys)
    assert result == checks.FAILED and "flipped" in printed


# --- the other worked examples of notebook 01 -------------------------------------------------

def test_output_size_examples_of_the_lecture():
    assert [cnnlab.output_size(7, 3, stride=s) for s in (1, 2)] == [5, 3]
    with pytest.raises(ValueError, match="2.33"):
        cnnlab.output_size(7, 3, stride=3)
    assert cnnlab.output_size(7, 3, stride=1, padding=1) == 7
    assert cnnlab.output_size(32, 5) == 28


def test_centre_visited_four_times_holds_for_a_4x4_image_at_stride_1_and_the_5x5_at_stride_2():
    """The padding slide's "centre visited four times, corners once, stride = 1" (notebook 01 computes both cases)."""
    four_by_four = counting.visit_counts(4, 3)
    np.testing.assert_array_equal(four_by_four, [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])
    five_stride_1, five_stride_2 = counting.visit_counts(5, 3), counting.visit_counts(5, 3, stride=2)
    assert five_stride_1[0, 0] == 1 and five_stride_1[2, 2] == 9
    assert five_stride_2[0, 0] == 1 and five_stride_2[2, 2] == 4
    np.testing.assert_array_equal(five_stride_1, cnnlab.correlate2d(np.ones((3, 3)), np.ones((3, 3)), padding=2))
    # by hand: a pixel's count is (windows over its row) x (windows over its column)
    rows = [sum(start <= r < start + 3 for start in range(0, 3, 2)) for r in range(5)]
    np.testing.assert_array_equal(five_stride_2, np.outer(rows, rows))
    assert counting.visit_counts(5, 3, padding=1).min() == 4


def test_receptive_fields_measured_by_the_backward_pass_follow_the_rule():
    assert [counting.receptive_field_size([(3, 1)] * depth, size=21) for depth in (1, 2, 3)] == [3, 5, 7]
    assert counting.receptive_field_size([(3, 1), (3, 2), (3, 1)], size=21) == 9
    layers = [(3, 1), (3, 2), (3, 1), (3, 2), (3, 1), (3, 2)]
    assert [counting.receptive_field_size(layers[:d], size=96) for d in range(1, 7)] == [3, 5, 9, 13, 21, 29]
    field = counting.receptive_field_map([(3, 1)] * 2, size=9)
    np.testing.assert_array_equal(field[2:7, 2:7], cnnlab.correlate2d(np.ones((3, 3)), np.ones((3, 3)), padding=2))
    assert field.sum() == 81 and (field[:2] == 0).all()  # 9 x 9 paths, nothing outside the 5x5 field
    with pytest.raises(ValueError, match="too small"):
        counting.receptive_field_map([(3, 1)] * 4, size=9)


def test_a_1x1_convolution_is_a_dense_layer_on_every_pixel():
    rng = np.random.default_rng(0)
    x, mix, bias = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3)), rng.normal(size=2)
    conv = cnnlab.functional.conv2d(x, mix[:, :, None, None], bias)
    dense = cnnlab.functional.linear(x.transpose(0, 2, 3, 1).reshape(-1, 3), mix, bias)
    np.testing.assert_allclose(conv, dense.reshape(2, 4, 5, 2).transpose(0, 3, 1, 2))
    assert cnnlab.nn.Conv2d(256, 64, kernel_size=1, rng=0).num_parameters == 16_448
    assert cnnlab.nn.Conv2d(256, 64, kernel_size=3, rng=0).num_parameters == 147_520


def test_each_output_channel_sums_the_correlations_of_every_input_channel():
    rng = np.random.default_rng(1)
    x, weight, bias = rng.normal(size=(3, 9, 8)), rng.normal(size=(4, 3, 5, 5)), rng.normal(size=4)
    maps = cnnlab.functional.conv2d(x[None], weight, bias)[0]
    for f in range(4):
        np.testing.assert_allclose(maps[f], sum(cnnlab.correlate2d(x[c], weight[f, c]) for c in range(3)) + bias[f])


def test_channel_sum_receptive_field_and_hierarchy_plots():
    image, weight = np.random.default_rng(2).random((3, 8, 8)), np.ones((3, 3, 3))
    correlations = np.stack([cnnlab.correlate2d(image[c], weight[c]) for c in range(3)])
    fig = plots.plot_channel_sum(image, weight, correlations, correlations.sum(0), bias=0.5)
    assert "sum + bias 0.5" in fig.axes[7].get_title() and fig.axes[0].get_title() == "input channel 0"
    fields = [counting.receptive_field_map([(3, 1)] * d, size=11) for d in (1, 2)]
    fig = plots.plot_receptive_fields(fields, ["a", "b"])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    fig = plots.plot_feature_hierarchy(np.zeros((32, 32, 3)), (10, 12), [3, 5], ["layer 1", "layer 2"])
    squares = fig.axes[0].patches
    assert [(p.get_width(), p.get_xy()) for p in squares] == [(3, (10.0, 8.0)), (5, (9.0, 7.0))]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["layer 1: 3x3", "layer 2: 5x5"]


def test_parameter_counts_corrected_for_channels_and_biases():
    assert cnnlab.nn.Linear(200 * 200 * 3, 5, rng=0).num_parameters == 600_005  # slide: 120,000 x 5
    assert cnnlab.nn.Conv2d(3, 100, kernel_size=5, rng=0).num_parameters == 7_600  # slide: 5 x 5 x 100 = 2,500


def test_six_5x5x3_filters_on_a_32x32x3_image_give_28x28x6():
    x = load_color_image("astronaut", 32).transpose(2, 0, 1)[None]
    weight = np.random.default_rng(0).normal(size=(6, 3, 5, 5))
    maps = cnnlab.functional.conv2d(x, weight)
    assert maps.shape == (1, 6, 28, 28)
    assert np.isclose(maps[0, 2, 3, 4], np.sum(x[0, :, 3:8, 4:9] * weight[2]))  # 75 products


def test_convolution_flips_the_sign_of_the_edge_example():
    np.testing.assert_array_equal(cnnlab.convolve2d(lecture.EDGE_IMAGE, lecture.VERTICAL_EDGE_FILTER),
                                  -lecture.SLIDE_EDGE_STRIDE_1)


# --- build it yourself: exercise 01.5, zero padding --------------------------------------------

def hint_from(check, answer, capsys):
    """What the check told the student about a wrong ``answer`` (it must not pass)."""
    result, printed = outcome_after_title(check, answer, capsys=capsys)
    assert result == checks.FAILED, printed
    return printed


def outcome_of(check, answer, capsys):
    return outcome_after_title(check, answer, capsys=capsys)[0]


def stub(*args, **options):
    """An unfinished exercise, as the student version leaves it."""
    raise NotImplementedError


def right_pad(x, p):
    n, c, h, w = x.shape
    padded = np.zeros((n, c, h + 2 * p, w + 2 * p))
    padded[:, :, p:p + h, p:p + w] = x
    return padded


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, p: np.pad(x, p), "batch and channel axes too"),
    (lambda x, p: np.pad(x, ((0, 0), (0, 0), (0, p), (0, p))), "one side only"),
    (lambda x, p: np.pad(x, ((0, 0), (0, 0), (2 * p, 2 * p), (2 * p, 2 * p))), "not 2p"),
    (lambda x, p: np.pad(x, ((0, 0), (0, 0), (0, 2 * p), (0, 2 * p))), "one side"),
    (lambda x, p: np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="edge"), "mode='edge'"),
    (lambda x, p: right_pad(x, p) + (right_pad(x, p) == 0), "should be zeros"),
    (lambda x, p: None, "return"),
])
def test_pad_hints(wrong, hint, capsys):
    assert hint in hint_from(ex.check_pad, wrong, capsys)


def test_pad_right_and_stub(capsys):
    assert outcome_of(ex.check_pad, right_pad, capsys) == checks.PASSED
    assert outcome_of(ex.check_pad, stub, capsys) == checks.NOT_DONE


# --- build it yourself: exercises 01.7 and 01.8, conv2d forward ---------------------------------

def conv_loops(x, weight, bias, stride=1, padding=0, flip=False, step=None, pad_it=True, bias_mode="per filter",
               channels="summed"):
    """A conv2d forward as four loops, with switchable mistakes."""
    weight = weight[..., ::-1, ::-1] if flip else weight
    padded = right_pad(x, padding) if pad_it else x
    move = stride if step is None else step
    (batch, depth, height, width), (filters, _, kh, kw) = padded.shape, weight.shape
    out_h, out_w = (height - kh) // stride + 1, (width - kw) // stride + 1
    out = np.zeros((batch, filters, depth, out_h, out_w) if channels == "kept" else (batch, filters, out_h, out_w))
    for n in range(batch):
        for f in range(filters):
            for y in range(out_h):
                for x_ in range(out_w):
                    patch = padded[n, :, y * move:y * move + kh, x_ * move:x_ * move + kw]
                    if channels == "kept":
                        out[n, f, :, y, x_] = np.sum(patch * weight[f], axis=(1, 2))
                        continue
                    if channels == "first":
                        value = np.sum(patch[0] * weight[f, 0])
                    elif channels == "first slice":
                        value = np.sum(patch * weight[f, :1])
                    else:
                        value = np.sum(patch * weight[f])
                    extra = {"per filter": bias[f], "none": 0.0, "all": bias.sum(), "first": bias[0],
                             "per channel": depth * bias[f]}[bias_mode]
                    out[n, f, y, x_] = value + extra
    return out


def conv_fast(x, weight, bias, stride=1, padding=0):
    windows = sliding_window_view(right_pad(x, padding), weight.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("ncyxij,fcij->nfyx", windows, weight) + bias[None, :, None, None]


CONV_MISTAKES = [
    (dict(flip=True), "true convolution"),
    (dict(step=1), "one pixel apart"),
    (dict(pad_it=False), "forgot the padding"),
    (dict(bias_mode="none"), "left out the bias"),
    (dict(bias_mode="all"), "every filter's bias"),
    (dict(bias_mode="first"), "bias[0]"),
    (dict(bias_mode="per channel"), "once per input channel"),
    (dict(channels="first"), "first input channel only"),
    (dict(channels="first slice"), "first kernel slice"),
    (dict(channels="kept"), "one map per input channel"),
]


@pytest.mark.parametrize("mistake, hint", CONV_MISTAKES)
def test_conv2d_loops_hints(mistake, hint, capsys):
    def wrong(x, weight, bias, stride=1, padding=0):
        return conv_loops(x, weight, bias, stride, padding, **mistake)
    assert hint in hint_from(ex.check_conv2d_loops, wrong, capsys)


def test_conv2d_loops_hints_for_a_forgotten_stride_and_a_wrong_size(capsys):
    def unstrided(x, weight, bias, stride=1, padding=0):
        return conv_loops(x, weight, bias, 1, padding)
    assert "forgot the stride" in hint_from(ex.check_conv2d_loops, unstrided, capsys)

    def one_short(x, weight, bias, stride=1, padding=0):
        return conv_loops(x, weight, bias, stride, padding)[:, :, :-1]
    assert "(H + 2P - kH) // S + 1 = (5 + 2*0 - 3) // 1 + 1 = 3" in hint_from(ex.check_conv2d_loops, one_short, capsys)


def test_conv2d_loops_right_and_stub(capsys):
    assert outcome_of(ex.check_conv2d_loops, conv_loops, capsys) == checks.PASSED
    assert outcome_of(ex.check_conv2d_loops, cnnlab.functional.conv2d_naive, capsys) == checks.PASSED
    assert outcome_of(ex.check_conv2d_loops, stub, capsys) == checks.NOT_DONE


def test_conv2d_fast_passes_and_rejects_loops_over_positions(capsys):
    result, printed = outcome_after_title(ex.check_conv2d_fast, conv_fast, capsys=capsys)
    assert result == checks.PASSED and "576 output positions" in printed

    def kernel_offsets(x, weight, bias, stride=1, padding=0):
        padded = right_pad(x, padding)
        kh, kw = weight.shape[2:]
        out_h, out_w = (padded.shape[2] - kh) // stride + 1, (padded.shape[3] - kw) // stride + 1
        out = np.zeros((x.shape[0], weight.shape[0], out_h, out_w)) + bias[None, :, None, None]
        for i in range(kh):
            for j in range(kw):
                shifted = padded[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride]
                out += np.einsum("ncyx,fc->nfyx", shifted, weight[:, :, i, j])
        return out
    assert outcome_of(ex.check_conv2d_fast, kernel_offsets, capsys) == checks.PASSED

    assert "still loops over them" in hint_from(ex.check_conv2d_fast, conv_loops, capsys)

    def flipped(x, weight, bias, stride=1, padding=0):
        return conv_fast(x, weight[..., ::-1, ::-1], bias, stride, padding)
    assert "true convolution" in hint_from(ex.check_conv2d_fast, flipped, capsys)
    assert outcome_of(ex.check_conv2d_fast, stub, capsys) == checks.NOT_DONE


# --- build it yourself: exercise 01.9, conv2d backward ------------------------------------------

def conv_backward(grad_output, x, weight, stride=1, padding=0, step=None, batch="summed", bias="summed",
                  crop="every side", flip=False, filters="all"):
    """A conv2d backward as loops (the scatter form), with switchable mistakes."""
    padded = right_pad(x, padding)
    move = stride if step is None else step
    grad_padded, grad_weight = np.zeros_like(padded), np.zeros_like(weight)
    n_images, n_filters, out_h, out_w = grad_output.shape
    kh, kw = weight.shape[2:]
    applied = weight[..., ::-1, ::-1] if flip else weight
    for n in range(n_images):
        contribution = np.zeros_like(weight)
        for f in range(n_filters):
            for y in range(out_h):
                for x_ in range(out_w):
                    rows, cols = slice(y * move, y * move + kh), slice(x_ * move, x_ * move + kw)
                    g = grad_output[n, f, y, x_]
                    contribution[f] += g * padded[n, :, rows, cols]
                    if filters == "all" or f == 0:
                        grad_padded[n, :, rows, cols] += g * applied[f]
        grad_weight = contribution if batch == "last image" else grad_weight + contribution
    if batch == "mean":
        grad_weight = grad_weight / n_images
    h, w = x.shape[2:]
    grad_input = {"every side": grad_padded[:, :, padding:padding + h, padding:padding + w],
                  "top-left": grad_padded[:, :, :h, :w], "none": grad_padded}[crop]
    grad_bias = {"summed": grad_output.sum(axis=(0, 2, 3)), "per position": grad_output.sum(axis=0),
                 "first image": grad_output[0].sum(axis=(1, 2)), "mean": grad_output.mean(axis=(0, 2, 3))}[bias]
    return grad_input, grad_weight, grad_bias


BACKWARD_MISTAKES = [
    (dict(batch="last image"), "one image's contribution only"),
    (dict(batch="mean"), "divided by the batch size"),
    (dict(bias="per position"), "over the batch AND every position"),
    (dict(bias="first image"), "first image only"),
    (dict(bias="mean"), "grad_bias is a mean"),
    (dict(crop="none"), "crop the padding back off"),
    (dict(crop="top-left"), "cropped from the top-left corner"),
    (dict(step=1), "ignores the stride"),
    (dict(flip=True), "filter unflipped"),
    (dict(filters="first"), "first filter's contribution only"),
]


@pytest.mark.parametrize("mistake, hint", BACKWARD_MISTAKES)
def test_conv2d_backward_hints(mistake, hint, capsys):
    def wrong(grad_output, x, weight, stride=1, padding=0):
        return conv_backward(grad_output, x, weight, stride, padding, **mistake)
    assert hint in hint_from(ex.check_conv2d_backward, wrong, capsys)


def test_conv2d_backward_hints_for_a_flipped_weight_gradient_and_missing_arrays(capsys):
    def flipped_weight(grad_output, x, weight, stride=1, padding=0):
        grad_input, grad_weight, grad_bias = conv_backward(grad_output, x, weight, stride, padding)
        return grad_input, grad_weight[..., ::-1, ::-1], grad_bias
    assert "grad_weight is flipped" in hint_from(ex.check_conv2d_backward, flipped_weight, capsys)

    def two(grad_output, x, weight, stride=1, padding=0):
        return conv_backward(grad_output, x, weight, stride, padding)[:2]
    assert "return three arrays" in hint_from(ex.check_conv2d_backward, two, capsys)


def test_conv2d_backward_right_checked_by_gradcheck_and_stub(capsys):
    result, printed = outcome_after_title(ex.check_conv2d_backward, conv_backward, capsys=capsys)
    assert result == checks.PASSED and "gradcheck" in printed and "below 1e-06" in printed
    assert outcome_of(ex.check_conv2d_backward, stub, capsys) == checks.NOT_DONE


def test_the_backward_check_compares_with_the_library_s_loop_reference():
    """The scatter loops above are the reference's own: F.conv2d_naive_backward gives the same three arrays."""
    rng = np.random.default_rng(3)
    x, weight = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 3, 3))
    out, ctx = cnnlab.functional.conv2d_naive_forward(x, weight, np.zeros(2), stride=2, padding=1)
    g = rng.normal(size=out.shape)
    for mine, reference in zip(conv_backward(g, x, weight, 2, 1), cnnlab.functional.conv2d_naive_backward(g, ctx)):
        np.testing.assert_allclose(mine, reference, atol=1e-12)


# --- exercise 01.6, many channels in and out -----------------------------------------------------

def multi_in_out(image, weight, bias, mistake=None):
    maps = []
    for f in range(weight.shape[0]):
        per_channel = [cnnlab.correlate2d(image[c], weight[f, 0 if mistake == "first slice" else c])
                       for c in range(image.shape[0])]
        if mistake == "kept":
            maps.append(np.stack(per_channel))
            continue
        maps.append(sum(per_channel) + (0 if mistake == "no bias" else bias[f]))
    return maps[0] if mistake == "one map" else np.stack(maps)


@pytest.mark.parametrize("mistake, hint", [
    ("first slice", "first kernel slice"), ("kept", "one map per filter AND channel"), ("no bias", "left out the bias"),
    ("one map", "each of the 2 filters gives its own map"),
])
def test_conv_multi_in_out_hints(mistake, hint, capsys):
    result, printed = outcome_after_title(ex.check_conv_multi_in_out, lambda i, w, b: multi_in_out(i, w, b, mistake),
                                          capsys=capsys)
    assert result == checks.FAILED and hint in printed


def test_conv_multi_in_out_right_and_stub(capsys):
    assert outcome_of(ex.check_conv_multi_in_out, multi_in_out, capsys) == checks.PASSED
    assert outcome_of(ex.check_conv_multi_in_out, stub, capsys) == checks.NOT_DONE


# --- exercise 01.10, a 1x1 convolution ------------------------------------------------------------

def one_by_one(x, weight, bias):
    return np.einsum("nchw,fc->nfhw", x, weight[:, :, 0, 0]) + bias[None, :, None, None]


def test_conv1x1_hints(capsys):
    def transposed(x, weight, bias):
        return np.einsum("nchw,cf->nfhw", x, weight[:, :, 0, 0]) + bias[None, :, None, None]

    def shapes_only(x, weight, bias):  # right for 2 of the 3 cases: F == C only in the second
        return transposed(x, weight, bias) if weight.shape[0] == weight.shape[1] else one_by_one(x, weight, bias)
    assert "weight transposed" in hint_from(ex.check_conv1x1, shapes_only, capsys)

    assert "left out the bias" in hint_from(ex.check_conv1x1, lambda x, w, b: one_by_one(x, w, 0 * b), capsys)

    def per_pixel(x, weight, bias):
        out = np.zeros((x.shape[0], weight.shape[0]) + x.shape[2:])
        for h in range(x.shape[2]):
            for w in range(x.shape[3]):
                out[:, :, h, w] = x[:, :, h, w] @ weight[:, :, 0, 0].T + bias
        return out
    assert "loops over them" in hint_from(ex.check_conv1x1, per_pixel, capsys)


def test_conv1x1_right_and_stub(capsys):
    assert outcome_of(ex.check_conv1x1, one_by_one, capsys) == checks.PASSED
    assert outcome_of(ex.check_conv1x1, stub, capsys) == checks.NOT_DONE


# --- exercise 01.11, the receptive field -----------------------------------------------------------

def field_rule(layers):
    field, jump = 1, 1
    for kernel_size, stride in layers:
        field += (kernel_size - 1) * jump
        jump *= stride
    return field


@pytest.mark.parametrize("wrong, hint", [
    (lambda layers: 1 + sum(k - 1 for k, _ in layers), "ignored the strides"),
    (lambda layers: field_rule([(k, s) for k, s in layers]) - 1, "forgot the + 1"),
    (lambda layers: sum(k for k, _ in layers), "adding kernel sizes"),
    (lambda layers: 1 + sum((k - 1) * int(np.prod([s for _, s in layers[:i + 1]])) for i, (k, _) in enumerate(layers)),
     "each layer's own stride"),
    (lambda layers: None, "return"),
    (lambda layers: 4, "start from r = 1"),
])
def test_receptive_field_hints(wrong, hint, capsys):
    assert hint in hint_from(ex.check_receptive_field, wrong, capsys)


def test_receptive_field_right_and_stub(capsys):
    assert outcome_of(ex.check_receptive_field, field_rule, capsys) == checks.PASSED
    assert outcome_of(ex.check_receptive_field, stub, capsys) == checks.NOT_DONE
    assert [field_rule(layers) for layers in ex.STACKS] == [3, 7, 7, 13, 16, 19]  # by hand, from the rule
