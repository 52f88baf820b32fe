"""Weight initialization (notebook 06): Xavier's range, signals through deep stacks, identical filters.

Each module has one job: ``plots`` draws, ``widgets`` wires controls to the plots, ``exercises``
holds the checks the notebook calls. A notebook imports its own lesson and the shared modules only.
"""
