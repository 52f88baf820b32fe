"""Both cores for one operation: the batch split in two halves, one per thread.

NumPy runs its element-wise work (copies, masks, additions) on one core, and its batched matrix
products are many small products (one per image) that multi-threaded BLAS handles badly: its
threads spin and meet again after every small product, and on a busy two-core machine that made
training several times slower. Splitting the *batch* instead gives every thread a whole half of
the work: NumPy releases the GIL inside ufuncs, copies and matrix products, so the two halves run
at the same time, and BLAS is held at one thread meanwhile (no thread waits for another inside a
product). A thread that finds its core busy simply finishes later; nothing spins.

The fused loops (numba, ``fast/*_fused.py``) split their batch on numba's own threads instead
(:func:`fused_run`, see ``fast/jit.py``): a Python thread has to wake and take Python's lock, 70
microseconds here, where numba's threads take 2.

The layers choose this themselves, so a student's own training loop gets it as ``fit`` does.
``THREADS = 1`` (or ``CNNLAB_THREADS=1``, or ``OMP_NUM_THREADS=1``) switches it off (the tests run
both ways); work below :data:`MIN_WORK` values stays on the calling thread, where handing it over
would cost more.
"""
import contextlib
import os
import threading

from . import jit

__all__ = []


def threads_from(environment, cpu_count):
    """1 or 2: ``CNNLAB_THREADS``, else ``OMP_NUM_THREADS`` (its first number), else the CPUs, at most 2.

    OMP_NUM_THREADS counts because the fused loops' threads are OpenMP's (``fast/jit.py``), and it is
    what a shared server sets to give each user one thread (``deploy/jupyterhub_config.py`` does).
    """
    for name in ("CNNLAB_THREADS", "OMP_NUM_THREADS"):
        first = environment.get(name, "").split(",")[0].strip()
        if first.isdigit() and int(first) > 0:
            return min(2, int(first))
    return min(2, cpu_count or 1)


#: Threads an operation may use: 1 (off) or 2 (the calling thread and one worker). CNNLAB_THREADS=1 or
#: OMP_NUM_THREADS=1 switches it off, e.g. on a server where every core already has a student.
THREADS = threads_from(os.environ, os.cpu_count())
#: Values (array elements) a convolution must touch before splitting it pays.
MIN_WORK = 2**16
#: Bytes of an array below which element-wise passes (ReLU, pooling, batch norm) stay on one thread.
#: Measured idle on two cores: they are bound by memory, which the two threads share, and every hand-off
#: costs tens of microseconds, so batch norm on 1.6 MB of float32 was 1.6x *slower* split; from about
#: 3 MB (float64 ReLU and pooling after the first convolution) the split gained 1.1x to 1.4x.
MIN_ARRAY_BYTES = 3 * 2**20
#: Bytes of an array from which a fused loop (``fast/*_fused.py``, numba) runs on two of numba's threads
#: (:func:`fused_run`). Their hand-over costs microseconds, not the tens of a Python thread's: measured on
#: two idle cores, max pooling forward+backward on (64, 8, 28, 28) float32 (1.6 MB) took 0.43 ms split
#: against 0.73 on one thread, batch norm 0.28-0.36 against 0.35-0.46; at a quarter of a MiB the split
#: gained nothing more.
FUSED_SPLIT_BYTES = 2**20

_pool = None
_blas = None
_lock = threading.Lock()
_here = threading.local()  # .in_half: this thread is running one half of a batch split further up
_depth = 0
_saved = []


def _worker():
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                # imported here: concurrent.futures adds about 15 ms to `import cnnlab`, a notebook's start-up
                from concurrent.futures import ThreadPoolExecutor
                _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnnlab")
    return _pool


def _blas_libraries():
    """threadpoolctl's handles on the BLAS libraries, found once (the first call takes a few milliseconds)."""
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController
        _blas = list(ThreadpoolController().select(user_api="blas").lib_controllers)
    return _blas


class _OneBlasThread:
    """BLAS at one thread while the halves run; the caller's setting comes back afterwards (about 1 us each way)."""

    def __enter__(self):
        global _depth
        with _lock:
            if _depth == 0:
                _saved[:] = [(lib, lib.num_threads) for lib in _blas_libraries()]
                for lib, threads in _saved:
                    if threads != 1:
                        lib.set_num_threads(1)
            _depth += 1

    def __exit__(self, *exc):
        global _depth
        with _lock:
            _depth -= 1
            if _depth == 0:
                for lib, threads in _saved:
                    if threads != 1:
                        lib.set_num_threads(threads)


#: Multiply-adds x 2 of one matrix product below which BLAS runs it on one thread.
SMALL_PRODUCT = 2**26


def one_blas_thread(flops):
    """Hold BLAS at one thread for a product of ``flops`` below :data:`SMALL_PRODUCT`, else change nothing.

    Every product of the course's networks is small (a dense layer on a batch of 64 is about 2 MFLOP,
    one image's convolution less): two BLAS threads then meet after every few microseconds of work,
    and on a busy two-core machine each such meeting waits for a core (a plain training loop was 5x
    slower). Switching costs about a microsecond.
    """
    return _OneBlasThread() if flops < SMALL_PRODUCT else contextlib.nullcontext()


@contextlib.contextmanager
def one_half():
    """Mark this thread as running one half of a split batch: the operations inside do not split again.

    :class:`cnnlab.nn.Sequential` sends each half of a batch through the whole network on its own thread
    (``nn/two_halves.py``); the convolutions and element-wise passes inside then each run on the thread
    that called them, as with ``THREADS = 1``. (Splitting again would wait for the busy worker thread.)
    """
    before = getattr(_here, "in_half", False)
    _here.in_half = True
    try:
        yield
    finally:
        _here.in_half = before


def can_split():
    """True when an operation may hand work to the second thread now (two threads, not inside a half)."""
    return THREADS >= 2 and not getattr(_here, "in_half", False)


def halves(batch, work):
    """``range(batch)`` as two slices when ``work`` (values touched) is worth two threads, else one slice."""
    if not can_split() or batch < 2 or work < MIN_WORK:
        return [slice(0, batch)]
    middle = batch // 2
    return [slice(0, middle), slice(middle, batch)]


def run(job, parts, parallel=True):
    """``[job(part) for part in parts]``; with ``parallel``, half of the parts on a second thread.

    The calling thread takes parts 0, 2, 4, ... and the worker 1, 3, 5, ... at the same time.
    ``job`` must write only to its own part of any shared output (each part of the batch is its
    own), and keep per-thread work arrays (:func:`.work_arrays.scratch` does).
    """
    if not parallel or not can_split() or len(parts) < 2:
        with _OneBlasThread():  # the products of one op here are per image: small (see one_blas_thread)
            return [job(part) for part in parts]
    results = [None] * len(parts)
    with _OneBlasThread():
        future = _worker().submit(lambda: [job(part) for part in parts[1::2]])
        try:
            results[0::2] = [job(part) for part in parts[0::2]]
        finally:
            results[1::2] = future.result()  # waits for the worker even when this thread failed
    return results


def split(job, batch, work):
    """:func:`run` over :func:`halves`: the common case of an operation on a whole batch."""
    return run(job, halves(batch, work))


def array_halves(array):
    """:func:`halves` of an array's batch axis for element-wise passes: two only from :data:`MIN_ARRAY_BYTES`."""
    return halves(len(array), MIN_WORK if array.nbytes >= MIN_ARRAY_BYTES else 0)


def fused_run(loop, array, *arrays, worth=None):
    """``loop(*arrays)``, a fused loop (``fast/*_fused.py``) whose ``jit.prange`` splits the batch of ``array``:
    on two of numba's threads when ``worth`` it (by default from :data:`FUSED_SPLIT_BYTES` of ``array``) and
    the machine allows it (:func:`can_split`, :func:`.jit.threads_ready`), else one part after the other.

    The parts are the same either way, and so are the numbers. Returns what the loop returns.
    """
    if worth is None:
        worth = array.nbytes >= FUSED_SPLIT_BYTES
    on_two_threads = worth and len(array) > 1 and can_split() and jit.threads_ready()
    return (loop.parallel if on_two_threads else loop)(*arrays)


def split_array(job, array):
    """:func:`run` over :func:`array_halves`."""
    return run(job, array_halves(array))
