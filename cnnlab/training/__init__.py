"""Training: the loop (:func:`fit`), evaluation, metrics, the history of a run and its progress display."""
from .history import History
from .metrics import accuracy, confusion_matrix
from .trainer import Trainer, evaluate, fit, predict

__all__ = ["History", "Trainer", "accuracy", "confusion_matrix", "evaluate", "fit", "predict"]
