"""SGD and Adam follow torch.optim's update rules, step for step."""
import numpy as np
import pytest

import cnnlab.nn as nn
from cnnlab import optim


def quadratic_grad(w):
    return 2 * (w - 1.0)  # gradient of sum((w - 1)^2)


def run(optimizer_class, steps, **options):
    p = nn.Parameter(np.array([3.0, -2.0, 0.5]))
    opt = optimizer_class([p], **options)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        p.accumulate_grad(quadratic_grad(p.data))
        opt.step()
        trajectory.append(p.data.copy())
    return np.array(trajectory)


def test_sgd_first_step_by_hand():
    # w = 3, g = 2 (3 - 1) = 4, lr 0.1: 3 - 0.4 = 2.6
    assert run(optim.SGD, 1, lr=0.1)[0, 0] == pytest.approx(2.6)


def test_sgd_momentum_by_hand():
    # step 1: v = g = 4, w = 3 - 0.1 * 4 = 2.6; step 2: g = 3.2, v = 0.9 * 4 + 3.2 = 6.8, w = 2.6 - 0.68 = 1.92
    np.testing.assert_allclose(run(optim.SGD, 2, lr=0.1, momentum=0.9)[:, 0], [2.6, 1.92])


def test_adam_first_step_is_about_lr():
    # bias correction makes the first step exactly lr * g / (|g| + eps') in every coordinate
    first = run(optim.Adam, 1, lr=0.01)[0]
    np.testing.assert_allclose(first, [3.0 - 0.01, -2.0 + 0.01, 0.5 + 0.01], rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("name, options", [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("Adam", dict(lr=1e-3)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
])
def test_updates_match_torch_over_several_steps(name, options):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    start = rng.normal(size=(3, 4))
    targets = rng.normal(size=(6, 3, 4))
    ours = nn.Parameter(start.copy())
    theirs = torch.tensor(start.copy(), requires_grad=True)
    opt = getattr(optim, name)([ours], **options)
    topt = getattr(torch.optim, name)([theirs], **options)
    for target in targets:  # a different loss each step, so momentum and moments matter
        opt.zero_grad()
        ours.accumulate_grad(2 * (ours.data - target) * np.abs(target))
        opt.step()
        topt.zero_grad()
        ((theirs - torch.from_numpy(target)) ** 2 * torch.from_numpy(np.abs(target))).sum().backward()
        topt.step()
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_float32_parameters_stay_float32():
    p = nn.Parameter(np.ones(3, dtype=np.float32))
    for opt in (optim.SGD([p], lr=0.1, momentum=0.9), optim.Adam([p])):
        p.accumulate_grad(np.ones(3, dtype=np.float32))
        opt.step()
        assert p.dtype == np.float32


def test_zero_grad_and_parameters_without_gradient():
    net = nn.Linear(2, 1, rng=0)
    opt = optim.SGD(net.parameters(), lr=1.0)
    before = net.weight.data.copy()
    opt.step()  # no gradients yet: nothing moves
    np.testing.assert_array_equal(net.weight.data, before)
    net(np.ones((1, 2)))
    net.backward(np.ones((1, 1)))
    opt.zero_grad()
    assert net.weight.grad is None


def test_bad_arguments_are_explained():
    p = nn.Parameter(np.ones(2))
    with pytest.raises(TypeError, match="model.parameters()"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        optim.Adam([])
    with pytest.raises(ValueError, match="lr"):
        optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam([p], betas=(0.9, 1.0))
