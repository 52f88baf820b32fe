"""Convolution (notebook 01): the sliding window, kernels on photographs, padding, stride, output size.

Each module has one job: ``plots`` draws, ``widgets`` wires controls to the plots, ``exercises``
holds the checks the notebook calls. A notebook imports its own lesson and the shared modules only.
"""
