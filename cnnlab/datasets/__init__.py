"""Data sets of the course, all offline: MNIST digits shipped in ``data/`` and synthetic shapes."""
from .mnist import load_mnist  # noqa: F401
from .shapes import make_shapes  # noqa: F401
