"""The course's one list of activation functions: the curves the pictures draw and the lecture's history table.

Every value is computed by :mod:`cnnlab.functional`: the curve by the activation itself, its
derivative by the activation's ``_backward`` with ``grad_output = 1`` (the chain rule with nothing
after it gives the local derivative). The formulas and years are the lecture's ("History of
Activation Functions", in the lecture on CNNs and deep learning); where the slide spells a name
differently (LReLU, VLReLU), :attr:`Activation.slide_name` keeps its spelling. One year is corrected
(leaky ReLU, Maas et al. 2013, where the slide says 2011) and :attr:`Activation.note` says so in the table.
"""
from dataclasses import dataclass

import numpy as np
from IPython.display import Markdown

from ... import functional as F

__all__ = ["Activation", "ACTIVATIONS", "NAMES", "DEFAULTS", "activation_and_derivative", "is_random",
           "history_table"]


@dataclass(frozen=True)
class Activation:
    """One activation of the lectures.

    ``drawn`` says whether :func:`activation_and_derivative` computes it (APL needs learnt hinges, "none"
    and VLReLU are only rows of the history table); ``formula`` (LaTeX) and ``year`` are the history
    table's, None where the activation is not in it, with the year corrected where the slide's is wrong;
    ``note`` says what the table shows differently from the slide, or where the lectures disagree.
    """

    name: str
    drawn: bool = True
    formula: str = None
    year: int = None
    slide_name: str = None
    note: str = ""


#: Every activation of the course: the drawn ones in the order the notebook shows them, then the
#: history table's other rows; the history table lists those with a formula, in the lecture's order.
ACTIVATIONS = (
    Activation("sigmoid", formula=r"y = \frac{1}{1+e^{-x}}", year=1986),
    Activation("tanh", formula=r"y = \frac{e^{2x}-1}{e^{2x}+1}", year=1986),
    Activation("softplus"),
    Activation("centered softplus", formula=r"y = \ln(e^x + 1) - \ln 2", year=2011, slide_name="(centered) SoftPlus"),
    Activation("ReLU", formula=r"y = \max(x, 0)", year=2010),
    Activation("leaky ReLU", formula=r"y = \max(x, \alpha x), \alpha \approx 0.01", year=2013, slide_name="LReLU",
               note="Maas, Hannun and Ng, 2013; the slide says 2011"),
    Activation("PReLU", formula=r"y = \max(x, \alpha x), \alpha \text{ is learnable}", year=2015),
    Activation("RReLU", formula=r"y = \max(x, \alpha x), \alpha = \text{random}(0.1, 0.5)", year=2015,
               note=r"Xu et al. 2015 and PyTorch draw $1/\alpha$ from $U(3, 8)$: $\alpha$ in [0.125, 0.333]"),
    Activation("noisy ReLU"),
    Activation("ELU", formula=r"y = x, \text{ if } x \geq 0, \text{ else } \alpha(e^x - 1)", year=2015),
    Activation("maxout", formula=r"y = \max(W_1x + b_1, W_2x + b_2)", year=2013),
    Activation("none", drawn=False, formula=r"y = x"),
    Activation("APL", drawn=False, formula=r"y = \max(x, 0) + \sum_{s=1}^S a_i^s \max(0, -x + b_i^s)", year=2014),
    Activation("very leaky ReLU", drawn=False, formula=r"y = \max(x, \alpha x), \alpha \in 0.1, 0.5", year=2014,
               slide_name="VLReLU",
               note=r"slope 0.1 is what the discussion of convolutions calls Leaky ReLU, $\max(0.1x, x)$"),
)

#: The order of the lecture's history table, by name.
_HISTORY_ORDER = ("none", "sigmoid", "tanh", "ReLU", "centered softplus", "leaky ReLU", "maxout", "APL",
                  "very leaky ReLU", "RReLU", "PReLU", "ELU")

#: The activations the pictures and the explorer draw, in the order the notebook shows them.
NAMES = tuple(activation.name for activation in ACTIVATIONS if activation.drawn)

#: The parameters the curves use unless told otherwise (the lecture's leaky slope max(0.1x, x) is 0.1).
DEFAULTS = {"negative_slope": 0.1, "alpha": 1.0, "prelu_weight": 0.25, "lower": 0.1, "upper": 0.5,
            "sigma": 0.3, "beta": 1.0, "maxout_pieces": ((1.0, 0.0), (-0.5, -0.5)), "seed": 0}



def activation_and_derivative(name, x, **params):
    """An activation and its derivative at ``x``, both from cnnlab.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    x : ndarray, shape (n,)
    **params
        Overrides of :data:`DEFAULTS`: ``negative_slope`` (leaky ReLU), ``alpha`` (ELU),
        ``prelu_weight`` (PReLU's slope), ``lower`` and ``upper`` (RReLU's random slopes, drawn as in
        training), ``sigma`` (noisy ReLU), ``beta`` (softplus), ``maxout_pieces`` (the lines
        ``(w, b)`` whose maximum maxout takes) and ``seed`` (the random draws).

    Returns
    -------
    y, dy_dx : ndarray, shape (n,)
    """
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown parameter(s) {sorted(unknown)}; expected some of {sorted(DEFAULTS)}")
    p = {**DEFAULTS, **params}
    x = np.asarray(x, dtype=float)
    if name == "maxout":
        return _maxout(x, p["maxout_pieces"])
    forward, backward = _forward_and_backward(name, p)
    # The derivative is the backward pass with grad_output = 1: the chain rule with nothing after it.
    y, ctx = forward(x)
    dy_dx = backward(np.ones_like(x), ctx)
    return y, dy_dx[0] if name == "PReLU" else dy_dx


def _forward_and_backward(name, p):
    """The ``F.f_forward`` (with the curve's parameters bound) and ``F.f_backward`` pair of ``name``."""
    # Same seed in forward and backward: RReLU and noisy ReLU draw the same random slopes or noise.
    random = {"rng": p["seed"]}
    pairs = {
        "sigmoid": (F.sigmoid_forward, F.sigmoid_backward),
        "tanh": (F.tanh_forward, F.tanh_backward),
        "softplus": (lambda x: F.softplus_forward(x, beta=p["beta"]), F.softplus_backward),
        "centered softplus": (F.centered_softplus_forward, F.centered_softplus_backward),
        "ReLU": (F.relu_forward, F.relu_backward),
        "leaky ReLU": (lambda x: F.leaky_relu_forward(x, p["negative_slope"]), F.leaky_relu_backward),
        "PReLU": (lambda x: F.prelu_forward(x, np.array([p["prelu_weight"]])), F.prelu_backward),
        "RReLU": (lambda x: F.rrelu_forward(x, p["lower"], p["upper"], training=True, **random), F.rrelu_backward),
        "noisy ReLU": (lambda x: F.noisy_relu_forward(x, p["sigma"], **random), F.noisy_relu_backward),
        "ELU": (lambda x: F.elu_forward(x, p["alpha"]), F.elu_backward),
    }
    if name not in pairs:
        raise ValueError(f"name must be one of {', '.join(NAMES)}, got {name!r}")
    return pairs[name]


def _maxout(x, pieces):
    """Maxout of the lines ``w * x + b``: the pieces are the channels of a (n, k) input."""
    weights = np.array([w for w, _ in pieces])
    lines = np.outer(x, weights) + np.array([b for _, b in pieces])
    y, ctx = F.maxout_forward(lines, num_pieces=len(pieces), dim=1)
    # Chain rule through the lines: d(w x + b)/dx = w for the piece that won.
    d_lines = F.maxout_backward(np.ones((len(x), 1)), ctx)
    return y[:, 0], d_lines @ weights


def is_random(name):
    """True for the activations that draw a random slope or noise for every input (RReLU, noisy ReLU)."""
    return name in ("RReLU", "noisy ReLU")


def history_table():
    """The lecture's history of activation functions, one row per activation, in the lecture's order.

    Returns
    -------
    IPython.display.Markdown
        Name as the slide spells it, formula (LaTeX), year (corrected where the slide's is wrong) and a note.
    """
    by_name = {activation.name: activation for activation in ACTIVATIONS}
    lines = ["| Name | Formula | Year | Note |", "| --- | --- | --- | --- |"]
    for activation in (by_name[name] for name in _HISTORY_ORDER):
        name = activation.slide_name or activation.name
        year = "-" if activation.year is None else str(activation.year)
        lines.append(f"| {name} | ${activation.formula}$ | {year} | {activation.note} |")
    return Markdown("\n".join(lines))
