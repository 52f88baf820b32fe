"""Grading with nbgrader, for real, on a two-exercise fixture notebook (tests/fixtures/grading/).

One course directory is built and autograded for the whole module (``tools/grading_course.py build`` and
``autograde``, what ``make grading-course`` and ``make autograde`` run) with three students:
``untouched`` hands in the released version as it is, ``instructor`` the solutions, ``stride_forgotten``
a typical mistake in exercise 1. About 30-40 s on 2 cores, most of it nbgrader starting and executing
the three notebooks. Skipped where nbgrader is not installed (the ``grading`` extra; ``make test`` installs it).
"""
import csv
import re
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader is not installed: `pip install -e .[grading]` (make test does)")

from nbgrader.api import Gradebook  # noqa: E402

from _grading_helpers import submit, with_line_replaced  # noqa: E402
from grading_course import autograde, build  # noqa: E402
from student_version import student_version  # noqa: E402

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "grading" / "grading_fixture.ipynb"
ASSIGNMENT = NOTEBOOK = FIXTURE.stem
#: Each graded check's points, as the fixture's cells give them (check_relu has the tag points:2).
POINTS = {"check_output_size": 1, "check_relu": 2}
RIGHT_SIZE = "    return (n - kernel_size + 2 * padding) // stride + 1\n"
STRIDE_FORGOTTEN = "    return n - kernel_size + 2 * padding + 1\n"
STRIDE_HINT = "you forgot the stride. Divide n - kernel_size + 2 * padding by the stride, then add 1."


def _submit(course, student, nb):
    submit(course, student, ASSIGNMENT, f"{NOTEBOOK}.ipynb", nb)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (released,) = build([FIXTURE], course)
    student = nbformat.read(released, as_version=4)
    _submit(course, "untouched", student)
    _submit(course, "instructor", nbformat.read(course / "source" / ASSIGNMENT / FIXTURE.name, as_version=4))
    mistaken = with_line_replaced(course / "source" / ASSIGNMENT / FIXTURE.name, RIGHT_SIZE, STRIDE_FORGOTTEN)
    (exercise,) = [cell for cell in mistaken.cells if STRIDE_FORGOTTEN in cell.source + "\n"]
    assert exercise.metadata.nbgrader["grade_id"] == "output_size"
    _submit(course, "stride_forgotten", mistaken)
    autograde(course, mathjax=False)
    return course


def _scores(course, student):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {grade_id: gradebook.find_grade(grade_id, NOTEBOOK, ASSIGNMENT, student).score for grade_id in POINTS}


def _feedback(course, student):
    return (course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html").read_text(encoding="utf-8")


def test_the_untouched_release_scores_0_on_every_exercise(course):
    assert _scores(course, "untouched") == {grade_id: 0 for grade_id in POINTS}
    feedback = _feedback(course, "untouched")
    assert ("⏳ Exercise 1 The output size: not done yet. "
            "return (n - kernel_size + 2 * padding) // stride + 1") in feedback


def test_the_instructor_version_scores_full_marks(course):
    assert _scores(course, "instructor") == POINTS


def test_a_typical_mistake_scores_0_there_and_its_feedback_names_it(course):
    assert _scores(course, "stride_forgotten") == {"check_output_size": 0, "check_relu": 2}
    feedback = _feedback(course, "stride_forgotten")
    assert "❌ Exercise 1 The output size: not yet. output_size(7, 3, stride=2) = 5: " + STRIDE_HINT in feedback
    assert "GradedCheckFailed" in feedback, "the check cell raised, so nbgrader shows why it scored 0"


def test_the_grades_csv_has_each_student_s_total(course):
    with open(course / "grades.csv", newline="") as table:
        rows = {row["student_id"]: row for row in csv.DictReader(table)}
    assert {student: float(row["score"]) for student, row in rows.items()} == {
        "untouched": 0.0, "instructor": 3.0, "stride_forgotten": 2.0}
    assert {float(row["max_score"]) for row in rows.values()} == {3.0}
    assert {row["assignment"] for row in rows.values()} == {ASSIGNMENT}


REMOTE = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)


@pytest.mark.parametrize("student", ["untouched", "instructor", "stride_forgotten"])
def test_feedback_loads_nothing_remote_and_finds_mathjax_beside_it(course, student):
    feedback = _feedback(course, student)
    assert not REMOTE.findall(feedback), REMOTE.findall(feedback)
    assert '<script src="../../mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"></script>' in feedback
    assert "$(n - k + 2p) / s + 1$" in feedback, "without MathJax the formula still reads as its TeX source"


def test_mathjax_lands_where_the_feedback_looks_for_it(course):
    """What `make autograde` does after the grading (the fixture skips it): MathJax 2 from the npm registry."""
    from grading_course import copy_mathjax
    if copy_mathjax(course / "feedback" / "mathjax") is None:
        pytest.skip("npm could not fetch MathJax here (no npm, or the registry is out of reach)")
    page = course / "feedback" / "untouched" / ASSIGNMENT / f"{NOTEBOOK}.html"
    assert (page.parent / "../../mathjax/MathJax.js").resolve().is_file()
    assert (page.parent / "../../mathjax/config/TeX-AMS_CHTML-full.js").resolve().is_file()


def test_the_release_keeps_the_course_s_stubs_and_outputs(course):
    released = nbformat.read(course / "release" / ASSIGNMENT / FIXTURE.name, as_version=4)
    by_id = {cell.metadata.nbgrader["grade_id"]: cell for cell in released.cells}
    stub = 'raise NotImplementedError("return (n - kernel_size + 2 * padding) // stride + 1")'
    assert stub in by_id["output_size"].source
    assert ('raise NotImplementedError("Write `relu(x)` that returns $\\\\max(0, x)$ element by element, '
            'for an array `x` of any shape.")') in by_id["relu"].source
    assert by_id["cell-fixture-1"].outputs[0]["text"] == "ready\n", "a lesson cell keeps its output"
    assert by_id["check_output_size"].outputs == [] and by_id["check_relu"].outputs == []


def test_the_release_and_make_student_give_the_same_notebook(course):
    """One piece of code makes both: tools/student_version.py's stubs and output clearing."""
    released = nbformat.read(course / "release" / ASSIGNMENT / FIXTURE.name, as_version=4)
    student = student_version(nbformat.read(FIXTURE, as_version=4))
    assert [c.source for c in released.cells] == [c.source for c in student.cells]
    assert [c.get("outputs") for c in released.cells] == [c.get("outputs") for c in student.cells]


def test_the_course_directory_config_loads_the_repository_s(course):
    text = (course / "nbgrader_config.py").read_text()
    assert "load_subconfig(" in text and str(Path(__file__).resolve().parent.parent / "grading") in text
