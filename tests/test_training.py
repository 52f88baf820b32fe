"""The training loop: it learns, it repeats bit for bit, and its metrics are right."""
import numpy as np
import pytest

import cnnlab.nn as nn
from cnnlab import optim
from cnnlab.training import History, Trainer, accuracy, confusion_matrix, evaluate, fit, predict


def blobs(n=200, seed=0):
    """Three well separated clusters in 2-D: a problem a small network solves in a few epochs."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    return centres[y] + rng.normal(size=(n, 2)), y


def model(seed=0):
    return nn.Sequential(nn.Linear(2, 8, rng=seed), nn.ReLU(), nn.Linear(8, 3, rng=seed + 1))


def train(seed=0, epochs=5, **options):
    x, y = blobs()
    net = model()
    options.setdefault("progress", None)
    history = fit(net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=0.1, momentum=0.9), x, y,
                  epochs=epochs, batch_size=16, seed=seed, **options)
    return net, history


def test_fit_learns_and_records_the_history():
    x, y = blobs(seed=1)
    net, history = train(validation_data=(x, y))
    assert isinstance(history, History) and history.epoch == [1, 2, 3, 4, 5]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0] / 3
    assert history.last("val_accuracy") > 0.95
    assert len(history.iteration_loss) == 5 * 13  # ceil(200 / 16) iterations per epoch
    assert evaluate(net, x, y) == pytest.approx(history.last("val_accuracy"))


def test_the_same_seed_repeats_bit_for_bit_and_another_seed_does_not():
    (a, ha), (b, hb), (_, hc) = train(seed=0, epochs=2), train(seed=0, epochs=2), train(seed=1, epochs=2)
    assert ha.iteration_loss == hb.iteration_loss
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert ha.iteration_loss != hc.iteration_loss


def test_validation_loss_is_the_mean_over_all_samples():
    x, y = blobs(n=37, seed=2)
    net, _ = train(epochs=1)
    history = fit(net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=0.0), x, y, epochs=1,
                  validation_data=(x, y), progress=None)
    whole = float(nn.CrossEntropyLoss()(predict(net, x), y))
    assert history.last("val_loss") == pytest.approx(whole, rel=1e-12)


def test_trainer_keeps_counting_epochs():
    x, y = blobs()
    net = model()
    trainer = Trainer(net, nn.CrossEntropyLoss(), optim.Adam(net.parameters(), lr=0.01))
    trainer.fit(x, y, epochs=2, progress=None)
    trainer.fit(x, y, epochs=1, progress=None)
    assert trainer.history.epoch == [1, 2, 3]
    assert trainer.predict(x).shape == (200, 3)
    assert 0 <= trainer.evaluate(x, y) <= 1


def test_text_progress_prints_one_line_per_epoch(capsys):
    train(epochs=2, progress="text")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2: loss ") and "accuracy" in lines[0]


def test_predict_and_evaluate_restore_training_mode():
    net = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Dropout(0.5, rng=0))
    x, y = blobs(n=10)
    np.testing.assert_allclose(predict(net, x, batch_size=3), predict(net, x), rtol=1e-12)  # no dropout at test time
    assert net.training and net[1].training


def test_accuracy_and_confusion_matrix_by_hand():
    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 2])
    assert accuracy(y_true, y_pred) == pytest.approx(5 / 7)
    assert accuracy(y_true, np.eye(3)[y_pred]) == pytest.approx(5 / 7)  # scores: the argmax counts
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, 3), [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert confusion_matrix(y_true, y_pred, 4).shape == (4, 4)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow the last check provokes
def test_bad_arguments_are_explained():
    x, y = blobs(n=10)
    net = model()
    opt = optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="10 samples but y has 9"):
        fit(net, nn.CrossEntropyLoss(), opt, x, y[:9], progress=None)
    with pytest.raises(ValueError, match="batch_size"):
        fit(net, nn.CrossEntropyLoss(), opt, x, y, batch_size=0, progress=None)
    with pytest.raises(ValueError, match="progress"):
        fit(net, nn.CrossEntropyLoss(), opt, x, y, progress="bar")
    with pytest.raises(ValueError, match="labels must lie in 0..1"):
        confusion_matrix([0, 2], [0, 1], num_classes=2)
    with pytest.raises(FloatingPointError, match="learning rate"):
        fit(net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=1e300), x, y, epochs=3, progress=None)


def test_training_uses_one_blas_thread_and_restores_the_default():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from cnnlab.training._threads import blas_threads

    def blas():
        return [info["num_threads"] for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]

    before = blas()
    with blas_threads(1):
        assert all(n == 1 for n in blas())
    assert blas() == before
    with blas_threads(None):
        assert blas() == before
    _, one = train(epochs=1)
    _, default = train(epochs=1, threads=None)
    np.testing.assert_allclose(one.iteration_loss, default.iteration_loss, rtol=1e-6)
