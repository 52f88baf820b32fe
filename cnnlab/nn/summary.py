"""summary: the shapes through a network and its parameter counts, layer by layer.

The lecture's "stack these up to get a new image": each row is what one layer makes of the previous
layer's output.
"""
import numpy as np

from .container import Sequential

__all__ = ["summary"]


def _rows(module, x, prefix):
    for name, layer in module.named_children():
        full = f"{prefix}{name}"
        if isinstance(layer, Sequential):
            x = yield from _rows(layer, x, full + ".")
            continue
        x = layer(x)
        count = sum(p.size for p in layer.parameters())
        yield full, type(layer).__name__, tuple(x.shape), count
    return x


def summary(model, input_shape, dtype=None, file=None):
    """Print each layer's output shape and parameter count, for one input of ``input_shape``.

    Parameters
    ----------
    model : Sequential (or a Module made of layers run in order)
    input_shape : tuple of int
        The shape of *one* sample, without the batch axis, e.g. ``(1, 28, 28)``.
    dtype : optional
        The dtype of the test input; defaults to the model's parameters' dtype.

    Returns
    -------
    list of (name, type, output shape, parameter count)
        The printed table's rows; output shapes include a batch axis of 1.
    """
    parameters = list(model.parameters())
    if dtype is None:
        dtype = parameters[0].dtype if parameters else np.float64
    x = np.zeros((1,) + tuple(input_shape), dtype=dtype)
    was_training = model.training
    model.eval()
    try:
        if len(model._modules) == 0:
            rows = [("", type(model).__name__, tuple(model(x).shape), model.num_parameters)]
        else:
            rows = list(_rows(model, x, ""))
    finally:
        model.train(was_training)
    header = f"{'layer':<22}{'output shape':<22}{'parameters':>12}"
    lines = [header, "-" * len(header), f"{'input':<22}{str((1,) + tuple(input_shape)):<22}{'':>12}"]
    for name, kind, shape, count in rows:
        lines.append(f"{f'{name} {kind}'.strip():<22}{str(shape):<22}{count:>12,}")
    lines.append("-" * len(header))
    lines.append(f"{'total':<44}{model.num_parameters:>12,}")
    print("\n".join(lines), file=file)
    return rows
