"""Grading a real course notebook with nbgrader: 03 (softmax and cross-entropy, built by the student).

tests/test_grading.py holds the machinery on a small fixture; this holds it on the course itself, for the
notebook whose build-it-yourself exercises end the forward and backward path (softmax, cross-entropy and
its gradient y - t). Three students: ``untouched`` hands in the release, ``instructor`` the solutions,
``no_mean`` the gradient y - t without the 1/N of the mean. Grading the whole course (ten notebooks) takes
minutes, so `make test` grades this one; `make grading-course` and `make autograde` do all of them.
"""
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader is not installed: `pip install -e .[grading]` (make test does)")

from nbgrader.api import Gradebook  # noqa: E402

from _grading_helpers import submit, with_line_replaced  # noqa: E402
from grading_course import autograde, build  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "03_sigmoid_and_losses.ipynb"
ASSIGNMENT = NOTEBOOK.stem
RIGHT_GRADIENT = "    return grad_output * (y - t) / len(target)\n"
NO_MEAN = "    return grad_output * (y - t)\n"


def _submit(course, student, nb):
    submit(course, student, ASSIGNMENT, NOTEBOOK.name, nb)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (released,) = build([NOTEBOOK], course)
    _submit(course, "untouched", nbformat.read(released, as_version=4))
    source = course / "source" / ASSIGNMENT / NOTEBOOK.name
    _submit(course, "instructor", nbformat.read(source, as_version=4))
    _submit(course, "no_mean", with_line_replaced(source, RIGHT_GRADIENT, NO_MEAN))
    autograde(course, mathjax=False)
    return course


def _scores(course, student):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        return {grade.name: (grade.score, grade.max_score) for grade in notebook.grades if grade.auto_score is not None}


def test_every_exercise_of_the_untouched_release_scores_0(course):
    scores = _scores(course, "untouched")
    assert len(scores) == 6
    assert all(score == 0 for score, _ in scores.values()), scores


def test_the_instructor_version_scores_full_marks(course):
    scores = _scores(course, "instructor")
    assert all(score == maximum > 0 for score, maximum in scores.values()), scores


def test_the_gradient_without_the_mean_scores_0_there_only_and_its_feedback_says_so(course):
    scores, full = _scores(course, "no_mean"), _scores(course, "instructor")
    assert scores["check_cross_entropy_backward"][0] == 0
    assert {name: s for name, s in scores.items() if name != "check_cross_entropy_backward"} == \
        {name: s for name, s in full.items() if name != "check_cross_entropy_backward"}
    feedback = (course / "feedback" / "no_mean" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "the loss is the *mean* over the" in feedback and "GradedCheckFailed" in feedback
