"""Pictures of the losses: MSE, MAE, binary and categorical cross-entropy as the prediction moves.

Every value is computed by :mod:`cnnlab.functional` (``mse_loss``, ``l1_loss``,
``binary_cross_entropy``, ``cross_entropy`` and their ``_backward``); this module only draws them.
"""
import matplotlib.pyplot as plt
import numpy as np

from ... import functional as F

#: The number of classes of the categorical example: the true class gets p, the others share 1 - p.
CLASSES = 3
_STYLES = {"MSE": "-", "MAE": "-", "binary cross-entropy": "-", f"categorical cross-entropy ({CLASSES} classes)": ":"}


def _categorical(p):
    """Probabilities (n, CLASSES): the true class 0 gets p, the other classes split 1 - p evenly."""
    rest = (1 - p) / (CLASSES - 1)
    return np.column_stack([p] + [rest] * (CLASSES - 1))


def loss_curves(p):
    """Each loss for a prediction giving probability ``p`` to the true class (ground truth 1).

    Parameters
    ----------
    p : ndarray, shape (n,)
        Probabilities in (0, 1) (at p = 1 the other classes would get probability 0, whose log is -inf).

    Returns
    -------
    dict of str to ndarray, shape (n,)
        Keys "MSE", "MAE", "binary cross-entropy" and the categorical cross-entropy with
        ``CLASSES`` classes (for one-hot targets it is -ln p too, the same curve).
    """
    p = np.asarray(p, dtype=float)
    truth = np.ones_like(p)
    categorical = _categorical(p)
    return {
        "MSE": F.mse_loss(p, truth, reduction="none"),
        "MAE": F.l1_loss(p, truth, reduction="none"),
        "binary cross-entropy": F.binary_cross_entropy(p, truth, reduction="none"),
        # cross_entropy takes scores; the log of probabilities is a valid choice (softmax(log q) = q).
        f"categorical cross-entropy ({CLASSES} classes)":
            F.cross_entropy(np.log(categorical), np.zeros(len(p), dtype=int), reduction="none"),
    }


def loss_slopes(p):
    """The slope of MSE, MAE and binary cross-entropy with respect to the prediction ``p``.

    Parameters
    ----------
    p : ndarray, shape (n,)

    Returns
    -------
    dict of str to ndarray, shape (n,)
    """
    p = np.asarray(p, dtype=float)
    truth, ones = np.ones_like(p), np.ones_like(p)
    return {
        "MSE": F.mse_loss_backward(ones, F.mse_loss_forward(p, truth, reduction="none")[1]),
        "MAE": F.l1_loss_backward(ones, F.l1_loss_forward(p, truth, reduction="none")[1]),
        "binary cross-entropy": F.binary_cross_entropy_backward(
            ones, F.binary_cross_entropy_forward(p, truth, reduction="none")[1]),
    }


def logit_slopes(p):
    """The slope of MSE and binary cross-entropy with respect to the logit ``z``, where ``p = sigmoid(z)``.

    This is what a network with a sigmoid output actually receives: MSE's slope is multiplied by the
    sigmoid's derivative (and vanishes when the sigmoid saturates), cross-entropy's is ``p - 1``.

    Parameters
    ----------
    p : ndarray, shape (n,)
        Probabilities in (0, 1).

    Returns
    -------
    dict of str to ndarray, shape (n,)
    """
    p = np.asarray(p, dtype=float)
    z = np.log(p) - np.log1p(-p)  # the logit: the input that the sigmoid turns into p
    truth, ones = np.ones_like(p), np.ones_like(p)
    through_sigmoid = (F.mse_loss_backward(ones, F.mse_loss_forward(F.sigmoid(z), truth, reduction="none")[1])
                       * F.sigmoid_backward(ones, F.sigmoid_forward(z)[1]))
    return {
        "MSE": through_sigmoid,
        "binary cross-entropy": F.binary_cross_entropy_with_logits_backward(
            ones, F.binary_cross_entropy_with_logits_forward(z, truth, reduction="none")[1]),
    }


def plot_losses(prediction=0.5):
    """Each loss against p, its slope with respect to p, and its slope with respect to the logit.

    Parameters
    ----------
    prediction : float
        The probability the network gives to the true class, in (0, 1), marked on every curve.

    Returns
    -------
    matplotlib.figure.Figure
    """
    p = np.linspace(0.005, 0.995, 400)
    colours = dict(zip(_STYLES, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(12, 4))
    panels = [(left, loss_curves, "loss (ground truth 1)", "the losses", (0, 5)),
              (middle, loss_slopes, "d loss / d p", "slope with respect to p", (-10, 0.5)),
              (right, logit_slopes, "d loss / d z", "slope with respect to the logit z", (-1.05, 0.05))]
    for ax, compute, ylabel, title, ylim in panels:
        here = compute(np.array([prediction]))
        for name, values in compute(p).items():
            ax.plot(p, values, _STYLES[name], color=colours[name], label=f"{name}: {here[name][0]:.3f}")
            ax.plot(prediction, here[name][0], "o", color=colours[name])
        ax.set_ylim(*ylim)
        ax.set_xlabel("p, probability of the true class")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=11)
        ax.legend(fontsize=8, loc="upper right" if ax is left else "lower right")
    fig.tight_layout()
    return fig


def mae_and_mse(errors):
    """MSE and MAE of each error ``e = p - t``, and their gradients with respect to the prediction, from cnnlab.

    Parameters
    ----------
    errors : ndarray, shape (n,)

    Returns
    -------
    losses, gradients : dict of str to ndarray, shape (n,)
        Keys "MSE" and "MAE"; one loss (and one gradient) per error, ``reduction='none'``.
    """
    e = np.asarray(errors, dtype=float)
    target, ones = np.zeros_like(e), np.ones_like(e)
    losses, gradients = {}, {}
    for name, forward, backward in (("MSE", F.mse_loss_forward, F.mse_loss_backward),
                                    ("MAE", F.l1_loss_forward, F.l1_loss_backward)):
        losses[name], ctx = forward(e, target, reduction="none")
        gradients[name] = backward(ones, ctx)
    return losses, gradients


def plot_mae_versus_mse(values=(1.0, 2.0, 3.0, 4.0, 100.0)):
    """MSE and MAE against the error, their gradients, and the best constant prediction for ``values``.

    Left: the loss of one prediction, e^2 and |e|. Middle: the gradient, 2e (grows with the error) and
    sign(e) (the same size everywhere, undefined at 0 where cnnlab uses 0). Right: the loss of predicting one
    constant c for all ``values``: MSE is smallest at their mean, MAE at their median.

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = np.asarray(values, dtype=float)
    e = np.linspace(-3, 3, 601)
    losses, gradients = mae_and_mse(e)
    constants = np.linspace(values.min() - 5, values.max() + 5, 1201)
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(12, 3.8))
    for name in ("MSE", "MAE"):
        left.plot(e, losses[name], label=name)
        middle.plot(e, gradients[name], label=name)
        fit = [float((F.mse_loss if name == "MSE" else F.l1_loss)(np.full_like(values, c), values)) for c in constants]
        right.plot(constants, fit, label=name)
    for ax, title, ylabel in ((left, "loss of one prediction", "loss"),
                              (middle, "gradient with respect to the prediction", "d loss / d p")):
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("error p - t")
        ax.set_ylabel(ylabel)
        ax.axhline(0, color="grey", lw=0.5)
        ax.legend(fontsize=9)
    right.axvline(values.mean(), color="C0", ls="--", lw=1, label=f"mean {values.mean():g}")
    right.axvline(np.median(values), color="C1", ls="--", lw=1, label=f"median {np.median(values):g}")
    right.set_yscale("log")
    right.set_title(f"one constant c for {values.tolist()}", fontsize=10)
    right.set_xlabel("c")
    right.set_ylabel("loss (log scale)")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig
