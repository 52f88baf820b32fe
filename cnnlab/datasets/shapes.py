"""Synthetic shapes: one seeded data set for classification, segmentation and detection.

Every image is black with a few bright shapes (circles, squares, triangles, crosses) at random
positions, sizes, rotations and brightness, plus Gaussian noise. Because we draw the shapes
ourselves, we know the exact answer for each of the lecture's three image problem types:

- **classification**: which shape is in the image (``labels``);
- **semantic segmentation**: which shape covers each pixel (``masks``);
- **object detection**: a box around every shape (``boxes``).

Drawing is vectorised: for every shape we compute, for all pixels of all images at once, the
pixel's coordinates in the shape's own rotated frame, and a few inequalities decide whether the
pixel is inside. Thousands of images take well under a second.
"""
import numbers
from dataclasses import dataclass

import numpy as np

from .._validate import choice, positive_int

__all__ = ["make_shapes", "Shapes", "SHAPE_NAMES"]

#: The shapes :func:`make_shapes` can draw, in their default class order.
SHAPE_NAMES = ("circle", "square", "triangle", "cross")

# How many random spots to try for a shape before accepting one that overlaps an earlier shape.
_PLACEMENT_TRIES = 30
# Shapes count as overlapping when their centers are closer than this fraction of their radii's sum.
_MIN_SEPARATION = 0.9
# Half-width of a cross's arms, as a fraction of its circumradius.
_CROSS_ARM = 0.3


@dataclass(frozen=True)
class Shapes:
    """A batch of shape images with the answers for all three problem types.

    Attributes
    ----------
    images : ndarray, shape (N, 1, size, size)
        Grey-level images: background 0, each shape at its own brightness, plus noise.
    masks : ndarray of int64, shape (N, size, size)
        Semantic segmentation target: 0 for background, ``k + 1`` where shape class ``k`` is visible.
    instances : ndarray of int64, shape (N, size, size)
        0 for background, ``j + 1`` where object ``j`` of that image is visible.
    labels : ndarray of int64, shape (N, max_objects)
        Class of each object, ``-1`` after the last object of an image. With one object per image,
        ``labels[:, 0]`` is the classification target.
    boxes : ndarray of int64, shape (N, max_objects, 4)
        ``(x0, y0, x1, y1)`` of each object in pixel edges: the object's visible pixels are exactly
        columns ``x0 .. x1 - 1`` and rows ``y0 .. y1 - 1`` at their tightest, so the box is
        ``x1 - x0`` pixels wide. ``-1`` after the last object of an image.
    counts : ndarray of int64, shape (N,)
        Number of objects in each image.
    class_names : tuple of str
        Name of each class: ``class_names[k]`` is shape class ``k`` (mask value ``k + 1``).
    """

    images: np.ndarray
    masks: np.ndarray
    instances: np.ndarray
    labels: np.ndarray
    boxes: np.ndarray
    counts: np.ndarray
    class_names: tuple

    @property
    def num_classes(self):
        """Number of shape classes (without the background)."""
        return len(self.class_names)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        """A sub-batch: ``data[:1000]`` or ``data[[3, 7]]`` keeps every array in step.

        An integer gives a sub-batch of one image; past the end it raises IndexError, as a list does
        (so that ``list(data)`` and ``for sample in data`` stop).
        """
        if isinstance(index, numbers.Integral):
            if not -len(self) <= index < len(self):
                raise IndexError(f"index {index} is out of range for {len(self)} images")
            index = slice(index, index + 1 if index != -1 else None)
        return Shapes(self.images[index], self.masks[index], self.instances[index], self.labels[index],
                      self.boxes[index], self.counts[index], self.class_names)

    def objects(self, i):
        """The objects of image ``i``: ``labels`` of shape (count,) and ``boxes`` of shape (count, 4)."""
        count = int(self.counts[i])
        return self.labels[i, :count], self.boxes[i, :count]


def make_shapes(n, size=32, shapes=SHAPE_NAMES, min_objects=1, max_objects=1, scale=(0.2, 0.4),
                rotation=(0.0, 360.0), brightness=(0.5, 1.0), noise=0.05, seed=0, dtype=np.float32):
    """Draw ``n`` images of random shapes, with class labels, masks and bounding boxes.

    Parameters
    ----------
    n : int
        Number of images.
    size : int
        Height and width of each image in pixels (at least 8).
    shapes : tuple of str
        Which shapes to draw, from ``'circle'``, ``'square'``, ``'triangle'``, ``'cross'``. Their
        order gives the class numbers: ``shapes[k]`` is class ``k``.
    min_objects, max_objects : int
        Each image holds a uniformly random number of shapes in this range. A spot that does not
        overlap earlier shapes is looked for first; in a crowded image shapes may overlap, the later
        one drawn on top, and a shape left with no visible pixel is dropped.
    scale : tuple of two floats
        Range of the shapes' radius (center to farthest corner) as a fraction of ``size``, at most
        0.5 so that every shape lies wholly inside the image.
    rotation : tuple of two floats
        Range of the rotation angle in degrees, counter-clockwise on screen. At 0 a square's sides
        are horizontal and vertical and a triangle points up.
    brightness : tuple of two floats
        Range of a shape's grey level; the background is 0, so the lower bound must be positive.
    noise : float
        Standard deviation of the Gaussian noise added to every pixel (0 for clean images).
    seed : int
        Seed of the random generator: the same seed gives the same images.
    dtype : numpy float dtype
        ``np.float32`` (default, what training wants) or ``np.float64``.

    Returns
    -------
    Shapes
        ``images`` (N, 1, size, size), ``masks`` and ``instances`` (N, size, size), ``labels``
        (N, max_objects), ``boxes`` (N, max_objects, 4), ``counts`` (N,) and ``class_names``.

    Examples
    --------
    >>> data = make_shapes(1000, size=24, seed=0)
    >>> data.images.shape, data.labels[:, 0].shape
    ((1000, 1, 24, 24), (1000,))
    """
    n = positive_int(n, "n", minimum=1)
    size = positive_int(size, "size", minimum=8)
    shapes = _shape_names(shapes)
    min_objects = positive_int(min_objects, "min_objects", minimum=1)
    max_objects = positive_int(max_objects, "max_objects", minimum=1)
    if min_objects > max_objects:
        raise ValueError(f"min_objects ({min_objects}) must not exceed max_objects ({max_objects})")
    scale = _range(scale, "scale", low=0.0, high=0.5)
    if scale[0] * size < 2:
        raise ValueError(f"scale {scale} gives shapes of radius {scale[0] * size:.1f} px in a {size} px image; "
                         f"the smallest radius must be at least 2 px (raise scale or size)")
    rotation = _range(rotation, "rotation")
    brightness = _range(brightness, "brightness", low=0.0)
    if not isinstance(noise, numbers.Real) or isinstance(noise, bool) or not 0 <= noise < np.inf:
        raise ValueError(f"noise must be a non-negative number (the noise's standard deviation), got {noise!r}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {seed!r}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}")

    rng = np.random.default_rng(seed)
    counts = rng.integers(min_objects, max_objects + 1, size=n)
    present = np.arange(max_objects) < counts[:, None]                      # (n, K)
    kinds = rng.integers(0, len(shapes), size=(n, max_objects))
    radii = rng.uniform(scale[0], scale[1], size=(n, max_objects)) * size
    angles = np.deg2rad(rng.uniform(rotation[0], rotation[1], size=(n, max_objects)))
    levels = rng.uniform(brightness[0], brightness[1], size=(n, max_objects))
    centers = _place(rng, radii, present, size)                             # (n, K, 2) as (x, y)

    instances = _paint(shapes, kinds, radii, angles, centers, present, size)
    visible = instances[:, None, :, :] == np.arange(1, max_objects + 1)[None, :, None, None]
    present &= visible.any(axis=(2, 3))  # a shape hidden under later ones is no object any more
    boxes = _tight_boxes(visible)

    # Renumber the objects that are left 0, 1, 2, ... in drawing order, so each image's objects come first.
    order = np.argsort(~present, axis=1, kind="stable")
    present = np.take_along_axis(present, order, axis=1)
    counts = present.sum(axis=1)
    renumber = np.zeros((n, max_objects + 1), dtype=np.int64)
    rows = np.arange(n)[:, None]
    renumber[rows, order + 1] = np.where(present, np.arange(1, max_objects + 1), 0)
    instances = np.take_along_axis(renumber, instances.reshape(n, -1), axis=1).reshape(n, size, size)

    labels = np.where(present, np.take_along_axis(kinds, order, axis=1), -1)
    boxes = np.where(present[..., None], np.take_along_axis(boxes, order[..., None], axis=1), -1)
    levels = np.take_along_axis(levels, order, axis=1)

    # Look up each pixel's class and brightness through its object number (index 0 is the background).
    class_of = np.concatenate([np.zeros((n, 1), np.int64), labels + 1], axis=1)
    level_of = np.concatenate([np.zeros((n, 1)), np.where(present, levels, 0.0)], axis=1)
    flat = instances.reshape(n, -1)
    masks = np.take_along_axis(class_of, flat, axis=1).reshape(n, size, size)
    images = np.take_along_axis(level_of, flat, axis=1).reshape(n, 1, size, size)
    if noise > 0:
        images = images + rng.normal(0.0, noise, size=images.shape)
    return Shapes(images.astype(dtype), masks, instances, labels.astype(np.int64), boxes.astype(np.int64),
                  counts.astype(np.int64), tuple(shapes))


# --- drawing -------------------------------------------------------------------------------------

def _inside_circle(u, v):
    return u * u + v * v <= 1.0


def _inside_square(u, v):
    half_side = np.sqrt(0.5)  # corners on the unit circle
    return (np.abs(u) <= half_side) & (np.abs(v) <= half_side)


def _inside_triangle(u, v):
    # Equilateral, corners on the unit circle, apex up (v grows downwards on screen): each side is
    # the line at distance 1/2 (the inradius) from the center along its outward normal.
    sin60 = np.sqrt(3) / 2
    return (v <= 0.5) & (-sin60 * u - 0.5 * v <= 0.5) & (sin60 * u - 0.5 * v <= 0.5)


def _inside_cross(u, v):
    arm_length = np.sqrt(1.0 - _CROSS_ARM ** 2)  # the arms' outer corners on the unit circle
    horizontal = (np.abs(u) <= arm_length) & (np.abs(v) <= _CROSS_ARM)
    vertical = (np.abs(v) <= arm_length) & (np.abs(u) <= _CROSS_ARM)
    return horizontal | vertical


_INSIDE = {"circle": _inside_circle, "square": _inside_square,
           "triangle": _inside_triangle, "cross": _inside_cross}


def _place(rng, radii, present, size):
    """Centers ``(n, K, 2)`` keeping each shape inside the image and, if it can, away from earlier ones."""
    n, k = radii.shape
    centers = np.zeros((n, k, 2))
    for j in range(k):
        # Draw every try for every image at once; keep each image's first try that overlaps nothing.
        low, high = radii[:, j, None, None], size - radii[:, j, None, None]
        tries = low + rng.random((n, _PLACEMENT_TRIES, 2)) * (high - low)          # (n, T, 2)
        gaps = np.linalg.norm(tries[:, :, None, :] - centers[:, None, :j, :], axis=-1)  # (n, T, j)
        needed = _MIN_SEPARATION * (radii[:, None, j, None] + radii[:, None, :j])
        free = ((gaps >= needed) | ~present[:, None, :j]).all(axis=2)               # (n, T)
        first_free = np.argmax(free, axis=1)  # 0 when no try is free: accept an overlap
        centers[:, j] = tries[np.arange(n), first_free]
    return centers


def _paint(shapes, kinds, radii, angles, centers, present, size):
    """Object number (1, 2, ...; 0 = background) of every pixel, later objects on top: (n, size, size)."""
    n, k = kinds.shape
    instances = np.zeros((n, size, size), dtype=np.int64)
    pixel = np.arange(size) + 0.5  # pixel centers
    for j in range(k):
        for kind, name in enumerate(shapes):
            which = np.flatnonzero(present[:, j] & (kinds[:, j] == kind))
            if which.size == 0:
                continue
            # Each pixel's position in the shape's frame: shift to its center, undo its rotation,
            # divide by its radius, so one inequality on (u, v) draws the shape for every image at once.
            dx = (pixel[None, None, :] - centers[which, j, 0, None, None]) / radii[which, j, None, None]
            dy = (pixel[None, :, None] - centers[which, j, 1, None, None]) / radii[which, j, None, None]
            cos, sin = np.cos(angles[which, j])[:, None, None], np.sin(angles[which, j])[:, None, None]
            u, v = cos * dx - sin * dy, sin * dx + cos * dy
            inside = _INSIDE[name](u, v)
            instances[which] = np.where(inside, j + 1, instances[which])
    return instances


def _tight_boxes(visible):
    """``(x0, y0, x1, y1)`` around the True pixels of each ``visible`` (n, K, H, W) map: (n, K, 4)."""
    rows, cols = visible.any(axis=3), visible.any(axis=2)   # (n, K, H), (n, K, W)
    y0, x0 = rows.argmax(axis=2), cols.argmax(axis=2)
    y1 = rows.shape[2] - rows[:, :, ::-1].argmax(axis=2)
    x1 = cols.shape[2] - cols[:, :, ::-1].argmax(axis=2)
    return np.stack([x0, y0, x1, y1], axis=-1)


# --- argument checks -----------------------------------------------------------------------------

def _shape_names(shapes):
    if isinstance(shapes, str):
        shapes = (shapes,)
    try:
        shapes = tuple(shapes)
    except TypeError:
        raise TypeError(f"shapes must be a tuple of shape names, got {shapes!r}") from None
    if not shapes:
        raise ValueError("shapes must name at least one shape")
    for name in shapes:
        choice(name, "each of shapes", SHAPE_NAMES)
    if len(set(shapes)) != len(shapes):
        raise ValueError(f"shapes must not repeat a name, got {shapes!r}")
    return shapes


def _range(value, name, low=None, high=None):
    try:
        first, last = value
        first, last = float(first), float(last)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {value!r}") from None
    if not (np.isfinite(first) and np.isfinite(last)) or first > last:
        raise ValueError(f"{name} must be a finite range with low <= high, got {value!r}")
    if low is not None and first <= low:
        raise ValueError(f"{name} must lie above {low}, got {value!r}")
    if high is not None and last > high:
        raise ValueError(f"{name} must be at most {high}, got {value!r}")
    return first, last
