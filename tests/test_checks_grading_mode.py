"""The checks' two modes: self-study prints a hint and never raises; grading (CNNLAB_GRADING=1) prints the
same hint and then raises, so nbgrader gives the check's test cell no points."""
import pytest

from cnnlab import functional as F
from cnnlab.teaching import checks
from cnnlab.teaching.checks import GradedCheckFailed, call, exercise, expect_close

import numpy as np

X = np.array([-2.0, -0.5, 0.0, 1.5])


@exercise("9.9 ReLU")
def check_relu(relu):
    expect_close(call(relu, X), F.relu(X), "relu(x)", "ReLU keeps positive inputs and sets negative ones to 0.")
    return "max(0, x), element by element."


def _stub(x):
    raise NotImplementedError("return max(0, x) element by element")


def _keeps_negatives(x):
    return x.copy()


def _crashes(x):
    return x.shape[7]


@pytest.fixture
def self_study(monkeypatch):
    monkeypatch.delenv(checks.GRADING_VARIABLE, raising=False)


@pytest.fixture
def graded(monkeypatch):
    monkeypatch.setenv(checks.GRADING_VARIABLE, "1")


@pytest.mark.parametrize("answer", [_stub, _keeps_negatives, _crashes])
def test_self_study_prints_the_hint_and_runs_on(self_study, capsys, answer):
    assert check_relu(answer) is None
    printed = capsys.readouterr().out
    assert printed.startswith(("⏳ Exercise 9.9 ReLU: not done yet.", "❌ Exercise 9.9 ReLU: not yet."))


@pytest.mark.parametrize("answer, hint", [
    (_stub, "⏳ Exercise 9.9 ReLU: not done yet. return max(0, x) element by element"),
    (_keeps_negatives, "❌ Exercise 9.9 ReLU: not yet. relu(x) differs at index (0,)"),
    (_crashes, "❌ Exercise 9.9 ReLU: not yet. your code raised IndexError"),
])
def test_grading_prints_the_same_hint_then_raises_it(graded, capsys, answer, hint):
    with pytest.raises(GradedCheckFailed) as raised:
        check_relu(answer)
    printed = capsys.readouterr().out
    assert printed.startswith(hint) and str(raised.value).startswith(hint)
    assert isinstance(raised.value, AssertionError)
    # Raised outside the check's except clauses: the traceback a student reads is the hint, nothing chained.
    assert raised.value.__context__ is None and raised.value.__cause__ is None
    assert checks.RESULTS["9.9 ReLU"] in (checks.FAILED, checks.NOT_DONE)


def test_grading_lets_a_right_answer_pass(graded, capsys):
    assert check_relu(lambda x: np.maximum(x, 0.0)) is None
    assert capsys.readouterr().out == "✅ Exercise 9.9 ReLU: passed. max(0, x), element by element.\n"
    assert checks.RESULTS["9.9 ReLU"] == checks.PASSED


@pytest.mark.parametrize("value, expected", [("1", True), ("0", False), ("", False), ("yes", False)])
def test_only_the_value_1_switches_grading_on(monkeypatch, value, expected):
    monkeypatch.setenv(checks.GRADING_VARIABLE, value)
    assert checks.grading() is expected
