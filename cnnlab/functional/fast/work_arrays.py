"""Reusable work arrays for the intermediate results of convolution and batch norm.

Shared by every op that needs a large temporary on its hot path, so that none of them owns the
mechanism the others borrow.
"""
import threading

import numpy as np

__all__ = []

_buffers = threading.local()


def scratch(name, shape, dtype, zero=False):
    """A reusable work array for intermediate results (never for arrays returned to the caller).

    Memory fresh from the operating system costs a page fault for every 4 KiB on first touch; for a
    small convolution that was a third of the time. Reusing one buffer per name avoids it. The
    buffers are per thread, so concurrent calls from different threads cannot share one.
    """
    buffers = getattr(_buffers, "buffers", None)
    if buffers is None:
        buffers = _buffers.buffers = {}
    size = int(np.prod(shape))
    key = (name, np.dtype(dtype))
    buffer = buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = buffers[key] = np.empty(size, dtype=dtype)
    array = buffer[:size].reshape(shape)
    if zero:
        array.fill(0)
    return array
