"""make_shapes: masks, boxes and labels must agree with the pixels drawn, and the seed must decide all."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnnlab.datasets import make_shapes
from cnnlab.datasets.shapes import SHAPE_NAMES, Shapes


@pytest.fixture(scope="module")
def crowded():
    return make_shapes(300, size=32, min_objects=1, max_objects=4, scale=(0.1, 0.25), noise=0.0, seed=3)


def test_array_shapes_and_dtypes():
    data = make_shapes(50, size=24, max_objects=3, seed=1)
    assert isinstance(data, Shapes) and len(data) == 50
    assert data.images.shape == (50, 1, 24, 24) and data.images.dtype == np.float32
    assert data.masks.shape == data.instances.shape == (50, 24, 24)
    assert data.labels.shape == (50, 3) and data.boxes.shape == (50, 3, 4) and data.counts.shape == (50,)
    assert data.class_names == SHAPE_NAMES and data.num_classes == 4
    assert make_shapes(5, dtype=np.float64).images.dtype == np.float64


def test_clean_image_is_the_mask_painted_at_one_brightness_per_object(crowded):
    for i in range(len(crowded)):
        image, instances = crowded.images[i, 0], crowded.instances[i]
        assert np.all(image[instances == 0] == 0)
        for j in range(crowded.counts[i]):
            levels = np.unique(image[instances == j + 1])
            assert levels.size == 1 and 0.5 <= levels[0] <= 1.0


def test_noise_has_the_requested_spread():
    clean = make_shapes(200, noise=0.0, seed=5).images
    noisy = make_shapes(200, noise=0.1, seed=5).images
    assert np.std(noisy - clean) == pytest.approx(0.1, rel=0.02)


def test_masks_hold_the_class_of_the_visible_object(crowded):
    for i in range(len(crowded)):
        labels, _ = crowded.objects(i)
        expected = np.concatenate([[0], labels + 1])[crowded.instances[i]]
        np.testing.assert_array_equal(crowded.masks[i], expected)
    assert set(np.unique(crowded.masks)) == {0, 1, 2, 3, 4}


def test_boxes_are_tight_around_each_objects_pixels(crowded):
    for i in range(len(crowded)):
        for j, (x0, y0, x1, y1) in enumerate(crowded.objects(i)[1]):
            rows, cols = np.nonzero(crowded.instances[i] == j + 1)
            assert (x0, y0, x1, y1) == (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)


def test_absent_objects_are_marked_and_counts_lie_in_range(crowded):
    k = np.arange(4)
    present = k < crowded.counts[:, None]
    assert np.all((crowded.labels >= 0) == present)
    assert np.all(crowded.boxes[~present] == -1)
    assert crowded.counts.min() >= 1 and crowded.counts.max() == 4
    assert crowded.instances.max(axis=(1, 2)).tolist() == crowded.counts.tolist()


def test_one_object_per_image_gives_a_balanced_classification_set():
    data = make_shapes(2000, size=24, seed=0)
    assert np.all(data.counts == 1)
    counts = np.bincount(data.labels[:, 0], minlength=4)
    assert counts.min() > 400  # about 500 of each of the four classes


def test_shapes_stay_inside_the_image_and_keep_their_size():
    data = make_shapes(500, size=40, scale=(0.3, 0.3), rotation=(0, 0), shapes=("square",), noise=0.0)
    x0, y0, x1, y1 = data.boxes[:, 0].T
    side = 2 * 0.3 * 40 / np.sqrt(2)  # corners on the circle of radius 12 px
    assert np.all(np.abs((x1 - x0) - side) <= 1.01) and np.all(np.abs((y1 - y0) - side) <= 1.01)


def test_rotation_turns_a_square_into_a_diamond():
    upright = make_shapes(1, size=40, shapes=("square",), scale=(0.4, 0.4), rotation=(0, 0), noise=0.0)
    diamond = make_shapes(1, size=40, shapes=("square",), scale=(0.4, 0.4), rotation=(45, 45), noise=0.0)
    # Same area, but a diamond's box is sqrt(2) times wider: it reaches the whole circle.
    assert abs(int((upright.masks > 0).sum()) - int((diamond.masks > 0).sum())) < 12
    assert (diamond.boxes[0, 0, 2] - diamond.boxes[0, 0, 0]) > 1.3 * (upright.boxes[0, 0, 2] - upright.boxes[0, 0, 0])


def test_the_class_order_follows_the_shapes_argument():
    data = make_shapes(100, shapes=("cross", "circle"), seed=2)
    assert data.class_names == ("cross", "circle")
    assert set(np.unique(data.labels[:, 0])) == {0, 1}


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = make_shapes(20, seed=7), make_shapes(20, seed=7), make_shapes(20, seed=8)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.boxes, b.boxes)
    assert not np.array_equal(a.images, c.images)


def test_slicing_keeps_the_arrays_in_step():
    data = make_shapes(10, max_objects=2, seed=4)
    part = data[3:6]
    assert len(part) == 3 and part.class_names == data.class_names
    np.testing.assert_array_equal(part.boxes, data.boxes[3:6])
    np.testing.assert_array_equal(data[4].masks, data.masks[4:5])


def test_an_integer_past_the_end_raises_index_error_so_iteration_ends():
    data = make_shapes(3)
    samples = list(data)  # iteration by integer index stops at IndexError
    assert len(samples) == 3
    for i, sample in enumerate(samples):
        np.testing.assert_array_equal(sample.images, data.images[i:i + 1])
    np.testing.assert_array_equal(data[-3].labels, data.labels[:1])
    for index in (3, -4):
        with pytest.raises(IndexError, match=f"index {index} is out of range for 3 images"):
            data[index]


@settings(max_examples=30, deadline=None)
@given(size=st.integers(12, 30), max_objects=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_every_object_is_visible_and_its_box_inside_the_image(size, max_objects, seed):
    data = make_shapes(8, size=size, max_objects=max_objects, scale=(0.2, 0.3), seed=seed, noise=0.0)
    for i in range(8):
        labels, boxes = data.objects(i)
        assert np.all((boxes[:, :2] >= 0) & (boxes[:, 2:] <= size) & (boxes[:, 2:] > boxes[:, :2]))
        for j in range(len(labels)):
            assert (data.instances[i] == j + 1).any()


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(n=0), ValueError, "n must be at least 1"),
    (dict(n=2.5), TypeError, "n must be an int"),
    (dict(size=4), ValueError, "size must be at least 8"),
    (dict(shapes=("circle", "hexagon")), ValueError, "'circle', 'square', 'triangle', 'cross'"),
    (dict(shapes=()), ValueError, "at least one shape"),
    (dict(min_objects=3, max_objects=2), ValueError, "must not exceed max_objects"),
    (dict(scale=(0.2, 0.7)), ValueError, "scale must be at most 0.5"),
    (dict(scale=(0.01, 0.2)), ValueError, "at least 2 px"),
    (dict(scale=0.3), TypeError, "scale must be a pair"),
    (dict(brightness=(0.0, 1.0)), ValueError, "brightness must lie above 0"),
    (dict(rotation=(90, 0)), ValueError, "low <= high"),
    (dict(noise=-0.1), ValueError, "noise must be a non-negative number"),
    (dict(dtype=np.int32), TypeError, "dtype must be np.float32 or np.float64"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    kwargs = {"n": 4, **kwargs}
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        make_shapes(**kwargs)


@pytest.mark.parametrize("shape, area_per_r2", [
    ("circle", np.pi),
    ("square", 2.0),                                 # side r * sqrt(2)
    ("triangle", 3 * np.sqrt(3) / 4),                # equilateral, inscribed in the circle of radius r
    ("cross", 8 * 0.3 * np.sqrt(1 - 0.09) - 4 * 0.09),  # two arms 2L x 2w, their 2w x 2w middle counted once
])
def test_each_shape_covers_its_geometric_area(shape, area_per_r2):
    radius = 0.4 * 80
    data = make_shapes(20, size=80, shapes=(shape,), scale=(0.4, 0.4), noise=0.0, seed=0)
    areas = (data.masks > 0).sum(axis=(1, 2))
    assert np.all(np.abs(areas / (area_per_r2 * radius ** 2) - 1) < 0.04)
