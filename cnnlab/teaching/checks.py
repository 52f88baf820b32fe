"""Exercise checks that explain, in words, what is wrong.

Every exercise in the notebooks ends with a call such as ``exercises.check_output_cell(my_answer)``.
A check is a plain function decorated with :func:`exercise`; inside, it compares the student's
answer with the library's and raises :class:`Hint` with advice when they differ::

    @exercise("1.1 One output cell by hand")
    def check_output_cell(answer):
        expect(answer is not None, "Return a number.")
        expect(answer == 10, f"Expected 10, got {answer}: multiply each pair, then add all four.")
        return "1x2 + 1x0 + 3x0 + 4x2 = 10."

The decorator turns the outcome into one clear line:

- ``✅ Exercise 1.1 ... passed.`` and the success message, when the answer is right;
- ``❌ Exercise 1.1 ... not yet:`` and the hint, when it is wrong;
- ``⏳ Exercise 1.1 ... not done yet:`` when the student's function still raises
  ``NotImplementedError`` (the stub of the student version), so the notebook keeps running.

Student code lives inside functions, so an unfinished exercise never stops the notebook.
Each outcome is also recorded in :data:`RESULTS`, which the tests read.

Under grading (the environment variable ``CNNLAB_GRADING=1``, which the course's nbgrader
configuration sets for the autograder's kernel), a check prints the same line and then raises
:class:`GradedCheckFailed` unless the exercise passed, so nbgrader gives its test cell no points
and the feedback shows the hint.
"""
import functools
import os
import traceback

import numpy as np

PASSED, FAILED, NOT_DONE = "passed", "not yet", "not done yet"
#: Outcome of every check run in this process: {exercise title: PASSED | FAILED | NOT_DONE}.
RESULTS = {}


#: Set to "1" (by grading/nbgrader_config.py, for the autograder) to make checks raise unless passed.
GRADING_VARIABLE = "CNNLAB_GRADING"


class Hint(Exception):
    """Raised inside a check with advice for the student."""


class GradedCheckFailed(AssertionError):
    """Raised under grading by a check that did not pass; its message is the line the student saw."""


def grading():
    """True when checks must raise on failure: ``CNNLAB_GRADING=1`` in the environment."""
    return os.environ.get(GRADING_VARIABLE, "") == "1"


def expect(condition, hint):
    """Raise :class:`Hint` with ``hint`` unless ``condition`` holds."""
    if not condition:
        raise Hint(hint)


def expect_returned(answer, what=""):
    """Check the student's function returned something, naming ``what`` it should return."""
    expect(answer is not None, f"your function returned None: did you forget to `return`{' ' + what if what else ''}?")


def expect_shape(array, shape, what="your answer", advice=""):
    """Check that ``array`` is an ndarray of the given ``shape``, with a hint naming both shapes."""
    expect(array is not None, f"{what} is None: did you forget to `return` it?")
    array = np.asarray(array)
    expect(array.shape == tuple(shape),
           f"{what} has shape {array.shape}, expected {tuple(shape)}. {advice}".strip())


def expect_close(actual, expected, what="your answer", advice="", rtol=1e-6, atol=1e-8):
    """Check that ``actual`` equals ``expected`` within tolerance, shape first, then values."""
    expected = np.asarray(expected)
    expect_shape(actual, expected.shape, what, advice)
    actual = np.asarray(actual, dtype=float)
    if not np.allclose(actual, expected, rtol=rtol, atol=atol):
        wrong = np.argwhere(~np.isclose(actual, expected, rtol=rtol, atol=atol))
        where = tuple(int(i) for i in wrong[0]) if expected.ndim else ()
        place = f" at index {where}" if where else ""
        raise Hint(f"{what} differs{place}: got {actual[where]!r}, expected {expected[where]!r}. {advice}".strip())


def _print(symbol, title, outcome, message):
    line = f"{symbol} Exercise {title}: {outcome}." + (f" {message}" if message else "")
    print(line)
    return line


def exercise(title):
    """Decorate a check so it prints one clear line and never raises at the student (but see :func:`grading`)."""
    def decorate(check):
        @functools.wraps(check)
        def run(*args, **kwargs):
            try:
                message = check(*args, **kwargs)
            except NotImplementedError as stub:
                RESULTS[title] = NOT_DONE
                line = _print("⏳", title, NOT_DONE,
                              str(stub) or "replace the `raise NotImplementedError` with your code.")
            except Hint as hint:
                RESULTS[title] = FAILED
                line = _print("❌", title, FAILED, str(hint))
            except Exception as error:  # the student's own code failed: show where, kindly
                RESULTS[title] = FAILED
                frame = traceback.extract_tb(error.__traceback__)[-1]
                where = f"(line {frame.lineno}, `{frame.line}`)"
                line = _print("❌", title, FAILED, f"your code raised {type(error).__name__}: {error} {where}.")
            else:
                RESULTS[title] = PASSED
                _print("✅", title, PASSED, message or "")
                return
            # Raised outside the except clauses, so the feedback shows the hint, not the check's insides.
            if grading():
                raise GradedCheckFailed(line)
        run.title = title
        return run
    return decorate


def call(function, *args, **kwargs):
    """Call the student's ``function``; a stub's ``NotImplementedError`` passes through as 'not done yet'."""
    if not callable(function):
        raise Hint(f"expected a function, got {type(function).__name__}: pass the function itself, without ().")
    return function(*args, **kwargs)
