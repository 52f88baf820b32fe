"""Notebook 09's teaching helpers and exercise checks: right answers pass, the usual slips get their hint."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from cnnlab import functional as F  # noqa: E402
from cnnlab.teaching import checks  # noqa: E402
from cnnlab.teaching.upsampling import exercises as ex  # noqa: E402
from cnnlab.teaching.upsampling.plots import interior, overlap_counts, plot_maps, plot_scatter_steps  # noqa: E402
from cnnlab.teaching.upsampling.widgets import OverlapExplorer  # noqa: E402
from _teaching_helpers import outcome  # noqa: E402


def test_count_maps_by_hand():
    # kernel 3, stride 2 on 3 pixels: stamps at 0, 2, 4 of width 3 -> 1 1 2 1 2 1 1 along each axis.
    row = np.array([1, 1, 2, 1, 2, 1, 1])
    np.testing.assert_array_equal(overlap_counts(3, 2, input_size=3), np.outer(row, row))
    # kernel 4, stride 2: every inner pixel gets exactly two stamps per axis.
    assert np.all(interior(overlap_counts(4, 2), 3) == 4)


@pytest.mark.parametrize("kernel_size", range(1, 9))
@pytest.mark.parametrize("stride", range(1, 5))
def test_the_overlap_is_even_exactly_when_the_stride_divides_the_kernel(kernel_size, stride):
    inner = interior(overlap_counts(kernel_size, stride), kernel_size - 1)
    assert (inner.min() == inner.max()) == (kernel_size % stride == 0)


def test_pictures_draw(capsys):
    plot_scatter_steps(np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((3, 3)), 2)
    plot_maps([np.ones((6, 6)), np.eye(6)], ["flat", "eye"], margin=1)
    counts = OverlapExplorer().update(kernel_size=3, stride=2)
    assert counts.shape == (17, 17)
    matplotlib.pyplot.close("all")


def test_output_size_check(capsys):
    right = outcome(ex.check_output_size, lambda h, k, s, p, op: (h - 1) * s - 2 * p + k + op, capsys=capsys)
    assert right[0] == checks.PASSED
    state, text = outcome(ex.check_output_size, lambda h, k, s, p, op: h * s - 2 * p + k + op, capsys=capsys)
    assert state == checks.FAILED and "(h - 1) * stride" in text
    state, text = outcome(ex.check_output_size, lambda h, k, s, p, op: (h - 1) * s - p + k + op, capsys=capsys)
    assert state == checks.FAILED and "2 * padding" in text


def test_nearest_check(capsys):
    right = outcome(ex.check_nearest, lambda x, f: np.repeat(np.repeat(x, f, axis=0), f, axis=1), capsys=capsys)
    assert right[0] == checks.PASSED
    state, text = outcome(ex.check_nearest, lambda x, f: np.tile(x, (f, f)), capsys=capsys)
    assert state == checks.FAILED and "np.tile" in text
    state, text = outcome(ex.check_nearest, lambda x, f: np.repeat(np.repeat(x, 2, axis=0), 2, axis=1), capsys=capsys)
    assert state == checks.FAILED and "factor" in text


def _scatter(x, w, stride, flip=False, step=None):
    w = w[::-1, ::-1] if flip else w
    step = stride if step is None else step
    h, width = x.shape
    kh, kw = w.shape
    out = np.zeros(((h - 1) * stride + kh, (width - 1) * stride + kw))
    for i in range(h):
        for j in range(width):
            out[i * step:i * step + kh, j * step:j * step + kw] += x[i, j] * w
    return out


def test_scatter_check(capsys):
    assert outcome(ex.check_scatter, _scatter, capsys=capsys)[0] == checks.PASSED
    state, text = outcome(ex.check_scatter, lambda x, w, s: _scatter(x, w, s, flip=True), capsys=capsys)
    assert state == checks.FAILED and "flipped" in text
    state, text = outcome(ex.check_scatter, lambda x, w, s: _scatter(x, w, s, step=1), capsys=capsys)
    assert state == checks.FAILED and "i*stride" in text
    state, text = outcome(ex.check_scatter, lambda x, w, s: np.zeros((3, 3)), capsys=capsys)
    assert state == checks.FAILED and "(H - 1) * stride + kH" in text


def test_uneven_check(capsys):
    assert outcome(ex.check_uneven, lambda k, s: k % s != 0, capsys=capsys)[0] == checks.PASSED
    state, text = outcome(ex.check_uneven, lambda k, s: k < s, capsys=capsys)
    assert state == checks.FAILED and "whole number of strides" in text


def test_an_unfinished_exercise_does_not_stop_the_notebook(capsys):
    def stub(*args):
        raise NotImplementedError
    assert outcome(ex.check_scatter, stub, capsys=capsys)[0] == checks.NOT_DONE


def test_kernel_2_stride_2_overlaps_evenly_yet_a_constant_input_comes_out_striped():
    """Notebooks 08 and 09: no overlap at all (every count is 1), but even and odd pixels use different taps."""
    assert np.all(overlap_counts(2, 2) == 1)
    kernel = np.random.default_rng(0).normal(size=(1, 1, 2, 2))
    out = F.conv_transpose2d(np.ones((1, 1, 4, 4)), kernel, stride=2)[0, 0]
    np.testing.assert_array_equal(out, np.tile(kernel[0, 0], (4, 4)))   # the kernel itself, stamped side by side
    assert out[0, 0] != out[0, 1] and out[0, 0] != out[1, 0] and np.std(out) > 0.1
    # Kernel 4, stride 2: even overlap too, and still two sums: even rows get taps 0 and 2, odd rows 1 and 3.
    wide = np.random.default_rng(1).normal(size=(1, 1, 4, 4))
    inner = interior(F.conv_transpose2d(np.ones((1, 1, 6, 6)), wide, stride=2)[0, 0], 3)
    w = wide[0, 0]
    np.testing.assert_allclose(inner[1, 1], w[[0, 0, 2, 2], [0, 2, 0, 2]].sum())   # output (4, 4): even
    np.testing.assert_allclose(inner[0, 0], w[[1, 1, 3, 3], [1, 3, 1, 3]].sum())   # output (3, 3): odd
    assert np.std(inner) > 0.1


def _taps(row, kernel_size, stride):
    return [a for a in range(kernel_size) if (row - a) % stride == 0]


def test_taps_check(capsys):
    assert outcome(ex.check_taps, _taps, capsys=capsys)[0] == checks.PASSED
    assert [ex.tap_is_used(5, a, 4, 2) for a in range(4)] == [False, True, False, True]
    for slip, words in [(lambda r, k, s: [r % s], "first tap"), (lambda r, k, s: [r // s], "input row"),
                        (lambda r, k, s: list(range(k)), "got every tap")]:
        state, text = outcome(ex.check_taps, slip, capsys=capsys)
        assert state == checks.FAILED and words in text, text
