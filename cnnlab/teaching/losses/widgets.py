"""The loss explorer: a slider for the predicted probability of the true class.

The pictures are :func:`cnnlab.teaching.plots.plot_losses`; this module only wires a slider to them.
"""
import ipywidgets as widgets
import matplotlib.pyplot as plt

from . import plots

__all__ = ["loss_explorer"]


def loss_explorer(prediction=0.5):
    """MSE, MAE, binary and categorical cross-entropy, and their slopes, as the prediction moves.

    Parameters
    ----------
    prediction : float
        The slider's starting value, the probability given to the true class.

    Returns
    -------
    ipywidgets.VBox
        The slider above the picture.
    """
    slider = widgets.FloatSlider(value=prediction, min=0.01, max=0.99, step=0.01, readout_format=".2f",
                                 description="p(true class)", style={"description_width": "initial"},
                                 layout=widgets.Layout(width="500px"))

    def show(p):
        plots.plot_losses(p)
        plt.show()

    return widgets.VBox([slider, widgets.interactive_output(show, {"p": slider})])
