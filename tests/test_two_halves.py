"""Sequential on two cores (nn/two_halves.py): each half of a batch through the whole network on its own
thread gives the numbers of the whole batch at once, and the network falls back where it cannot split."""
import contextlib

import numpy as np
import pytest

import cnnlab
from cnnlab import nn
from cnnlab.functional.fast import parallel

TOLERANCE = dict(rtol=1e-10, atol=1e-12)


@contextlib.contextmanager
def threads(count):
    """``count`` threads for cnnlab's layers (the test run sets CNNLAB_THREADS=1)."""
    saved, parallel.THREADS = parallel.THREADS, count
    try:
        yield
    finally:
        parallel.THREADS = saved


def network(*extra):
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2), *extra,
                         nn.Conv2d(4, 6, 3, padding=1, rng=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(6 * 14 * 14, 10, rng=2))


def images(batch=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, 1, 28, 28)), rng.integers(0, 10, batch)


def step(model, x, y, count, needs_input_grad=False):
    """One forward and backward; returns the output, the input gradient and every parameter's gradient."""
    loss_fn = nn.CrossEntropyLoss()
    model.zero_grad()
    model.needs_input_grad = needs_input_grad
    with threads(count):
        output = model(x)
        loss_fn(output, y)
        grad_input = model.backward(loss_fn.backward())
    return output, grad_input, [p.grad.copy() for p in model.parameters()]


@pytest.mark.parametrize("needs_input_grad", [False, True])
def test_two_halves_give_the_numbers_of_one_batch(needs_input_grad):
    model, (x, y) = network(), images()
    one = step(model, x, y, count=1, needs_input_grad=needs_input_grad)
    assert model._halves is None
    two = step(model, x, y, count=2, needs_input_grad=needs_input_grad)
    assert model._halves is not None  # the split was taken
    np.testing.assert_allclose(two[0], one[0], **TOLERANCE)
    if needs_input_grad:
        assert two[1].shape == x.shape
        np.testing.assert_allclose(two[1], one[1], **TOLERANCE)
    else:
        assert one[1] is None and two[1] is None
    assert len(two[2]) == 6
    for split, whole in zip(two[2], one[2]):
        np.testing.assert_allclose(split, whole, **TOLERANCE)


def test_gradients_accumulate_over_two_backward_passes_as_without_the_split():
    model, (x, y) = network(), images()
    single = step(model, x, y, count=2)[2]
    loss_fn = nn.CrossEntropyLoss()
    model.zero_grad()
    with threads(2):
        loss_fn(model(x), y)
        grad = loss_fn.backward()
        model.backward(grad)
        model.backward(grad)
    for p, once in zip(model.parameters(), single):
        np.testing.assert_allclose(p.grad, 2 * once, **TOLERANCE)


class Scale(nn.Module):
    """A layer of one's own: the network cannot know what it keeps, so it is not split."""

    def forward(self, x):
        return 2 * x

    def backward(self, grad_output):
        return 2 * grad_output


@pytest.mark.parametrize("extra, batch", [((), 15), ((nn.BatchNorm2d(4),), 32), ((nn.Dropout(0.0),), 32),
                                          ((Scale(),), 32)])
def test_small_batches_and_other_layers_stay_whole(extra, batch):
    model, (x, y) = network(*extra), images(batch)
    step(model, x, y, count=2)
    assert model._halves is None


def test_training_with_an_optimiser_that_replaces_the_arrays_equals_training_without_the_split():
    """Replicas are made at every forward pass, so weights replaced by a student's optimiser are seen."""
    def train(count):
        model, (x, y) = network(), images()
        for _ in range(3):
            for p, grad in zip(model.parameters(), step(model, x, y, count)[2]):
                p.data = p.data - 0.1 * grad  # a new array, as a student's own SGD may write it
        return model(x)
    with threads(1):
        whole = train(1)
        split = train(2)
    np.testing.assert_allclose(split, whole, rtol=1e-9, atol=1e-12)


def test_fit_on_two_halves_trains_as_on_one_thread():
    from cnnlab.training import fit
    x, y = images(64)

    def history(count):
        model = network()
        optimiser = cnnlab.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        with threads(count):
            return fit(model, nn.CrossEntropyLoss(), optimiser, x, y, epochs=3, batch_size=32, progress=None)
    np.testing.assert_allclose(history(2).last("loss"), history(1).last("loss"), rtol=1e-9)


def test_a_wrong_gradient_shape_is_explained():
    model, (x, _) = network(), images()
    with threads(2):
        model(x)
        with pytest.raises(ValueError, match=r"grad_output must have the shape of the network's output \(32, 10\)"):
            model.backward(np.ones((16, 10)))


def test_an_error_in_either_half_reaches_the_caller_and_the_next_batch_runs():
    model, (x, y) = network(), images()
    bad = x.copy()
    bad[-1, 0, 0, 0] = np.nan  # in the half that runs on the worker thread
    with threads(2), pytest.raises(ValueError, match="NaN"):
        model(bad)
    output = step(model, x, y, count=2)[0]
    assert output.shape == (32, 10) and model._halves is not None
