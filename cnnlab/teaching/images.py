"""Sample photographs for the notebooks, as grayscale (or colour) float arrays in [0, 1].

Only images that ship inside scikit-image are used, so everything works offline. Loading and
converting a photo takes a few tens of milliseconds, so each is cached: moving a widget that picks
an image must feel instant.
"""
import functools

import numpy as np

#: Photographs that ship inside scikit-image (no download), by the name ``skimage.data`` gives them.
SAMPLE_IMAGES = ("camera", "astronaut", "chelsea", "coffee", "coins", "moon", "rocket", "brick", "grass")

__all__ = ["SAMPLE_IMAGES", "load_image", "load_color_image"]


def _check_name(name):
    if name not in SAMPLE_IMAGES:
        listed = ", ".join(repr(n) for n in SAMPLE_IMAGES)
        raise ValueError(f"name must be one of {listed}, got {name!r}")


def _check_size(size):
    if size is None:
        return None
    if isinstance(size, int):
        size = (size, size)
    if (len(size) != 2 or not all(isinstance(s, (int, np.integer)) for s in size) or min(size) < 1):
        raise ValueError(f"size must be None, a positive int or a (height, width) pair, got {size!r}")
    return (int(size[0]), int(size[1]))


@functools.lru_cache(maxsize=None)
def _load(name, size, color):
    from skimage import color as skcolor, data, transform, util

    photo = getattr(data, name)()
    if color:
        photo = skcolor.gray2rgb(photo) if photo.ndim == 2 else photo[..., :3]
    elif photo.ndim == 3:
        photo = skcolor.rgb2gray(photo[..., :3])
    photo = util.img_as_float64(photo)
    if size is not None:
        # anti_aliasing averages before shrinking, so a 32x32 astronaut is still recognisable
        photo = transform.resize(photo, size + photo.shape[2:], anti_aliasing=True)
    photo = np.clip(photo, 0.0, 1.0)
    photo.flags.writeable = False
    return photo


def load_image(name="camera", size=None):
    """A scikit-image sample photograph in grayscale.

    Parameters
    ----------
    name : str
        One of :data:`SAMPLE_IMAGES`.
    size : int or (int, int), optional
        Resize to this (height, width); an int means a square.

    Returns
    -------
    image : ndarray, shape (H, W), float64 in [0, 1]
        A fresh copy, so changing it never changes the cache.
    """
    _check_name(name)
    return _load(name, _check_size(size), False).copy()


def load_color_image(name="astronaut", size=None):
    """A scikit-image sample photograph in colour, channels last as image files store them.

    Returns
    -------
    image : ndarray, shape (H, W, 3), float64 in [0, 1]
        Grayscale photos are repeated into three equal channels.
    """
    _check_name(name)
    return _load(name, _check_size(size), True).copy()
