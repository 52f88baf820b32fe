"""Switch the fast path's fused numba loops (cnnlab/functional/fast/jit.py) on or off inside a test."""
import contextlib

from cnnlab.functional.fast import jit


@contextlib.contextmanager
def fused_loops(enabled):
    """The fused loops on (where numba is installed) or off, as CNNLAB_NUMBA=0 switches them off."""
    saved, jit.ENABLED = jit.ENABLED, enabled
    try:
        yield
    finally:
        jit.ENABLED = saved
