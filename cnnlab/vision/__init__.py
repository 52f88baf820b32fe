"""The lecture's image problem types beyond classification: boxes, grids and their metrics.

- :mod:`~cnnlab.vision.boxes`: the area and intersection-over-union (IoU) of boxes, non-maximum suppression;
- :mod:`~cnnlab.vision.segmentation`: pixel accuracy and mean IoU of predicted masks;
- :mod:`~cnnlab.vision.detection`: greedy matching of predicted to true boxes, precision and recall;
- :mod:`~cnnlab.vision.grid`: the targets of a single-shot grid detector (in the spirit of YOLO v1) and
  the way back from its output to boxes.

Boxes are ``(x0, y0, x1, y1)`` in pixel edges, as :func:`cnnlab.datasets.make_shapes` gives them:
a box covers columns ``x0 .. x1 - 1`` and rows ``y0 .. y1 - 1``, so it is ``x1 - x0`` pixels wide.
"""
from .boxes import *  # noqa: F401,F403
from .segmentation import *  # noqa: F401,F403
from .detection import *  # noqa: F401,F403
from .grid import *  # noqa: F401,F403
