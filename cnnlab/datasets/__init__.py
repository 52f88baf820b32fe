from .shapes import make_shapes  # noqa: F401
