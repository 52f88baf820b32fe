"""cnnlab against PyTorch, SciPy and its own loop versions: one process, the same inputs, medians, ratios.

Run ``make bench`` (or ``.venv/bin/python benchmarks/run.py``). Prints a table and writes
``benchmarks/results/latest.json`` and ``benchmarks/results/latest.md``. See ``benchmarks/README.md``.

Method
------
- Every comparison is a pair (cnnlab, reference) on the same arrays. After a warm-up, the two are
  timed in alternating blocks of five calls (each after one untimed call, see :func:`compare`) so that
  a burst of load from another process hits both, and each side's median is kept. The ratio is
  ``cnnlab median / reference median``: below 1 means cnnlab is faster.
- PyTorch runs on the CPU with ``torch.set_num_threads`` equal to the threads NumPy's BLAS uses, so
  both sides get the same cores. Backward in PyTorch is autograd; in cnnlab the layers' path
  (forward keeps what backward needs: the padded input, or the im2col matrices).
- Peak memory is measured in a fresh child process per case: the increase of the resident set's
  high-water mark (Linux ``VmHWM`` after resetting it) during one forward+backward, the same method
  for both libraries; for NumPy, ``tracemalloc``'s peak is reported too.
"""
import argparse
import datetime
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cnnlab  # noqa: E402
import cnnlab.functional as F  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
_limits = []  # keeps a threadpoolctl limit alive for the whole run

try:
    import torch
except ImportError:  # PyTorch is optional: its comparisons are skipped with a note.
    torch = None

from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

# Workloads of issue 7: (batch, channels, size, filters, kernel, padding).
CONV_WORKLOADS = {
    "A": (64, 1, 28, 8, 3, 1),
    "B": (64, 8, 14, 16, 3, 1),
    "C": (16, 3, 64, 16, 5, 2),
}
DTYPES = (np.float32, np.float64)


# ----------------------------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------------------------

def _once(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def compare(ours, reference, budget=0.6, min_repeats=5, max_repeats=40, block=5):
    """Median seconds of ``ours`` and ``reference``, timed in alternating blocks after a warm-up.

    Each block runs one side ``block`` times, after one untimed call: PyTorch's OpenMP threads keep
    spinning on the cores for a while after each of its calls, and a cnnlab call right after one was
    measured 15% (conv2d A) to 50% (C) slower than in a loop of its own. A user runs one library's
    loop, not both interleaved; the blocks still alternate, so that load from other programs hits both.
    (Pausing at each switch instead made cnnlab's next calls slower still: its worker thread then
    wakes from a deeper sleep.)
    """
    for _ in range(2):
        first = _once(ours) + _once(reference)
    repeats = int(min(max_repeats, max(min_repeats, budget / max(first, 1e-6))))
    ours_times, reference_times = [], []
    while len(ours_times) < repeats:
        for function, times in ((ours, ours_times), (reference, reference_times)):
            function()  # the untimed call after the switch
            times.extend(_once(function) for _ in range(min(block, repeats - len(times))))
    return statistics.median(ours_times), statistics.median(reference_times), repeats


def alone(function, budget=0.6, min_repeats=5, max_repeats=60):
    for _ in range(2):
        first = _once(function)
    repeats = int(min(max_repeats, max(min_repeats, budget / max(first, 1e-6))))
    return statistics.median(_once(function) for _ in range(repeats)), repeats


# ----------------------------------------------------------------------------------------------
# The workloads
# ----------------------------------------------------------------------------------------------

def _conv_inputs(name, dtype, seed=0):
    batch, channels, size, filters, kernel, padding = CONV_WORKLOADS[name]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, channels, size, size)).astype(dtype)
    weight = (rng.standard_normal((filters, channels, kernel, kernel)) / kernel).astype(dtype)
    bias = rng.standard_normal(filters).astype(dtype)
    grad = rng.standard_normal((batch, filters, size, size)).astype(dtype)
    return x, weight, bias, grad, padding


# A (one input channel) is a network's first layer: its input is the images, which need no gradient.
# PyTorch skips that gradient for an input without requires_grad, so neither library computes it. With
# it, PyTorch's float32 backward for C=1 is 3x slower on an idle machine (1.5 ms against 0.46 ms) and
# collapses under load (225 ms against 0.38 ms at load 5 on 2 cores): the old 24.9 ms (issue 15).
FIRST_LAYER = {"A"}


def _cnnlab_conv_forward_backward(x, weight, bias, grad, padding, image_grad=True):
    output, ctx = F.conv2d_forward(x, weight, bias, 1, padding, needs_input_grad=(image_grad, True, True))
    return output, F.conv2d_backward(grad, ctx)


def _torch_conv_forward_backward(x, weight, bias, grad, padding, image_grad=True):
    x = x.detach().requires_grad_(image_grad)
    weight, bias = (t.detach().requires_grad_() for t in (weight, bias))
    output = torch.nn.functional.conv2d(x, weight, bias, padding=padding)
    output.backward(grad)
    return output, (x.grad, weight.grad, bias.grad)


def conv_flops(name, measure):
    """Multiply-adds x 2 of one conv2d pass on workload ``name``: forward, and each gradient as much again."""
    batch, channels, size, filters, kernel, padding = CONV_WORKLOADS[name]
    one_pass = 2 * batch * filters * channels * kernel * kernel * size * size  # stride 1, 'same' size
    if measure == "forward":
        return one_pass
    return one_pass * (2 if name in FIRST_LAYER and measure == "forward+backward" else 3)


def conv_rows(rows, notes):
    for name in CONV_WORKLOADS:
        results = {}
        for dtype in DTYPES:
            x, weight, bias, grad, padding = _conv_inputs(name, dtype)
            label = f"conv2d {name} {_shape_text(name)}"
            output, grads = _cnnlab_conv_forward_backward(x, weight, bias, grad, padding)
            results[dtype] = (output,) + tuple(grads)
            if torch is None:
                seconds, repeats = alone(lambda: _cnnlab_conv_forward_backward(x, weight, bias, grad, padding))
                rows.append(_row(label, "forward+backward", dtype, seconds, None, None, repeats))
                continue
            tx, tw, tb, tg = map(torch.from_numpy, (x, weight, bias, grad))
            _check_same_numbers(_cnnlab_conv_forward_backward(x, weight, bias, grad, padding),
                                _torch_conv_forward_backward(tx, tw, tb, tg, padding), dtype, label, notes)
            image_grad = name not in FIRST_LAYER

            def ours_forward():
                return F.conv2d(x, weight, bias, 1, padding)

            def torch_forward():
                with torch.no_grad():
                    return torch.nn.functional.conv2d(tx, tw, tb, padding=padding)

            ours, theirs, repeats = compare(ours_forward, torch_forward)
            rows.append(_row(label, "forward", dtype, ours, "PyTorch", theirs, repeats, conv_flops(name, "forward")))
            ours, theirs, repeats = compare(
                lambda: _cnnlab_conv_forward_backward(x, weight, bias, grad, padding, image_grad),
                lambda: _torch_conv_forward_backward(tx, tw, tb, tg, padding, image_grad))
            rows.append(_row(label + ("" if image_grad else ", first layer: no image gradient"), "forward+backward",
                             dtype, ours, "PyTorch", theirs, repeats, conv_flops(name, "forward+backward")))
            if not image_grad:  # shown for the record, outside the targets: what the old harness measured
                ours, theirs, repeats = compare(lambda: _cnnlab_conv_forward_backward(x, weight, bias, grad, padding),
                                                lambda: _torch_conv_forward_backward(tx, tw, tb, tg, padding),
                                                budget=0.3, max_repeats=10)
                rows.append(_row(label + ", image gradient too", "forward+backward (image grad)", dtype, ours,
                                 "PyTorch", theirs, repeats, conv_flops(name, "forward+backward (image grad)")))
        # Speed never costs correctness: float32 must agree with float64 to float32 precision.
        error = max(np.max(np.abs(single - double)) / np.max(np.abs(double))
                    for single, double in zip(results[np.float32], results[np.float64]))
        FLOAT32_ERRORS[name] = float(error)


FLOAT32_ERRORS = {}


def _check_same_numbers(ours, theirs, dtype, label, notes):
    """Speed never costs correctness: the compared runs must agree before they are timed."""
    tolerance = 1e-3 if dtype == np.float32 else 1e-9
    output, grads = ours
    expected_output, expected_grads = theirs
    for a, b in zip((output,) + tuple(grads), (expected_output,) + tuple(expected_grads)):
        b = b.detach().numpy()
        error = np.max(np.abs(a - b)) / max(1.0, np.max(np.abs(b)))
        if error > tolerance:
            notes.append(f"{label} {np.dtype(dtype).name}: cnnlab and PyTorch differ by {error:.2g} (relative)")


def _shape_text(name):
    batch, channels, size, filters, kernel, padding = CONV_WORKLOADS[name]
    return f"(N={batch}, C={channels}, {size}x{size}, {filters} filters {kernel}x{kernel}, pad {padding})"


def single_image_rows(rows, notes):
    """D: one 512x512 image and one 3x3 kernel, the interactive gallery's case."""
    from scipy import ndimage, signal

    rng = np.random.default_rng(1)
    for dtype in DTYPES:
        image = rng.random((512, 512)).astype(dtype)
        kernel = rng.standard_normal((3, 3)).astype(dtype)
        ours_fn = lambda: cnnlab.correlate2d(image, kernel, padding="same")  # noqa: E731
        expected = ndimage.correlate(image, kernel, mode="constant", cval=0.0)
        error = np.max(np.abs(ours_fn() - expected))
        if error > (1e-4 if dtype == np.float32 else 1e-10):
            notes.append(f"D {np.dtype(dtype).name}: correlate2d differs from scipy.ndimage.correlate by {error:.2g}")
        label = "D correlate2d, one 512x512 image, 3x3 kernel, 'same'"
        references = [
            ("scipy.ndimage.correlate", lambda: ndimage.correlate(image, kernel, mode="constant", cval=0.0)),
            ("scipy.signal.correlate2d", lambda: signal.correlate2d(image, kernel, mode="same")),
        ]
        if torch is not None:
            timage, tkernel = torch.from_numpy(image)[None, None], torch.from_numpy(kernel)[None, None]

            def torch_single():
                with torch.no_grad():
                    return torch.nn.functional.conv2d(timage, tkernel, padding=1)
            references.append(("PyTorch conv2d", torch_single))
        for reference_name, reference in references:
            ours, theirs, repeats = compare(ours_fn, reference)
            rows.append(_row(label, "forward", dtype, ours, reference_name, theirs, repeats))
        if torch is not None:
            batch_image, batch_kernel = image[None, None], kernel[None, None]
            ours, theirs, repeats = compare(lambda: F.conv2d(batch_image, batch_kernel, padding=1), torch_single)
            rows.append(_row("D conv2d (1, 1, 512, 512), one 3x3 kernel, pad 1", "forward", dtype, ours,
                             "PyTorch conv2d", theirs, repeats))


def naive_rows(rows, notes):
    """The loop versions, on a small case: why vectorisation matters."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 1, 28, 28))
    weight = rng.standard_normal((8, 1, 3, 3))
    ours, theirs, repeats = compare(lambda: F.conv2d(x, weight, padding=1),
                                    lambda: F.conv2d_naive(x, weight, padding=1),
                                    budget=0.5, min_repeats=3, max_repeats=10)
    rows.append(_row("conv2d (N=4, C=1, 28x28, 8 filters 3x3, pad 1)", "forward", np.float64, ours,
                     "cnnlab conv2d_naive (loops)", theirs, repeats))
    image, kernel = rng.random((64, 64)), rng.standard_normal((3, 3))
    ours, theirs, repeats = compare(lambda: cnnlab.correlate2d(image, kernel),
                                    lambda: cnnlab.correlate2d_naive(image, kernel),
                                    budget=0.5, min_repeats=3, max_repeats=10)
    rows.append(_row("correlate2d 64x64 image, 3x3 kernel", "forward", np.float64, ours,
                     "cnnlab correlate2d_naive (loops)", theirs, repeats))


def pooling_and_batch_norm_rows(rows, notes):
    """max_pool2d 2x2 stride 2 and training batch_norm, forward+backward, on A's output (64, 8, 28, 28)."""
    rng = np.random.default_rng(3)
    for dtype in DTYPES:
        x = rng.standard_normal((64, 8, 28, 28)).astype(dtype)
        grad_pool = rng.standard_normal((64, 8, 14, 14)).astype(dtype)
        grad_norm = rng.standard_normal(x.shape).astype(dtype)
        if torch is None:
            notes.append("max_pool2d and batch_norm: PyTorch not installed, no reference")
            continue
        tx, tg = torch.from_numpy(x), torch.from_numpy(grad_pool)

        def ours_pool():
            output, ctx = F.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0), False)
            return F.max_pool2d_backward(grad_pool, ctx)

        def torch_pool():
            leaf = tx.detach().requires_grad_()
            torch.nn.functional.max_pool2d(leaf, 2, 2).backward(tg)
            return leaf.grad
        if not np.allclose(ours_pool(), torch_pool().numpy(), atol=1e-6):
            notes.append(f"max_pool2d {np.dtype(dtype).name}: gradients differ from PyTorch")
        ours, theirs, repeats = compare(ours_pool, torch_pool)
        rows.append(_row("max_pool2d 2x2 stride 2 on (64, 8, 28, 28)", "forward+backward", dtype, ours,
                         "PyTorch", theirs, repeats))

        weight, bias = rng.random(8).astype(dtype) + 0.5, rng.standard_normal(8).astype(dtype)
        running_mean, running_var = np.zeros(8, dtype), np.ones(8, dtype)
        tx, tg, tw, tb = map(torch.from_numpy, (x, grad_norm, weight, bias))
        t_mean, t_var = torch.zeros(8, dtype=tx.dtype), torch.ones(8, dtype=tx.dtype)

        def ours_norm():
            output, ctx = F.batch_norm_forward(x, running_mean, running_var, weight, bias, training=True)
            return F.batch_norm_backward(grad_norm, ctx)

        def torch_norm():
            leaf, w, b = tx.detach().requires_grad_(), tw.detach().requires_grad_(), tb.detach().requires_grad_()
            torch.nn.functional.batch_norm(leaf, t_mean, t_var, w, b, training=True).backward(tg)
            return leaf.grad
        ours_grad = ours_norm()[0]
        if not np.allclose(ours_grad, torch_norm().numpy(), atol=1e-3 if dtype == np.float32 else 1e-9):
            notes.append(f"batch_norm {np.dtype(dtype).name}: input gradient differs from PyTorch")
        ours, theirs, repeats = compare(ours_norm, torch_norm)
        rows.append(_row("batch_norm (training) on (64, 8, 28, 28)", "forward+backward", dtype, ours,
                         "PyTorch", theirs, repeats))


def _network_flops(filters, batch_size, images, classes=10):
    """Multiply-adds x 2 of one epoch of the Ex. 3.1 network: convolutions and the dense layer, forward and backward.

    The first convolution computes no image gradient (two passes instead of three); ReLU, pooling and
    the loss are not counted (they are memory-bound, a few element-wise operations per value).
    """
    first, second = filters
    conv1 = 2 * first * 1 * 9 * 28 * 28
    conv2 = 2 * second * first * 9 * 14 * 14
    dense = 2 * second * 7 * 7 * classes
    return (2 * conv1 + 3 * conv2 + 3 * dense) * images


def _cnnlab_network(filters):
    nn = cnnlab.nn
    first, second = filters
    return nn.Sequential(
        nn.Conv2d(1, first, 3, padding=1, rng=0, dtype=np.float32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(first, second, 3, padding=1, rng=1, dtype=np.float32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(second * 7 * 7, 10, rng=2, dtype=np.float32))


def _torch_network(filters):
    torch.manual_seed(0)
    tnn = torch.nn
    first, second = filters
    return tnn.Sequential(tnn.Conv2d(1, first, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                          tnn.Conv2d(first, second, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                          tnn.Flatten(), tnn.Linear(second * 7 * 7, 10))


def _torch_epoch(model, optimiser, tx, ty, batch_size, limit=None):
    """The loop every PyTorch user writes."""
    loss_fn, total = torch.nn.CrossEntropyLoss(), 0.0
    for start in range(0, len(tx) if limit is None else limit, batch_size):
        loss = loss_fn(model(tx[start:start + batch_size]), ty[start:start + batch_size])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        total += loss.item()
    return total


def _cnnlab_epoch(model, optimiser, x, y, batch_size, limit=None):
    """The loop exercise 3.1c teaches: no thread setting, no ``fit``."""
    loss_fn, total = cnnlab.nn.CrossEntropyLoss(), 0.0
    for start in range(0, len(x) if limit is None else limit, batch_size):
        loss = loss_fn(model(x[start:start + batch_size]), y[start:start + batch_size])
        optimiser.zero_grad()
        model.backward(loss_fn.backward())
        optimiser.step()
        total += float(loss)
    return total


def training_rows(rows, notes, images=8000, batch_size=64):
    """One epoch on 8,000 MNIST digits, float32, against the same epoch in PyTorch, alternating:

    - ``fit``: the Ex. 3.1 network (8 and 16 filters), SGD with momentum, through ``cnnlab.training.fit``;
    - a plain loop: the wider network (16 and 32 filters), Adam, written out as a student writes it.
    """
    if torch is None:
        notes.append("training epoch: PyTorch not installed, no reference")
        return
    from cnnlab.datasets import load_mnist
    from cnnlab.training import fit
    (x_train, y_train), _ = load_mnist(test_size=2000, dtype=np.float32)
    x_train, y_train = x_train[:images], y_train[:images]
    tx, ty = torch.from_numpy(x_train), torch.from_numpy(y_train)
    batches = math.ceil(images / batch_size)
    cases = [
        ("fit", (8, 16), "SGD momentum, cnnlab.training.fit",
         lambda params: cnnlab.optim.SGD(params, lr=0.05, momentum=0.9),
         lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9)),
        ("loop", (16, 32), "Adam, a plain training loop",
         lambda params: cnnlab.optim.Adam(params, lr=1e-3), lambda params: torch.optim.Adam(params, lr=1e-3)),
    ]
    for kind, filters, text, ours_optimiser_for, torch_optimiser_for in cases:
        ours_model, torch_model = _cnnlab_network(filters), _torch_network(filters)
        ours_optimiser = ours_optimiser_for(ours_model.parameters())
        torch_optimiser = torch_optimiser_for(torch_model.parameters())
        losses = {}
        if kind == "fit":
            def ours_epoch(limit=None):
                end = images if limit is None else limit
                history = fit(ours_model, cnnlab.nn.CrossEntropyLoss(), ours_optimiser, x_train[:end], y_train[:end],
                              batch_size=batch_size, progress=None)
                losses["cnnlab"] = history.last("loss") * batches
        else:
            def ours_epoch(limit=None):
                losses["cnnlab"] = _cnnlab_epoch(ours_model, ours_optimiser, x_train, y_train, batch_size, limit)

        def torch_epoch(limit=None):
            losses["PyTorch"] = _torch_epoch(torch_model, torch_optimiser, tx, ty, batch_size, limit)
        ours_epoch(limit=640)
        torch_epoch(limit=640)
        ours_times, torch_times = [], []
        for _ in range(3):
            ours_times.append(_once(ours_epoch))
            torch_times.append(_once(torch_epoch))
        measure = "epoch (fit)" if kind == "fit" else "epoch (plain loop)"
        rows.append(_row(f"training epoch, Ex. 3.1 network with {filters[0]} and {filters[1]} filters, {images} MNIST "
                         f"digits, batch {batch_size}, {text}", measure, np.float32, statistics.median(ours_times),
                         "PyTorch", statistics.median(torch_times), 3, _network_flops(filters, batch_size, images)))
        notes.append(f"training {measure}: mean loss of the last timed epoch: cnnlab "
                     f"{losses['cnnlab'] / batches:.3f}, PyTorch {losses['PyTorch'] / batches:.3f} (different initial "
                     f"weights; both should fall below ~0.3)")


def peak_rows(rows, notes, size=1024):
    """The machine's limit: a large square matrix product in NumPy, at the run's thread count, per dtype."""
    for dtype in DTYPES:
        a = np.random.default_rng(5).standard_normal((size, size)).astype(dtype)
        b = np.random.default_rng(6).standard_normal((size, size)).astype(dtype)
        out = np.empty_like(a)
        seconds, repeats = alone(lambda: np.matmul(a, b, out=out), budget=0.5, max_repeats=30)
        rows.append(_row(f"peak: NumPy matrix product {size}x{size} @ {size}x{size}", "peak", dtype, seconds,
                         None, None, repeats, 2 * size ** 3))


def explorer_rows(rows, notes):
    """The interactive explorer's update: slider change -> new output array on a 512x512 photo."""
    from skimage import data
    photo = data.camera().astype(np.float64) / 255
    for name in ("sharpen", "Sobel x (vertical edges)", "Gaussian blur 5x5"):
        kernel = cnnlab.kernels.KERNELS[name]

        def update():
            filtered = cnnlab.correlate2d(photo, kernel, padding="same")
            low, high = filtered.min(), filtered.max()
            return (filtered - low) / (high - low if high > low else 1.0)
        seconds, repeats = alone(update)
        rows.append(_row(f"explorer update: camera 512x512, {name}, correlate2d + rescale to [0, 1]", "update",
                         np.float64, seconds, None, None, repeats))
    import widget_redraw  # the explorers' whole redraw (notebooks 01 and 04), in its own module
    for workload, seconds, repeats in widget_redraw.measure():
        rows.append(_row(workload, widget_redraw.MEASURE, np.float64, seconds, None, None, repeats))


# ----------------------------------------------------------------------------------------------
# Peak memory, in child processes
# ----------------------------------------------------------------------------------------------

def _memory_child(library, mode, dtype_name):
    """Run one forward+backward of conv2d on C; print the peak memory increase as JSON."""
    import tracemalloc
    dtype = np.dtype(dtype_name).type
    x, weight, bias, grad, padding = _conv_inputs("C", dtype)
    # the warm-up takes two images, the fewest that run as the full batch does (two parts on two threads),
    # so that code loaded once per process (compiled loops, thread pools) is not counted as the operation's
    small = [a[:2] for a in (x, grad)]
    if library == "torch":
        torch.set_num_threads(int(os.environ.get("CNNLAB_BENCH_THREADS", "1")))
        tensors = list(map(torch.from_numpy, (x, weight, bias, grad)))
        _torch_conv_forward_backward(torch.from_numpy(small[0]), tensors[1], tensors[2], torch.from_numpy(small[1]),
                                     padding)
        run = lambda: _torch_conv_forward_backward(*tensors, padding)  # noqa: E731
    else:
        _cnnlab_conv_forward_backward(small[0], weight, bias, small[1], padding)
        run = lambda: _cnnlab_conv_forward_backward(x, weight, bias, grad, padding)  # noqa: E731
    gc.collect()
    baseline = _resident_kib()
    reset = _reset_peak()
    tracing = library != "torch"
    if tracing:
        tracemalloc.start()
    result = run()
    traced_peak = tracemalloc.get_traced_memory()[1] if tracing else None
    if tracing:
        tracemalloc.stop()
    peak = _peak_kib() if reset else None
    del result
    print(json.dumps({"rss_increase_mib": None if peak is None else (peak - baseline) / 1024,
                      "tracemalloc_peak_mib": None if traced_peak is None else traced_peak / 2**20}))


def _resident_kib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _peak_kib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _reset_peak():
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: reset the resident high-water mark
        return True
    except OSError:
        return False


def memory_rows(memory, notes, threads):
    # one path since issue 10: F.conv2d_forward / F.conv2d_backward, what the layer runs
    cases = [("cnnlab", "layer")] + ([("torch", "autograd")] if torch is not None else [])
    for dtype in DTYPES:
        results = {}
        for library, mode in cases:
            environment = dict(os.environ, CNNLAB_BENCH_THREADS=str(threads))
            command = [sys.executable, __file__, "--memory-child", library, mode, np.dtype(dtype).name]
            completed = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)
            if completed.returncode != 0:
                notes.append(f"memory {library} {mode}: child failed: {completed.stderr.strip()[-300:]}")
                continue
            results[(library, mode)] = json.loads(completed.stdout.strip().splitlines()[-1])
        for (library, mode), values in results.items():
            memory.append({"workload": "conv2d C forward+backward", "dtype": np.dtype(dtype).name,
                           "library": "PyTorch" if library == "torch" else "cnnlab", "path": mode, **values})


# ----------------------------------------------------------------------------------------------
# Reporting
# ----------------------------------------------------------------------------------------------

def _row(workload, measure, dtype, ours, reference, theirs, repeats, flops=None):
    return {"workload": workload, "measure": measure, "dtype": np.dtype(dtype).name, "cnnlab_ms": ours * 1e3,
            "reference": reference, "reference_ms": None if theirs is None else theirs * 1e3,
            "ratio": None if theirs is None else ours / theirs, "repeats": repeats,
            "gflop": None if flops is None else flops / 1e9,
            "cnnlab_gflops": None if flops is None else flops / ours / 1e9,
            "reference_gflops": None if flops is None or theirs is None else flops / theirs / 1e9}


def geometric_mean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def targets(rows, memory):
    """Issue 15's targets (issue 7's where it set none), each with the measured value and whether it holds."""
    import widget_redraw  # the explorers' whole redraw, < 0.5 s (notebooks 01 and 04 print it)
    checks = _layer_checks(rows) + _workflow_checks(rows) + widget_redraw.targets(rows) + _memory_checks(memory)
    return [{"target": t, "goal": g, "measured": m, "holds": bool(h)} for t, g, m, h in checks]


def _layer_checks(rows):
    """conv2d against PyTorch, float32 against float64, max_pool2d and batch_norm against PyTorch."""
    checks = []
    conv = [r["ratio"] for r in rows if r["workload"].startswith("conv2d ") and r["measure"] == "forward+backward"
            and r["reference"] == "PyTorch" and r["workload"][7] in "ABC"]
    if conv:
        mean = geometric_mean(conv)
        checks.append(("conv2d forward+backward, geometric mean over A, B, C x both dtypes", "<= 1.0x PyTorch",
                       f"{mean:.2f}x", mean <= 1.0))
        checks.append(("conv2d forward+backward, worst single case", "<= 1.5x PyTorch", f"{max(conv):.2f}x",
                       max(conv) <= 1.5))
    if FLOAT32_ERRORS:
        worst = max(FLOAT32_ERRORS.values())
        checks.append(("float32 agrees with float64 (conv2d A, B, C output and gradients, max error / max value)",
                       "float32 precision (< 1e-5)", f"{worst:.1e}", worst < 1e-5))
    pool = [r["ratio"] for r in rows if r["workload"].startswith("max_pool2d") and r["ratio"]]
    if pool:
        checks.append(("max_pool2d 2x2 forward+backward (worst dtype)", "<= 0.8x PyTorch", f"{max(pool):.2f}x",
                       max(pool) <= 0.8))
    norm = [r["ratio"] for r in rows if r["workload"].startswith("batch_norm")]
    if norm:
        checks.append(("batch_norm forward+backward (worst dtype)", "<= 1.5x PyTorch", f"{max(norm):.2f}x",
                       max(norm) <= 1.5))
    return checks


def _workflow_checks(rows):
    """A training epoch against PyTorch, one 512x512 image against SciPy, the explorer's update time."""
    checks = []
    for measure, goal in (("epoch (fit)", 1.0), ("epoch (plain loop)", 1.1)):
        epoch = [r for r in rows if r["measure"] == measure]
        if epoch:
            checks.append((f"training {measure}, float32", f"<= {goal:.1f}x PyTorch", f"{epoch[0]['ratio']:.2f}x",
                           epoch[0]["ratio"] <= goal))
    single = [r["ratio"] for r in rows
              if r["workload"].startswith("D correlate2d") and r["reference"] == "scipy.ndimage.correlate"]
    if single:
        checks.append(("D single 512x512 image (worst dtype)", "faster than scipy.ndimage.correlate (< 1.0x)",
                       f"{max(single):.2f}x", max(single) < 1.0))
    explorer = [r["cnnlab_ms"] for r in rows if r["measure"] == "update"]
    if explorer:
        checks.append(("explorer update, 512x512 photo (slowest kernel)", "< 30 ms", f"{max(explorer):.1f} ms",
                       max(explorer) < 30))
    return checks


def _memory_checks(memory):
    """cnnlab's peak-memory increase against PyTorch's autograd, per dtype, where both children measured it."""
    checks = []
    for dtype in ("float32", "float64"):
        by = {(m["library"], m["path"]): m for m in memory if m["dtype"] == dtype}
        reference = by.get(("PyTorch", "autograd"))
        for path in ("layer",):
            ours = by.get(("cnnlab", path))
            both_measured = ours and reference and None not in (ours["rss_increase_mib"], reference["rss_increase_mib"])
            if both_measured:
                measured = f"{ours['rss_increase_mib']:.1f} MiB vs {reference['rss_increase_mib']:.1f} MiB"
                checks.append((f"peak memory conv2d C forward+backward, {dtype}, cnnlab {path} path",
                               "<= PyTorch's increase", measured,
                               ours["rss_increase_mib"] <= reference["rss_increase_mib"]))
    return checks


def environment(threads):
    blas = [{k: info.get(k) for k in ("user_api", "internal_api", "version", "num_threads", "architecture", "filepath")}
            for info in threadpool_info()]
    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": None if torch is None else torch.__version__,
        "cpu_count": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "threads": threads,
        "blas": blas,
        "load_average_at_start": list(os.getloadavg()),
    }


def _ms(value):
    return "" if value is None else (f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}")


def _ratio(value):
    # Three significant digits keep the loop versions' tiny ratios readable (0.00331x, not 0.00x).
    return "" if value is None else (f"{value:.2f}x" if value >= 0.1 else f"{value:.3g}x")


def markdown(report):
    env = report["environment"]
    numpy_blas = [b for b in env["blas"] if b["user_api"] == "blas" and "numpy" in (b["filepath"] or "")]
    blas = ", ".join(f"{b['internal_api']} {b['version']} ({b['num_threads']} threads, {b['architecture']})"
                     for b in numpy_blas or [b for b in env["blas"] if b["user_api"] == "blas"]) \
        or "unknown"
    lines = [
        "# cnnlab benchmarks: latest run",
        "",
        f"{env['date_utc']} UTC; Python {env['python']}, NumPy {env['numpy']} with {blas}; "
        f"PyTorch {env['torch'] or 'not installed'} with {env['threads']} threads; {env['cpu_count']} CPUs; "
        f"load average {env['load_average_at_start'][0]:.2f} at the start, "
        f"{report['load_average_at_end'][0]:.2f} at the end.",
        "",
        "Ratio = cnnlab median / reference median, timed in alternating blocks in one process (below 1: cnnlab is "
        "faster).",
        "",
        "## Targets (issue 15)",
        "",
        "| target | goal | measured | holds |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {t['target']} | {t['goal']} | {t['measured']} | {'yes' if t['holds'] else '**no**'} |"
              for t in report["targets"]]
    lines += ["", "## Times", "", "| workload | measure | dtype | cnnlab ms | reference | reference ms | ratio |",
              "| --- | --- | --- | ---: | --- | ---: | ---: |"]
    for r in report["rows"]:
        ratio = _ratio(r["ratio"])
        lines.append(f"| {r['workload']} | {r['measure']} | {r['dtype']} | {_ms(r['cnnlab_ms'])} | "
                     f"{r['reference'] or ''} | {_ms(r['reference_ms'])} | {ratio} |")
    lines += gflops_lines(report["rows"])
    if report["memory"]:
        lines += ["", "## Peak memory, conv2d C forward+backward", "",
                  "Increase of the process's resident high-water mark during one forward+backward (fresh child process "
                  "per case, inputs already allocated); tracemalloc's peak for NumPy allocations in brackets. "
                  "'layer' is `F.conv2d_forward` then `F.conv2d_backward` (what `nn.Conv2d` runs): it keeps the "
                  "im2col matrices up to 16 MiB and above that rebuilds them chunk by chunk.", "",
                  "| dtype | library | path | peak increase MiB | tracemalloc peak MiB |",
                  "| --- | --- | --- | ---: | ---: |"]
        for m in report["memory"]:
            traced = "" if m["tracemalloc_peak_mib"] is None else f"{m['tracemalloc_peak_mib']:.1f}"
            rss = "" if m["rss_increase_mib"] is None else f"{m['rss_increase_mib']:.1f}"
            lines.append(f"| {m['dtype']} | {m['library']} | {m['path']} | {rss} | {traced} |")
    if report["notes"]:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in report["notes"]]
    return "\n".join(lines) + "\n"


def gflops_lines(rows):
    """Achieved GFLOP/s of every row that counts its floating-point work, against the matrix-product peak."""
    peak = {r["dtype"]: r["cnnlab_gflops"] for r in rows if r["measure"] == "peak"}
    counted = [r for r in rows if r.get("gflop") and r["measure"] != "peak"]
    if not counted:
        return []
    lines = ["", "## Achieved GFLOP/s against the machine's limit", "",
             "Peak = NumPy's float32 / float64 matrix product (1024 x 1024) in this run, at its thread count: "
             + ", ".join(f"{d} {v:.0f} GFLOP/s" for d, v in peak.items()) + ". Counted: the multiply-adds of the "
             "convolutions and dense layers (x2), not the element-wise work.", "",
             "| workload | measure | dtype | GFLOP | cnnlab GFLOP/s | % of peak | PyTorch GFLOP/s | % of peak |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in counted:
        limit = peak.get(r["dtype"])
        share = lambda v: "" if v is None or not limit else f"{100 * v / limit:.0f}%"  # noqa: E731
        theirs = "" if r["reference_gflops"] is None else f"{r['reference_gflops']:.1f}"
        lines.append(f"| {r['workload']} | {r['measure']} | {r['dtype']} | {r['gflop']:.3g} | "
                     f"{r['cnnlab_gflops']:.1f} | {share(r['cnnlab_gflops'])} | {theirs} | "
                     f"{share(r['reference_gflops'])} |")
    return lines


def print_table(report):
    print(f"\n{'workload':<78} {'measure':<17} {'dtype':<8} {'cnnlab ms':>10} "
          f"{'reference':<28} {'ref ms':>9} {'ratio':>7}")
    for r in report["rows"]:
        ratio = _ratio(r["ratio"])
        print(f"{r['workload'][:78]:<78} {r['measure']:<17} {r['dtype']:<8} {_ms(r['cnnlab_ms']):>10} "
              f"{(r['reference'] or '')[:28]:<28} {_ms(r['reference_ms']):>9} {ratio:>7}")
    print("\nTargets:")
    for t in report["targets"]:
        print(f"  [{'ok' if t['holds'] else 'MISS'}] {t['target']}: {t['measured']} (goal {t['goal']})")
    for m in report["memory"]:
        print(f"  memory {m['dtype']} {m['library']} {m['path']}: {m['rss_increase_mib']} MiB "
              f"(tracemalloc {m['tracemalloc_peak_mib']})")
    for n in report["notes"]:
        print(f"  note: {n}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-child", nargs=3, metavar=("LIBRARY", "MODE", "DTYPE"), help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", default=None,
                        help="run only these groups: peak conv single naive pool train explorer memory")
    parser.add_argument("--output", default=str(RESULTS), help="folder for latest.json and latest.md")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for both NumPy's BLAS and PyTorch (default: what NumPy's BLAS uses)")
    args = parser.parse_args(argv)
    if args.memory_child:
        _memory_child(*args.memory_child)
        return
    blas_threads = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    threads = blas_threads[0] if blas_threads else 1
    if args.threads is not None:
        threads = args.threads
        _limits.append(threadpool_limits(limits=threads, user_api="blas"))
        from cnnlab.functional.fast import parallel
        parallel.THREADS = min(parallel.THREADS, threads)  # the layers' own split of the batch, too
    if torch is not None:
        torch.set_num_threads(threads)
    warnings.filterwarnings("ignore", message="Using padding='same'")
    rows, notes, memory = [], [], []
    notes.append("Timings share the machine with whatever else runs: other processes' load makes them noisy "
                 "(see the load averages); the alternating blocks keep each ratio fair within its pair.")
    load = os.getloadavg()[0]
    if load > 0.5 * (os.cpu_count() or 1):
        notes.append(f"The machine was busy at the start (load average {load:.1f} on {os.cpu_count()} CPUs): "
                     "multi-threaded BLAS and PyTorch both slow down badly when their threads wait for busy cores, "
                     "so these ratios are less reliable than on an idle machine; compare with --threads 1.")
    if torch is None:
        notes.append("PyTorch is not installed: the PyTorch comparisons are skipped (make bench installs it).")
    groups = {"peak": peak_rows, "conv": conv_rows, "single": single_image_rows, "naive": naive_rows,
              "pool": pooling_and_batch_norm_rows, "train": training_rows, "explorer": explorer_rows}
    started = time.perf_counter()
    for name, function in groups.items():
        if args.only is None or name in args.only:
            print(f"running {name} ...", flush=True)
            try:
                function(rows, notes)
            except Exception as error:  # one broken workload must not hide the others
                notes.append(f"{name}: failed with {type(error).__name__}: {error}")
    if args.only is None or "memory" in args.only:
        print("running memory ...", flush=True)
        memory_rows(memory, notes, threads)
    report = {"environment": environment(threads), "rows": rows, "memory": memory, "notes": notes,
              "load_average_at_end": list(os.getloadavg()), "seconds": time.perf_counter() - started}
    report["targets"] = targets(rows, memory)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "latest.json").write_text(json.dumps(report, indent=1) + "\n")
    (output / "latest.md").write_text(markdown(report))
    print_table(report)
    print(f"\n{report['seconds']:.0f} s; wrote {output / 'latest.json'} and {output / 'latest.md'}")


if __name__ == "__main__":
    main()
