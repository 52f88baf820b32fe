"""One op's forward and backward in one call, for tests that compare a gradient with a reference."""
import cnnlab.functional as F


def backward_of(name, grad_output, *args, **options):
    """``F.<name>_backward(grad_output, ctx)`` with ``ctx`` from ``F.<name>_forward(*args, **options)``."""
    _, ctx = getattr(F, f"{name}_forward")(*args, **options)
    return getattr(F, f"{name}_backward")(grad_output, ctx)
