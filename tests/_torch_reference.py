"""PyTorch as the reference for the functional tests, where it is installed."""
import pytest


def import_torch():
    """Import PyTorch or skip the test; one thread, since the tests' tensors are tiny.

    With its default thread pool, each small call cost ~17 ms instead of ~0.2 ms on two busy shared cores.
    """
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch
