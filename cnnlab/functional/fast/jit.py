"""numba for the fused loops of the fast path: optional, compiled on first use, cached on disk.

Some passes are bound by memory, not arithmetic: batch norm is a handful of multiply-adds per value,
and NumPy spends each of them on a pass of its own over the whole array (about five where one or two
would do). A loop compiled by numba does all of a value's work while it is in a register. The loops
stay plain Python (read them as the formulas), compiled the first time they are called, never at
``import cnnlab``, so a notebook starts as fast as before.

``cache=True`` writes the machine code next to the source (in ``__pycache__``, or numba's per-user
cache where that is read-only), so every later process, such as each fresh notebook kernel, loads it
in milliseconds instead of compiling again. ``nogil=True`` lets the two halves of a batch in
``nn/two_halves.py`` run their loops at the same time.

**Two threads inside one loop.** Every loop runs over its batch with ``for n in jit.prange(N)``,
or over two ``parts`` of it where each part keeps sums of its own (the convolution's weight gradient).
Compiled plainly, ``prange`` is ``range`` and the images go one after the other.
:meth:`compiled.parallel` compiles the same loop with numba's ``parallel`` option, which gives each
of two of numba's own threads (OpenMP) half of the images. Those threads wait for work in a short
spin: handing half a loop to the other core took 2 microseconds here, where a Python thread took 70
(it has to wake and take Python's lock), and several hundred once the core had gone to sleep. The
parts are the same on one thread or two, so the numbers are too: bit for bit where nothing is
summed, to rounding where the two compiled versions may order a sum's vector lanes differently.

Without numba, or with ``CNNLAB_NUMBA=0`` (or :data:`ENABLED` set to False), every caller uses its
pure-NumPy path instead, which computes the same numbers.
"""
import functools
import os

__all__ = []

#: Whether the fused loops may be used; CNNLAB_NUMBA=0 switches them off (the tests run both ways).
ENABLED = os.environ.get("CNNLAB_NUMBA", "1") != "0"
#: Floating-point rules the loops may relax: reordering sums (so they run on SIMD lanes) and fused
#: multiply-adds. Never the NaN and infinity rules: the NaN checks of batch norm rely on them.
FASTMATH = {"reassoc", "contract"}

#: Arrays smaller than this stay on the NumPy path. Loading numba and its cached loops costs a process
#: about 0.6 s on first use (3 s the very first time, compiling), and on arrays this small NumPy takes
#: tens of microseconds: so a notebook that only shows single images never loads numba, and one that
#: trains on batches (a MB and more) pays it once. Measured: a fit epoch of 8,000 digits gains 70 ms
#: (Ex. 3.1 network) to 190 ms (the wider one), notebooks 05, 07 and 08 together 10 s.
MIN_BYTES = 2**18

_numba = None  # the module once imported; False when it cannot be
#: ``numba.prange`` once numba is imported: the loops write ``jit.prange``, which numba reads when it
#: compiles them (never before :func:`available`), so that importing cnnlab does not import numba.
prange = range


def available():
    """True when numba imports and is not switched off; imports it on the first call (a few tenths of a second)."""
    global _numba
    if not ENABLED:
        return False
    if _numba is None:
        try:
            import numba
        except ImportError:  # also a numba built for another NumPy: the NumPy path serves
            numba = False
        else:
            global prange
            prange = numba.prange
        _numba = numba
    return _numba is not False


def loaded():
    """True when numba was imported and is in use: compiled loops then cost no start-up any more."""
    return ENABLED and _numba not in (None, False)


def ready_for(array):
    """:func:`worth`, or any size once numba is loaded: for loops whose numbers are NumPy's, bit for bit.

    A loop that gives exactly the numbers of NumPy's passes, zeros' signs included (ReLU, max pooling's
    backward, the finite check) may take small arrays too once a training batch has loaded numba: the halves of a batch
    (``nn/two_halves.py``) are often below :data:`MIN_BYTES`, and NumPy's passes hold Python's lock.
    The others keep to :func:`worth` (convolution and batch norm sum in another order; max pooling's
    forward keeps the first of a -0.0 and a 0.0, NumPy the 0.0), so that a notebook's small examples
    give the same digits whatever ran before them.
    """
    return loaded() or worth(array)


def worth(array):
    """True when a fused loop should take ``array``: at least :data:`MIN_BYTES`, and numba :func:`available`."""
    return array.nbytes >= MIN_BYTES and available()


class compiled:
    """Decorator: ``function`` compiled by numba when first called (nogil, cached on disk).

    Call it only where :func:`available` is True. Each dtype and memory layout of its arguments is
    compiled once and cached. ``loop(*args)`` runs the parts of its ``jit.prange`` one after the other;
    ``loop.parallel(*args)`` runs them on numba's threads (see :func:`threads_ready`).
    """

    def __init__(self, function):
        self.function = function
        self.__doc__, self.__name__ = function.__doc__, function.__name__
        self._compiled = self._parallel = None

    def __call__(self, *args):
        if self._compiled is None:
            import numba
            self._compiled = numba.njit(cache=True, nogil=True, fastmath=FASTMATH)(self.function)
        return self._compiled(*args)

    def parallel(self, *args):
        """The loop with its parts on two of numba's threads."""
        if self._parallel is None:
            import numba
            self._parallel = numba.njit(cache=True, nogil=True, fastmath=FASTMATH,
                                        parallel=_PRANGE_ONLY)(_renamed(self.function, "on_two_threads"))
        if _numba.get_num_threads() > 2:  # prange(2) has work for two: more would wake for nothing
            _numba.set_num_threads(2)
        return self._parallel(*args)


#: numba's ``parallel`` option for ``jit.prange`` alone: the loops' own array expressions stay plain loops.
_PRANGE_ONLY = {"prange": True, "numpy": False, "reduction": False, "setitem": False, "stencil": False,
                "fusion": False, "comprehension": False}


def _renamed(function, suffix):
    """A copy of ``function`` with another qualified name: numba's disk cache tells compiled versions
    apart by the function's name and code, not by options, so the parallel one needs a name of its own."""
    import types
    copy = types.FunctionType(function.__code__, function.__globals__, function.__name__,
                              function.__defaults__, function.__closure__)
    copy.__qualname__ = f"{function.__qualname__}.{suffix}"
    return copy


_threads_ready = None


def threads_ready():
    """True when numba's threads may run a loop's parts: a thread-safe threading layer (OpenMP or TBB).

    numba's fallback layer, ``workqueue``, handed over no faster than a Python thread and stops the
    process if two threads start parallel loops at once; without OpenMP or TBB the parts run one
    after the other.
    """
    global _threads_ready
    if _threads_ready is None and available():
        layer = _numba.config.THREADING_LAYER
        _threads_ready = ((layer in ("default", "threadsafe", "omp") and _pool_loads("omppool"))
                          or (layer in ("default", "safe", "threadsafe", "tbb") and _pool_loads("tbbpool")))
    return bool(_threads_ready)


def _pool_loads(name):
    """True when numba's threading layer ``name`` loads (its library, GNU OpenMP or TBB, is there)."""
    import importlib
    try:
        importlib.import_module(f"numba.np.ufunc.{name}")
    except (ImportError, OSError):
        return False
    return True


@functools.lru_cache(maxsize=None)
def inlined(function):
    """``function`` made callable inside compiled loops, its code copied into theirs (``inline='always'``).

    Call it only where :func:`available` is True, when building a loop (see ``fast/conv_fused.py``).
    It stays a plain Python function (numba's ``register_jitable``), not a compiled one: a loop that
    holds a compiled function in its closure is never found in the disk cache, because numba tells
    cached versions apart by a hash of the closure, and a compiled function pickles with an id new in
    every process (each process compiled the convolution again, 1-4 s).
    """
    from numba.extending import register_jitable
    return register_jitable(inline="always")(function)
