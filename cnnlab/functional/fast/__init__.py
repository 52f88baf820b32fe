"""The optimized paths behind the public contract of :mod:`cnnlab.functional`.

Each module here computes exactly what the readable reference of the same name in
``cnnlab/functional/`` computes (``fast/conv.py`` for ``conv.py``, ``fast/normalization.py`` for
``normalization.py``), arranged for speed: matrix products instead of loops, work arrays reused
between calls, blocks that stay in the CPU's cache. The public ``F.f_forward`` / ``F.f_backward`` call
them on arrays their public half has already checked; the tests compare the two on random shapes.
Read the reference first: nothing here changes the maths.
"""
