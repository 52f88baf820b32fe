"""Loss functions (notebook 03): MSE against cross-entropy, softmax, the lecture's loss tables.

Each module has one job: ``plots`` draws, ``widgets`` wires controls to the plots, ``exercises``
holds the checks the notebook calls. A notebook imports its own lesson and the shared modules only.
"""
