"""MNIST: 10,000 real handwritten digits shipped in ``data/mnist10k.npz``, with a seeded, stratified split."""
import functools
import numbers
from pathlib import Path

import numpy as np

__all__ = ["load_mnist", "MNIST_PATH"]

#: Where the course keeps the digits: ``data/`` at the top of the repository, beside ``cnnlab/``.
MNIST_PATH = Path(__file__).resolve().parents[2] / "data" / "mnist10k.npz"


@functools.lru_cache(maxsize=1)
def _read(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"MNIST digits not found at {path}. They ship with the course as data/mnist10k.npz: "
            "run from a full clone of the repository (pip install -e .), or pass path= to the file.")
    with np.load(path) as data:
        images, labels = data["images"], data["labels"]
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def _stratified_test_indices(labels, test_size, rng):
    """Pick ``test_size`` indices so that each digit has its share of the test set, within one image.

    Each class gets ``count * test_size / N`` rounded down, and the leftover places go to the classes
    with the largest remainders (so the sizes add up exactly).
    """
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * test_size / labels.size
    per_class = np.floor(exact).astype(int)
    leftover = test_size - per_class.sum()
    per_class[np.argsort(-(exact - per_class), kind="stable")[:leftover]] += 1
    chosen = [rng.permutation(np.flatnonzero(labels == c))[:k] for c, k in zip(classes, per_class)]
    return np.concatenate(chosen)


def load_mnist(test_size=2000, seed=0, normalize=True, dtype=np.float32, flatten=False, path=None):
    """The 10,000 MNIST digits of the course, split into a training and a test set.

    The split is stratified (each digit has the same share in both sets, within one image) and seeded
    (the same ``seed`` gives the same split, on every machine). Both sets are shuffled.

    Parameters
    ----------
    test_size : int or float
        Number of test images (default 2,000, leaving 8,000 to train on), or a fraction in (0, 1).
    seed : int
        Seeds the split and the shuffle.
    normalize : bool
        Scale pixels from 0..255 to [0, 1] (what a network trains well on).
    dtype : np.float32 or np.float64
        float32 trains about twice as fast as float64.
    flatten : bool
        Return each image as a vector of 784 pixels instead of a 1x28x28 array.
    path : str or Path, optional
        Another ``.npz`` file with ``images`` (N, 28, 28) and ``labels`` (N,).

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x`` : ndarray, shape (N, 1, 28, 28) (or (N, 784) when ``flatten``), ``dtype``;
        ``y`` : ndarray of int64, shape (N,), the digit 0 to 9.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_mnist()
    >>> x_train.shape, x_test.shape
    ((8000, 1, 28, 28), (2000, 1, 28, 28))
    """
    images, labels = _read(str(MNIST_PATH if path is None else path))
    total = labels.size
    if (isinstance(test_size, numbers.Real) and not isinstance(test_size, (numbers.Integral, bool))
            and 0 < test_size < 1):
        test_size = int(round(test_size * total))
    if not isinstance(test_size, numbers.Integral) or isinstance(test_size, bool) or not 0 < test_size < total:
        raise ValueError(f"test_size must be an int between 1 and {total - 1} or a fraction in (0, 1), "
                         f"got {test_size!r}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
    if not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {seed!r}")

    rng = np.random.default_rng(seed)
    test = _stratified_test_indices(labels, int(test_size), rng)
    is_test = np.zeros(total, dtype=bool)
    is_test[test] = True
    train = rng.permutation(np.flatnonzero(~is_test))
    test = rng.permutation(test)

    def prepare(indices):
        x = images[indices].astype(dtype)
        if normalize:
            x /= 255
        x = x.reshape(len(indices), -1) if flatten else x[:, None, :, :]
        return x, labels[indices].astype(np.int64)

    return prepare(train), prepare(test)
