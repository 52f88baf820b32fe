"""A widget for notebook 08: the detector's objectness threshold against precision and recall.

The boxes come from :func:`cnnlab.vision.decode_output` and :func:`~cnnlab.vision.non_max_suppression`,
the numbers from :func:`~cnnlab.vision.precision_recall`: this module only wires sliders to them.
"""
import ipywidgets as widgets
import matplotlib.pyplot as plt

from ...vision import decode_output, non_max_suppression, precision_recall
from ..drawing import draw_image
from ..explorer import Explorer
from .plots import draw_boxes

__all__ = ["detect", "DetectionExplorer"]


def detect(output, image_size, threshold=0.5, iou_threshold=0.5):
    """Boxes of every image from a grid detector's raw output, after non-maximum suppression.

    Parameters
    ----------
    output : ndarray, shape (N, 5 + C, S, S)
    image_size : int
    threshold : float
        Objectness a cell needs to predict a box.
    iou_threshold : float
        Of the boxes overlapping more than this, only the most confident is kept.

    Returns
    -------
    list of (boxes (P, 4), scores (P,), labels (P,))
    """
    kept = []
    for boxes, scores, labels in decode_output(output, image_size, threshold):
        keep = non_max_suppression(boxes, scores, iou_threshold)
        kept.append((boxes[keep], scores[keep], labels[keep]))
    return kept


class DetectionExplorer(Explorer):
    """Sliders for the objectness threshold and the image; precision and recall over the whole test set.

    Parameters
    ----------
    output : ndarray, shape (N, 5 + C, S, S)
        The detector's raw output on the test images (computed once).
    data : cnnlab.datasets.shapes.Shapes
        The test images and their true objects.
    """

    def __init__(self, output, data, count=4):
        self.output, self.data, self.count = output, data, count
        self.truths = [data.objects(i)[::-1] for i in range(len(data))]
        self.controls = {
            "threshold": widgets.FloatSlider(value=0.5, min=0.05, max=0.95, step=0.05, description="objectness"),
            "start": widgets.IntSlider(value=0, min=0, max=len(data) - count, description="first image"),
        }

    def update(self, threshold, start):
        """Draw ``count`` images with their boxes; returns (precision, recall) over all images."""
        size = self.data.images.shape[-1]
        predictions = detect(self.output, size, threshold)
        precision, recall = precision_recall(predictions, self.truths, iou_threshold=0.5)
        figure, axes = plt.subplots(1, self.count, figsize=(2.4 * self.count, 2.9), squeeze=False)
        for ax, i in zip(axes[0], range(start, start + self.count)):
            draw_image(ax, self.data.images[i])
            boxes, labels = self.truths[i]
            draw_boxes(ax, boxes, labels, linestyle="-")
            draw_boxes(ax, *predictions[i][::2], self.data.class_names, predictions[i][1], linestyle="--")
        figure.suptitle(f"objectness >= {threshold:.2f}: precision {precision:.2f}, recall {recall:.2f} "
                        f"(IoU >= 0.5, all {len(self.data)} test images)", fontsize=10)
        figure.tight_layout()
        plt.show()
        return precision, recall
