"""One BLAS thread while training: faster for a small network's small matrix products, and immune to
other programs competing for the cores.

Measured on a 2-core machine (Ex. 3.1 network, batch 32, float32): unloaded, two OpenBLAS threads were
about 10% faster than one; with any other busy process, two threads were 4 to 7 times *slower* (each
thread waits for the other at every matrix product). The limit comes from ``threadpoolctl``.

The layers now make the same choice themselves for every small product and use the second core by
splitting the batch (``cnnlab/functional/fast/parallel.py``), so a plain training loop is as fast as
``fit``; this limit still covers whatever else runs inside ``fit`` (a user's own layer, a large product).
"""
import contextlib

from threadpoolctl import threadpool_limits

__all__ = ["blas_threads"]


def blas_threads(count):
    """A context manager limiting the BLAS to ``count`` threads (``None``: leave it as it is)."""
    if count is None:
        return contextlib.nullcontext()
    return threadpool_limits(limits=count, user_api="blas")
