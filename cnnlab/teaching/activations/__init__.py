"""Activation functions (notebook 02) and the sigmoid's floating-point limits (notebook 03's first part).

Each module has one job: ``plots`` draws, ``widgets`` wires controls to the plots, ``exercises``
holds the checks the notebook calls. A notebook imports its own lesson and the shared modules only.
"""
