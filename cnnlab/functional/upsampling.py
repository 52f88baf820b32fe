"""Upsampling: make a feature map larger, the opposite of pooling, with no weights to learn.

Nearest neighbor copies each pixel into a block (a 2x2 map becomes 4x4 with scale 2); bilinear
interpolation blends the four nearest input pixels by their distance. Both act on each axis
separately, so each is a small ``(out, in)`` matrix per axis, and the output is
``A_h @ x @ A_w.T`` for every image and channel. The gradient is the transpose: ``A_h.T @ g @ A_w``.
"""
import numbers

import numpy as np

from .._validate import as_float_array, choice, output_gradient
from .context import Context, check_context

__all__ = ["interpolate_forward", "interpolate_backward", "interpolate"]

_MODES = ("nearest", "linear", "bilinear")


def _output_sizes(in_sizes, size, scale_factor):
    """The output size per spatial axis and the scale PyTorch uses to map output to input coordinates."""
    axes = len(in_sizes)
    if (size is None) == (scale_factor is None):
        raise ValueError("give exactly one of size or scale_factor")
    if size is not None:
        sizes = (size,) * axes if isinstance(size, numbers.Integral) else tuple(size)
        if len(sizes) != axes or not all(isinstance(s, numbers.Integral) and s > 0 for s in sizes):
            raise ValueError(f"size must be a positive int or {axes} positive ints, got {size!r}")
        return tuple(int(s) for s in sizes), tuple(i / o for i, o in zip(in_sizes, sizes))
    factors = (scale_factor,) * axes if isinstance(scale_factor, numbers.Real) else tuple(scale_factor)
    if len(factors) != axes or not all(isinstance(f, numbers.Real) and f > 0 for f in factors):
        raise ValueError(f"scale_factor must be a positive number or {axes} positive numbers, got {scale_factor!r}")
    sizes = tuple(int(np.floor(i * f)) for i, f in zip(in_sizes, factors))
    if min(sizes) < 1:
        raise ValueError(f"scale_factor {scale_factor!r} makes an empty output from an input of size {in_sizes}")
    return sizes, tuple(1.0 / f for f in factors)


def _axis_matrix(in_size, out_size, scale, mode, align_corners):
    """The (out_size, in_size) matrix that resamples one axis, with PyTorch's coordinate rules.

    nearest:                    source = floor(out_index * scale)
    linear, align_corners=False: source = (out_index + 0.5) * scale - 0.5, at least 0
    linear, align_corners=True:  source = out_index * (in_size - 1) / (out_size - 1)
    """
    out_index = np.arange(out_size)
    matrix = np.zeros((out_size, in_size))
    if mode == "nearest":
        source = np.minimum(np.floor(out_index * scale).astype(int), in_size - 1)
        matrix[out_index, source] = 1.0
        return matrix
    if align_corners:
        step = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        source = out_index * step
    else:
        source = np.maximum((out_index + 0.5) * scale - 0.5, 0.0)
    left = np.minimum(np.floor(source).astype(int), in_size - 1)
    right = np.minimum(left + 1, in_size - 1)
    weight_right = source - left
    np.add.at(matrix, (out_index, left), 1.0 - weight_right)
    np.add.at(matrix, (out_index, right), weight_right)
    return matrix


def _check(input, size, scale_factor, mode, align_corners):
    choice(mode, "mode", _MODES)
    ndim = {"nearest": (3, 4), "linear": 3, "bilinear": 4}[mode]
    x = as_float_array(input, "input", ndim=ndim)
    if mode == "nearest" and align_corners is not None:
        raise ValueError("align_corners can only be set with mode 'linear' or 'bilinear'")
    out_sizes, scales = _output_sizes(x.shape[2:], size, scale_factor)
    matrices = [_axis_matrix(n, m, s, mode, bool(align_corners)).astype(x.dtype)
                for n, m, s in zip(x.shape[2:], out_sizes, scales)]
    return x, matrices


def _apply(x, matrices, transpose=False):
    """Resample the last one or two axes of ``x`` with the per-axis matrices (or their transposes)."""
    if transpose:
        matrices = [m.T for m in matrices]
    if len(matrices) == 1:
        return x @ matrices[0].T
    rows, cols = matrices
    return rows @ x @ cols.T


def interpolate_forward(input, size=None, scale_factor=None, mode="nearest", align_corners=None, *,
                        needs_input_grad=None):
    """Resize feature maps by nearest-neighbor or (bi)linear interpolation, as ``torch.nn.functional.interpolate``.

    nearest:  out[i, j] = x[floor(i * H / H_out), floor(j * W / W_out)]
    bilinear: out[i, j] = the four nearest pixels of x around the source point, each weighted by
              (1 - distance) along each axis

    With ``scale_factor`` the output size is ``floor(H * scale_factor)`` and the source point uses
    ``1 / scale_factor``, as PyTorch does. ``align_corners=True`` maps the corner pixels of input
    and output onto each other; ``False`` (the default for the linear modes) maps pixel edges.

    Parameters
    ----------
    input : ndarray, shape (N, C, H, W), or (N, C, L) for 'nearest' and 'linear'
    size : int or tuple of int, optional
        The output's spatial size.
    scale_factor : float or tuple of float, optional
        The factor by which to multiply each spatial size. Give ``size`` or ``scale_factor``.
    mode : {'nearest', 'linear', 'bilinear'}
    align_corners : bool, optional
        Only for 'linear' and 'bilinear'.

    Returns
    -------
    output : ndarray, shape (N, C, H_out, W_out)
    ctx : Context
        The per-axis matrices, whose transposes backward applies.
    """
    x, matrices = _check(input, size, scale_factor, mode, align_corners)
    ctx = Context("interpolate", ("input",), needs_input_grad, saved={"matrices": matrices},
                  options={"input_shape": x.shape})
    if mode == "nearest":  # a copy by index is cheaper than a matrix product
        index = tuple(m.argmax(axis=1) for m in matrices)
        return (x[..., index[0], :][..., index[1]] if len(index) == 2 else x[..., index[0]]), ctx
    return _apply(x, matrices), ctx


def interpolate_backward(grad_output, ctx):
    """Gradient of :func:`interpolate_forward`: each input pixel collects the gradients of the outputs it fed,
    weighted as in the forward pass (for nearest, the sum over its block).

    Parameters
    ----------
    grad_output : ndarray, shape (N, C, H_out, W_out)
    ctx : Context

    Returns
    -------
    grad_input : ndarray, shape (N, C, H, W)
    """
    ctx = check_context(ctx, "interpolate")
    matrices = ctx.saved["matrices"]
    grad_output = output_gradient(grad_output, ctx.options["input_shape"][:2] + tuple(m.shape[0] for m in matrices))
    return ctx.grads(_apply(grad_output, [m.astype(grad_output.dtype) for m in matrices], transpose=True))


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Resize feature maps, as ``torch.nn.functional.interpolate``; see :func:`interpolate_forward`."""
    return interpolate_forward(input, size, scale_factor, mode, align_corners)[0]
