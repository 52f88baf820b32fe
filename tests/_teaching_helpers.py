"""Shared by the teaching tests: run an exercise check and read what it told the student."""
from cnnlab.teaching import checks


def outcome(check, *answers, capsys):
    """The check's result and everything it printed, for the student's ``answers``."""
    check(*answers)
    return checks.RESULTS[check.title], capsys.readouterr().out


def outcome_after_title(check, *answers, capsys):
    """The check's result and the message it printed after the exercise's title."""
    result, printed = outcome(check, *answers, capsys=capsys)
    assert printed.startswith(("✅", "❌", "⏳")) and check.title in printed
    return result, printed.split(check.title, 1)[1]


def stub(*args):
    """A student's unfinished exercise, as the student version of a notebook leaves it."""
    raise NotImplementedError
