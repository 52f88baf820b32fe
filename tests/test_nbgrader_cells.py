"""nbgrader's cell metadata written from the course's conventions (tools/nbgrader_cells.py); no nbgrader needed."""
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from nbgrader_cells import ConventionError, main, with_nbgrader_metadata

EXERCISE = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"


def _notebook(*cells):
    nb = new_notebook(cells=list(cells))
    for index, cell in enumerate(nb.cells):
        cell.id = f"c{index}"
    return nb


def _grading(nb):
    return [cell.metadata.nbgrader for cell in with_nbgrader_metadata(nb).cells]


def test_exercise_check_and_lesson_cells_get_their_roles():
    meta = _grading(_notebook(new_markdown_cell("### Exercise 1"), new_code_cell(EXERCISE),
                              new_code_cell("check_double(double)"), new_code_cell("print(double(2))")))
    assert meta[0] == {"grade": False, "grade_id": "cell-c0", "locked": True, "schema_version": 3,
                       "solution": False, "task": False}
    assert meta[1] == {"grade": False, "grade_id": "double", "locked": False, "schema_version": 3,
                       "solution": True, "task": False}
    assert meta[2] == {"grade": True, "grade_id": "check_double", "locked": True, "points": 1,
                       "schema_version": 3, "solution": False, "task": False}
    assert meta[3]["locked"] is True and meta[3]["grade"] is False and meta[3]["grade_id"] == "cell-c3"


def test_a_qualified_check_call_counts_and_a_check_definition_does_not():
    meta = _grading(_notebook(new_code_cell("def check_mine(f):\n    return f(1)"), new_code_cell(EXERCISE),
                              new_code_cell("from x import exercises\n\nexercises.check_double(double)")))
    assert meta[0]["grade"] is False
    assert meta[2]["grade_id"] == "check_double" and meta[2]["grade"] is True


def test_a_points_tag_sets_the_points():
    check = new_code_cell("check_double(double)", metadata={"tags": ["nbval-ignore-output", "points:3"]})
    assert _grading(_notebook(new_code_cell(EXERCISE), check))[1]["points"] == 3


def test_ids_stay_unique_when_a_check_runs_twice_and_two_exercises_share_a_check():
    meta = _grading(_notebook(new_code_cell(EXERCISE), new_code_cell("check_double(double)"),
                              new_code_cell(EXERCISE), new_code_cell(EXERCISE.replace("double", "twice")),
                              new_code_cell("check_double(twice)")))
    assert [m["grade_id"] for m in meta] == ["double", "check_double", "double_2", "double_3", "check_double_2"]


def test_ids_are_stable_when_a_lesson_cell_is_inserted_above():
    before = _grading(_notebook(new_code_cell(EXERCISE), new_code_cell("check_double(double)")))
    nb = _notebook(new_markdown_cell("new text"), new_code_cell(EXERCISE), new_code_cell("check_double(double)"))
    after = _grading(nb)
    assert [m["grade_id"] for m in before] == [m["grade_id"] for m in after[1:]]


def test_an_exercise_and_its_check_in_one_cell_must_be_split():
    nb = _notebook(new_code_cell(EXERCISE + "\n\ncheck_double(double)"))
    with pytest.raises(ConventionError, match=r"02_demo.ipynb, cell 0 holds an exercise and calls check_double"):
        with_nbgrader_metadata(nb, "02_demo.ipynb")


def test_an_exercise_without_a_check_after_it_is_an_error():
    nb = _notebook(new_code_cell("check_double(double)"), new_code_cell(EXERCISE))
    with pytest.raises(ConventionError, match="cell 1: an exercise with no check cell after it"):
        with_nbgrader_metadata(nb)


def test_two_points_tags_are_an_error():
    check = new_code_cell("check_double(double)", metadata={"tags": ["points:1", "points:2"]})
    with pytest.raises(ConventionError, match="2 `points:N` tags"):
        with_nbgrader_metadata(_notebook(new_code_cell(EXERCISE), check))


def test_the_source_notebook_is_left_as_it_was():
    nb = _notebook(new_code_cell(EXERCISE), new_code_cell("check_double(double)"))
    before = nbformat.writes(nb)
    with_nbgrader_metadata(nb)
    assert nbformat.writes(nb) == before


def test_the_command_line_writes_annotated_copies(tmp_path, capsys):
    source = tmp_path / "01_demo.ipynb"
    nbformat.write(_notebook(new_code_cell(EXERCISE), new_code_cell("check_double(double)")), source)
    main([str(source), "--out", str(tmp_path / "out")])
    written = nbformat.read(tmp_path / "out" / "01_demo.ipynb", as_version=4)
    assert written.cells[1].metadata.nbgrader["grade_id"] == "check_double"
    assert "1 graded check(s): check_double" in capsys.readouterr().out


NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_course_notebook_follows_the_grading_conventions(path):
    """Each exercise of the course has its check in a cell of its own, so nbgrader can grade every one."""
    nb = nbformat.read(path, as_version=4)
    cells = with_nbgrader_metadata(nb, path.name).cells
    solutions = [cell for cell in cells if cell.metadata.nbgrader["solution"]]
    graded = [cell for cell in cells if cell.metadata.nbgrader["grade"]]
    assert len(graded) >= len({cell.metadata.nbgrader["grade_id"] for cell in solutions}) >= 1
    assert all("nbgrader" not in cell.metadata for cell in nb.cells), "notebooks/ stores no nbgrader metadata"
