"""Image problem types (notebook 08): classification, segmentation and detection pictures and widgets.

Each module has one job: ``plots`` draws, ``widgets`` wires controls to the plots, ``exercises``
holds the checks the notebook calls. A notebook imports its own lesson and the shared modules only.
"""
