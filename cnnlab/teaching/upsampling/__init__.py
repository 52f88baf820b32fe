"""Upsampling (notebooks 04 and 09): nearest and bilinear interpolation, transposed convolution and its checkerboard.

Each module has one job: ``plots`` draws, ``widgets`` wires controls to the plots, ``exercises``
holds the checks the notebook calls. A notebook imports its own lesson and the shared modules only.
"""
