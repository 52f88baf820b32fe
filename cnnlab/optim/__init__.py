"""Optimizers with the names and update rules of ``torch.optim``.

Each takes ``model.parameters()`` and a learning rate; ``zero_grad()`` forgets the old gradients and
``step()`` moves every parameter against its gradient.
"""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam

__all__ = ["Optimizer", "SGD", "Adam"]
