"""load_mnist: shapes, scaling, a stratified, seeded, disjoint split."""
import numpy as np
import pytest

from cnnlab.datasets import load_mnist
from cnnlab.datasets import mnist

COUNTS = np.array([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978])  # data/README.md


def test_shapes_dtypes_and_scaling():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (8000, 1, 28, 28) and x_test.shape == (2000, 1, 28, 28)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    (flat, _), _ = load_mnist(flatten=True, normalize=False, dtype=np.float64)
    assert flat.shape == (8000, 784) and flat.dtype == np.float64 and flat.max() == 255.0


def test_split_is_stratified_within_one_image():
    (_, y_train), (_, y_test) = load_mnist(test_size=2000)
    np.testing.assert_array_equal(np.bincount(y_train) + np.bincount(y_test), COUNTS)
    assert np.all(np.abs(np.bincount(y_test, minlength=10) - COUNTS * 2000 / 10000) < 1)
    _, (_, y_small) = load_mnist(test_size=0.05)
    assert y_small.size == 500 and np.all(np.abs(np.bincount(y_small) - COUNTS * 0.05) < 1)


def test_split_is_seeded_and_shuffled():
    (a, ya), (b, yb) = load_mnist(seed=3)
    (c, yc), (d, yd) = load_mnist(seed=3)
    np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(yb, yd)
    (_, y_other), _ = load_mnist(seed=4)
    assert not np.array_equal(ya, y_other)
    assert np.count_nonzero(np.diff(ya)) > 5000  # not sorted by label as the file is


def test_train_and_test_are_disjoint_and_cover_everything():
    (x_train, _), (x_test, _) = load_mnist(normalize=False, flatten=True)
    with np.load(mnist.MNIST_PATH) as data:
        images = data["images"].reshape(10000, -1)
    rows = {row.tobytes() for row in images}
    train = {row.astype(np.uint8).tobytes() for row in x_train}
    test = {row.astype(np.uint8).tobytes() for row in x_test}
    assert not train & test
    assert train | test == rows  # all 10,000 images are distinct, so this is the whole file


def test_bad_arguments_and_missing_file():
    with pytest.raises(ValueError, match="test_size"):
        load_mnist(test_size=10000)
    with pytest.raises(TypeError, match="dtype"):
        load_mnist(dtype=np.int32)
    with pytest.raises(FileNotFoundError, match="data/mnist10k.npz"):
        load_mnist(path="/nonexistent/mnist.npz")
