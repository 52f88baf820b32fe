"""The activation explorer: pick activations, move their parameters, compare curves or derivatives.

The pictures are :func:`cnnlab.teaching.activations.plots.plot_overlay`; this module only wires
controls to them.
"""
import ipywidgets as widgets
import matplotlib.pyplot as plt

from . import plots
from .catalog import NAMES

__all__ = ["activation_explorer"]


def activation_explorer(selected=("sigmoid", "tanh", "ReLU", "leaky ReLU", "ELU")):
    """Overlay activations and vary their parameters with sliders.

    Parameters
    ----------
    selected : sequence of str
        The activations ticked at the start, from :data:`activation_NAMES`.

    Returns
    -------
    ipywidgets.VBox
        The controls above the picture.
    """
    # Two columns of sliders beside the list must fit a notebook about 850 pixels wide.
    wide = {"style": {"description_width": "125px"}, "layout": widgets.Layout(width="300px")}
    controls = {
        "names": widgets.SelectMultiple(options=NAMES, value=tuple(selected), rows=len(NAMES),
                                        description="activations", style={"description_width": "initial"},
                                        layout=widgets.Layout(width="230px")),
        "derivatives": widgets.ToggleButtons(options=[("f(x)", False), ("f'(x)", True)], value=False,
                                             description="show", style={"button_width": "60px"}),
        "x_range": widgets.FloatSlider(value=4.0, min=1.0, max=10.0, step=0.5, description="x from -r to r",
                                       **wide),
        "negative_slope": widgets.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.01,
                                              description="leaky ReLU slope", **wide),
        "prelu_weight": widgets.FloatSlider(value=0.25, min=0.0, max=1.0, step=0.05,
                                            description="PReLU slope a", **wide),
        "rrelu_range": widgets.FloatRangeSlider(value=(0.1, 0.5), min=0.0, max=1.0, step=0.05,
                                                description="RReLU slopes", **wide),
        "sigma": widgets.FloatSlider(value=0.3, min=0.0, max=1.5, step=0.05, description="noise sigma", **wide),
        "alpha": widgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1, description="ELU alpha", **wide),
        "beta": widgets.FloatSlider(value=1.0, min=0.25, max=5.0, step=0.25, description="softplus beta", **wide),
        "maxout_w2": widgets.FloatSlider(value=-0.5, min=-1.0, max=1.0, step=0.05,
                                         description="maxout 2nd slope", **wide),
    }

    def show(names, derivatives, x_range, negative_slope, prelu_weight, rrelu_range, sigma, alpha, beta,
             maxout_w2):
        plots.plot_overlay(names, x_range=x_range, derivatives=derivatives, negative_slope=negative_slope,
                           prelu_weight=prelu_weight, lower=rrelu_range[0], upper=rrelu_range[1], sigma=sigma,
                           alpha=alpha, beta=beta, maxout_pieces=((1.0, 0.0), (maxout_w2, -0.5)))
        plt.show()

    sliders = [controls[key] for key in controls if key not in ("names", "derivatives")]
    layout = widgets.HBox([controls["names"],
                           widgets.VBox([controls["derivatives"]] + sliders[:4]),
                           widgets.VBox(sliders[4:])])
    return widgets.VBox([layout, widgets.interactive_output(show, controls)])
