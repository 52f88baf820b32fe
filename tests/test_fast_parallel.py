"""The two-thread fast paths (fast/parallel.py): the same numbers as the reference loops with the batch
split over two threads and without, in both dtypes; BLAS's thread setting restored; errors passed on."""
import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnnlab.functional as F
from cnnlab.functional.fast import conv as fast_conv
from cnnlab.functional.fast import jit, parallel
from _fused_loops import fused_loops

TOLERANCE = {np.float32: dict(rtol=2e-4, atol=2e-4), np.float64: dict(rtol=1e-10, atol=1e-10)}


@contextlib.contextmanager
def threads(count, chunk_bytes=None):
    """``count`` threads, splitting even the smallest batch (MIN_WORK 0); optionally tiny conv chunks."""
    saved = (parallel.THREADS, parallel.MIN_WORK, parallel.MIN_ARRAY_BYTES, parallel.FUSED_SPLIT_BYTES,
             fast_conv.CHUNK_BYTES, fast_conv.CACHE_BYTES)
    parallel.THREADS, parallel.MIN_WORK, parallel.MIN_ARRAY_BYTES, parallel.FUSED_SPLIT_BYTES = count, 0, 0, 0
    if chunk_bytes is not None:  # not kept: backward rebuilds the matrices chunk by chunk, two at a time
        fast_conv.CHUNK_BYTES, fast_conv.CACHE_BYTES = chunk_bytes, 0
    try:
        yield
    finally:
        (parallel.THREADS, parallel.MIN_WORK, parallel.MIN_ARRAY_BYTES, parallel.FUSED_SPLIT_BYTES,
         fast_conv.CHUNK_BYTES, fast_conv.CACHE_BYTES) = saved


def _same(fast, reference, dtype):
    for ours, expected in zip(fast, reference):
        if expected is None:
            assert ours is None
        else:
            assert ours.dtype == dtype
            np.testing.assert_allclose(ours, expected, **TOLERANCE[dtype])


@settings(max_examples=30, deadline=None)
@given(batch=st.integers(1, 5), channels=st.integers(1, 3), filters=st.integers(1, 3), kernel=st.integers(1, 3),
       stride=st.sampled_from([1, 2]), padding=st.integers(0, 1), size=st.integers(3, 7),
       dtype=st.sampled_from([np.float32, np.float64]), count=st.sampled_from([1, 2]),
       chunked=st.booleans(), image_grad=st.booleans(), fused=st.booleans(), seed=st.integers(0, 2**16))
def test_conv2d_on_two_threads_equals_the_reference_loops(batch, channels, filters, kernel, stride, padding, size,
                                                          dtype, count, chunked, image_grad, fused, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, channels, size, size)).astype(dtype)
    weight = rng.standard_normal((filters, channels, kernel, kernel)).astype(dtype)
    bias = rng.standard_normal(filters).astype(dtype)
    needs = (image_grad, True, True)
    expected, reference_ctx = F.conv2d_naive_forward(x, weight, bias, stride, padding, needs_input_grad=needs)
    grad = rng.standard_normal(expected.shape).astype(dtype)
    with threads(count, chunk_bytes=1 if chunked else None), fused_loops(fused):  # fused: 3x3 at stride 1
        output, ctx = F.conv2d_forward(x, weight, bias, stride, padding, needs_input_grad=needs)
        grads = F.conv2d_backward(grad, ctx)
    _same((output,) + tuple(grads), (expected,) + tuple(F.conv2d_naive_backward(grad, reference_ctx)), dtype)


@settings(max_examples=30, deadline=None)
@given(batch=st.integers(1, 5), kernel=st.integers(1, 3), stride=st.integers(1, 3), size=st.integers(3, 8),
       ties=st.booleans(), dtype=st.sampled_from([np.float32, np.float64]), count=st.sampled_from([1, 2]),
       seed=st.integers(0, 2**16))
def test_pooling_on_two_threads_equals_the_reference_loops(batch, kernel, stride, size, ties, dtype, count, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 2, size, size + 1)).astype(dtype)
    if ties:  # whole windows of zeros, as after a ReLU: the first maximum wins
        x = np.maximum(np.round(x), 0)
    padding = kernel // 2
    for name, sign in (("max", 1), ("min", -1), ("avg", 1)):
        reference = "avg" if name == "avg" else "max"  # min pooling is -max_pool2d(-x)
        expected, reference_ctx = getattr(F, f"{reference}_pool2d_naive_forward")(sign * x, kernel, stride, padding)
        grad = rng.standard_normal(expected.shape).astype(dtype)
        with threads(count):
            output, ctx = getattr(F, f"{name}_pool2d_forward")(x, kernel, stride, padding)
            grad_input = getattr(F, f"{name}_pool2d_backward")(grad, ctx)
        expected_grad = getattr(F, f"{reference}_pool2d_naive_backward")(grad, reference_ctx)
        _same((output, grad_input), (sign * expected, expected_grad), dtype)


def test_halves_split_only_when_the_work_is_worth_it():
    with threads(2):
        assert parallel.halves(7, 1) == [slice(0, 3), slice(3, 7)]
        assert parallel.halves(1, 10**9) == [slice(0, 1)]  # one image cannot be split over the batch
    with threads(1):
        assert parallel.halves(64, 10**9) == [slice(0, 64)]
    assert parallel.halves(64, parallel.MIN_WORK - 1) == [slice(0, 64)]


def _blas_threads():
    """Threads of NumPy's BLAS, as the layers found it first; a BLAS loaded later (SciPy's, which numba
    imports) runs no product of cnnlab's."""
    from threadpoolctl import threadpool_info
    ours = {lib.filepath for lib in parallel._blas_libraries()}
    return [info["num_threads"] for info in threadpool_info() if info["filepath"] in ours]


def test_run_keeps_the_order_uses_a_second_thread_and_restores_the_blas_threads():
    import threading

    from threadpoolctl import threadpool_limits
    seen = []

    def job(part):
        seen.append(threading.current_thread().name)
        return part * 10, _blas_threads()
    with threadpool_limits(limits=2, user_api="blas"), threads(2):
        before = _blas_threads()
        results = parallel.run(job, [1, 2, 3])
        after = _blas_threads()
    assert [value for value, _ in results] == [10, 20, 30]
    assert all(blas == [1] * len(blas) for _, blas in results)  # one BLAS thread inside the halves
    assert after == before
    assert any(name.startswith("cnnlab") for name in seen) and threading.current_thread().name in seen


def test_run_passes_an_error_on_after_both_threads_finished():
    finished = []

    def job(part):
        if part == 0:
            raise ValueError("part 0 failed")
        finished.append(part)
    with threads(2), pytest.raises(ValueError, match="part 0 failed"):
        parallel.run(job, [0, 1])
    assert finished == [1]


@settings(max_examples=30, deadline=None)
@given(batch=st.integers(2, 6), channels=st.integers(1, 3), size=st.integers(1, 5), training=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]), count=st.sampled_from([1, 2]), seed=st.integers(0, 2**16),
       fused=st.booleans())
def test_batch_norm_on_two_threads_equals_the_reference(batch, channels, size, training, dtype, count, seed, fused):
    """Both fast paths: the fused loops (numba, where installed) and NumPy's passes (fast/jit.py)."""
    rng = np.random.default_rng(seed)
    x = (3 * rng.standard_normal((batch, channels, size, size + 1)) + 1).astype(dtype)
    weight, bias = rng.random(channels).astype(dtype) + 0.5, rng.standard_normal(channels).astype(dtype)

    def statistics():
        return rng.standard_normal(channels).astype(dtype), rng.random(channels).astype(dtype) + 0.5
    mean, var = statistics()
    reference_mean, reference_var = mean.copy(), var.copy()
    expected, reference_ctx = F.batch_norm_naive_forward(x, reference_mean, reference_var, weight, bias, training)
    grad = rng.standard_normal(x.shape).astype(dtype)
    with fused_loops(fused), threads(count):
        output, ctx = F.batch_norm_forward(x, mean, var, weight, bias, training)
        grads = F.batch_norm_backward(grad, ctx)
    _same((output,) + tuple(grads), (expected,) + tuple(F.batch_norm_naive_backward(grad, reference_ctx)), dtype)
    np.testing.assert_allclose(mean, reference_mean, **TOLERANCE[dtype])  # the running statistics, updated in place
    np.testing.assert_allclose(var, reference_var, **TOLERANCE[dtype])


@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=4), dtype=st.sampled_from([np.float32, np.float64]),
       count=st.sampled_from([1, 2]), seed=st.integers(0, 2**16), fused=st.booleans(), transposed=st.booleans())
def test_relu_on_two_threads_equals_its_definition(shape, dtype, count, seed, fused, transposed):
    """Both fast paths: the fused loop (numba, where installed; C-contiguous input only) and NumPy's passes."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.standard_normal(shape), 1).astype(dtype)  # rounding puts some values at exactly 0
    if transposed:  # not C-contiguous (for more than one dimension of length above 1): NumPy's passes
        x = x.T
    grad = rng.standard_normal(x.shape).astype(dtype)
    with fused_loops(fused), threads(count):
        output, ctx = F.relu_forward(x)
        grad_input = F.relu_backward(grad, ctx)
    _same((output, grad_input), (np.where(x > 0, x, 0).astype(dtype), np.where(x > 0, grad, 0).astype(dtype)), dtype)


def test_small_products_run_on_one_blas_thread_and_large_ones_keep_the_setting():
    from threadpoolctl import threadpool_limits
    blas = _blas_threads
    with threadpool_limits(limits=2, user_api="blas"):
        outside = blas()
        with parallel.one_blas_thread(parallel.SMALL_PRODUCT - 1):
            assert blas() == [1] * len(outside)
        with parallel.one_blas_thread(parallel.SMALL_PRODUCT):
            assert blas() == outside
        assert blas() == outside


def test_kept_matrices_survive_the_next_call_when_the_padded_input_is_a_work_array():
    """A 1x1 kernel's im2col matrix could be a view of the padded input, a reused work array: it must
    be a copy, or a second forward pass would change what the first one's backward reads."""
    rng = np.random.default_rng(4)
    x, other = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 4, 5))
    weight, grad = rng.standard_normal((2, 3, 1, 1)), rng.standard_normal((2, 2, 6, 7))
    _, ctx = F.conv2d_forward(x, weight, None, 1, 1)
    F.conv2d_forward(other, weight, None, 1, 1)  # reuses the work arrays
    _, reference_ctx = F.conv2d_naive_forward(x, weight, None, 1, 1)
    _same(F.conv2d_backward(grad, ctx), F.conv2d_naive_backward(grad, reference_ctx), np.float64)


def _fused_results(x, weight, bias, grad, count):
    """conv2d, batch norm, ReLU and 2x2 max pooling forward and backward with ``count`` threads, fused loops on."""
    with threads(count), fused_loops(True):
        output, ctx = F.conv2d_forward(x, weight, bias, 1, weight.shape[-1] // 2)
        results = [output, *F.conv2d_backward(grad, ctx)]
        zeros, ones = np.zeros(x.shape[1], x.dtype), np.ones(x.shape[1], x.dtype)
        normed, ctx = F.batch_norm_forward(x, zeros.copy(), ones.copy(), ones, zeros, training=True)
        results += [normed, *F.batch_norm_backward(x, ctx)]
        rectified, ctx = F.relu_forward(x)
        results += [rectified, F.relu_backward(x, ctx)]
        pooled, ctx = F.max_pool2d_forward(x, 2)
        results += [pooled, F.max_pool2d_backward(pooled, ctx)]
    return results


# both filter families (all taps in one pass, row by row) and both dtypes, in two cases: each case compiles
# every loop twice (plain and on two threads), 10-20 s on a fresh clone
@pytest.mark.parametrize(("kernel", "dtype"), [(3, np.float32), (5, np.float64)])
def test_fused_loops_give_the_same_numbers_on_one_thread_and_on_numbas_two(kernel, dtype, monkeypatch):
    """The parts of every fused loop are the same on one thread or two (fast/jit.py), so the numbers are too:
    bit for bit where nothing is summed (ReLU, pooling), to rounding where the two compiled versions may
    order a sum's vector lanes differently (convolution, batch norm)."""
    if not jit.available() or not jit.threads_ready():
        pytest.skip("numba with a thread-safe threading layer (OpenMP or TBB) is not installed")
    rng = np.random.default_rng(kernel)
    x = rng.standard_normal((6, 3, 10, 10)).astype(dtype)
    weight, bias = rng.standard_normal((5, 3, kernel, kernel)).astype(dtype), rng.standard_normal(5).astype(dtype)
    grad = rng.standard_normal((6, 5, 10, 10)).astype(dtype)
    one_thread = _fused_results(x, weight, bias, grad, 1)
    loops_on_two = []
    parallel_call = jit.compiled.parallel
    monkeypatch.setattr(jit.compiled, "parallel", lambda loop, *args: loops_on_two.append(loop.__name__)
                        or parallel_call(loop, *args))
    two_threads = _fused_results(x, weight, bias, grad, 2)
    assert {"correlate", "_relu", "_relu_backward", "_max_2x2", "_scatter_2x2", "_sums", "_scale_and_shift",
            "_gradient_sums", "_input_gradient"} <= set(loops_on_two)
    assert ("_weight_gradient" if kernel == 3 else "weight_gradient") in loops_on_two
    summed = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-12, atol=1e-12)}[dtype]
    for index, (ours, expected) in enumerate(zip(two_threads, one_thread, strict=True)):
        assert ours.dtype == expected.dtype
        if index < 8:  # conv2d's output and three gradients, batch norm's output and three gradients
            np.testing.assert_allclose(ours, expected, **summed)
        else:
            np.testing.assert_array_equal(ours, expected)


def test_threads_come_from_cnnlab_threads_then_omp_num_threads_then_the_cpus():
    assert parallel.threads_from({}, 8) == 2
    assert parallel.threads_from({}, 1) == 1
    assert parallel.threads_from({}, None) == 1
    # a hub gives each student one OpenMP thread (deploy/jupyterhub_config.py): the fused loops' threads are OpenMP's
    assert parallel.threads_from({"OMP_NUM_THREADS": "1"}, 8) == 1
    assert parallel.threads_from({"OMP_NUM_THREADS": "4,2"}, 8) == 2  # OpenMP's nested form: the first number
    assert parallel.threads_from({"CNNLAB_THREADS": "2", "OMP_NUM_THREADS": "1"}, 8) == 2
    assert parallel.threads_from({"CNNLAB_THREADS": "1"}, 8) == 1
    assert parallel.threads_from({"CNNLAB_THREADS": "", "OMP_NUM_THREADS": "many"}, 2) == 2  # not numbers: ignored
