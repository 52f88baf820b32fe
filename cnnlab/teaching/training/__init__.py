"""Training a CNN (notebook 05): learning curves, filters, feature maps, mistakes and the confusion matrix.

Each module has one job: ``plots`` draws, ``widgets`` wires controls to the plots, ``exercises``
holds the checks the notebook calls. A notebook imports its own lesson and the shared modules only.
"""
