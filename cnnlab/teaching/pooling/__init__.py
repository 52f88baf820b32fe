"""Pooling and flattening (notebook 04): max, average and min pooling, and the flattened vector a dense layer reads.

Each module has one job: ``plots`` draws, ``widgets`` wires controls to the plots, ``exercises``
holds the checks the notebook calls. A notebook imports its own lesson and the shared modules only.
"""
