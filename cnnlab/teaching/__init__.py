"""The teaching surface: plots, widgets and exercise checks used by the notebooks.

Nothing here does maths of its own: it draws and explains what ``cnnlab.functional`` and
``cnnlab.nn`` compute, so a figure can never disagree with the library.
"""
