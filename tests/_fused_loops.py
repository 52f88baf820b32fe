"""Switch the fast path's fused numba loops (cnnlab/functional/fast/jit.py) on or off inside a test."""
import contextlib

from cnnlab.functional.fast import jit


@contextlib.contextmanager
def fused_loops(enabled):
    """The fused loops on (where numba is installed, for arrays of any size) or off, as CNNLAB_NUMBA=0."""
    saved = jit.ENABLED, jit.MIN_BYTES
    jit.ENABLED, jit.MIN_BYTES = enabled, 0
    try:
        yield
    finally:
        jit.ENABLED, jit.MIN_BYTES = saved
