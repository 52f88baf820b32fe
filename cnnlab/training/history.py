"""History: what happened during training, epoch by epoch, ready to plot."""

__all__ = ["History"]


class History:
    """Per-epoch averages of the training run (as Keras' ``History``).

    Attributes
    ----------
    epoch : list of int
        1, 2, ... one entry per finished epoch.
    history : dict of list of float
        ``loss`` and ``accuracy`` (averaged over the epoch's iterations), ``val_loss`` and
        ``val_accuracy`` (on the validation data after the epoch, when given).
    iteration_loss : list of float
        The loss of every iteration (one mini-batch), for a finer curve.
    seconds : list of float
        Training time of each epoch.
    """

    def __init__(self):
        self.epoch = []
        self.history = {}
        self.iteration_loss = []
        self.seconds = []

    def record(self, epoch, seconds, **values):
        self.epoch.append(epoch)
        self.seconds.append(seconds)
        for key, value in values.items():
            if value is not None:
                self.history.setdefault(key, []).append(float(value))

    def __getitem__(self, key):
        return self.history[key]

    def __contains__(self, key):
        return key in self.history

    def last(self, key):
        """The value of ``key`` after the last epoch."""
        return self.history[key][-1]

    def plot(self, axes=None):
        """Loss and accuracy curves, training and validation.

        See :func:`cnnlab.teaching.training.plots.plot_history`.
        """
        from ..teaching.training.plots import plot_history
        return plot_history(self, axes=axes)

    def __repr__(self):
        keys = ", ".join(self.history)
        return f"History(epochs={len(self.epoch)}, keys=[{keys}])"
