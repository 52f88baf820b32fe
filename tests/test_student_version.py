"""The student version (tools/student_version.py): stubs where the solutions were, the rest intact.

Unit tests run the transformation on a small synthetic notebook. The integration tests read the
real notebooks: the instructor's stored outputs pass every check, and the student version executes
top to bottom with every check saying "not done yet". That last test executes every notebook with
exercises once more, as nbval does (about 80 s for the ten notebooks on 2 cores);
``CNNLAB_STUDENT_NOTEBOOKS=01,05`` limits it to the notebooks with those numbers.
"""
import ast
import io
import os
import re
from contextlib import redirect_stdout
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cnnlab.teaching.checks import exercise
from student_version import GENERIC, has_solution, output_text, student_version

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

EXERCISE_MARKDOWN = """### Exercise 1.1: double it

Write `double(x)` that returns twice `x`.

It is easy."""

SOLUTION = '''def double(x):
    """Twice x."""
    ### BEGIN SOLUTION
    result = 2 * x
    return result
    ### END SOLUTION'''

CHECK_OUTPUT = "✅ Exercise 1.1 double it: passed. 2 x 3 = 6.\n"


def _notebook():
    return new_notebook(cells=[
        new_markdown_cell("# Title\n\nWidgets appear as text until the cells run."),
        new_code_cell("import numpy as np\nprint(np.arange(3))", execution_count=1,
                      outputs=[new_output("stream", name="stdout", text="[0 1 2]\n")]),
        new_markdown_cell(EXERCISE_MARKDOWN),
        new_code_cell(SOLUTION, execution_count=2),
        new_code_cell("check_double(double)", execution_count=3,
                      outputs=[new_output("stream", name="stdout", text=CHECK_OUTPUT)]),
        new_code_cell("x = 1\n### BEGIN HIDDEN TESTS\nassert double(2) == 4\n### END HIDDEN TESTS\nprint(x)",
                      execution_count=4, outputs=[new_output("stream", name="stdout", text="1\n")]),
    ])


@pytest.fixture
def student():
    return student_version(_notebook())


def test_the_solution_becomes_a_stub_at_the_same_indentation(student):
    source = student.cells[3].source
    assert "result = 2 * x" not in source and "BEGIN SOLUTION" not in source
    assert source.splitlines()[:2] == ["def double(x):", '    """Twice x."""']
    assert source.splitlines()[2] == "    # YOUR CODE HERE"
    assert source.splitlines()[3].startswith("    raise NotImplementedError(")
    ast.parse(source)


def test_the_stub_says_what_to_do_in_the_exercise_s_words(student):
    namespace = {}
    exec(student.cells[3].source, namespace)
    with pytest.raises(NotImplementedError, match=r"^Write `double\(x\)` that returns twice `x`\.$"):
        namespace["double"](3)


def test_a_todo_comment_is_preferred_to_the_markdown():
    source = ("def f(x):\n    # TODO: add one to x, without a loop\n"
              "    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION")
    nb = new_notebook(cells=[new_markdown_cell(EXERCISE_MARKDOWN), new_code_cell(source)])
    stub = student_version(nb).cells[1].source
    assert 'raise NotImplementedError("add one to x, without a loop")' in stub
    assert "# TODO: add one to x" in stub, "the comment above the region stays for the student"


def test_a_generic_friendly_message_when_there_is_nothing_to_quote():
    nb = new_notebook(cells=[new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")])
    namespace = {}
    exec(student_version(nb).cells[0].source, namespace)
    with pytest.raises(NotImplementedError) as raised:
        namespace["f"]()
    assert str(raised.value) == GENERIC


def test_quotes_and_backslashes_in_the_message_stay_valid_python():
    markdown = 'Return "the answer" as a string, with a \\ backslash and a `{"key": 1}`.'
    nb = new_notebook(cells=[new_markdown_cell(markdown),
                             new_code_cell("def f():\n        ### BEGIN SOLUTION\n"
                                           "        pass\n        ### END SOLUTION")])
    namespace = {}
    exec(student_version(nb).cells[1].source, namespace)
    with pytest.raises(NotImplementedError) as raised:
        namespace["f"]()
    assert str(raised.value) == markdown


def test_two_regions_in_one_cell_each_get_a_stub_with_their_own_indentation():
    source = ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n\n"
              "class G:\n    def h(self):\n        ### BEGIN SOLUTION\n        return 2\n        ### END SOLUTION")
    stub = student_version(new_notebook(cells=[new_code_cell(source)])).cells[0].source
    assert re.findall(r"^( *)# YOUR CODE HERE$", stub, re.MULTILINE) == ["    ", "        "]
    assert "return 1" not in stub and "return 2" not in stub
    ast.parse(stub)


def test_an_unclosed_region_is_an_error_that_names_the_line():
    nb = new_notebook(cells=[new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1")])
    with pytest.raises(ValueError, match="line 2"):
        student_version(nb)


def test_outputs_are_cleared_only_in_exercise_and_check_cells(student):
    original = _notebook()
    for index in (3, 4):
        assert student.cells[index].outputs == [] and student.cells[index].execution_count is None
    assert student.cells[1].outputs == original.cells[1].outputs
    assert student.cells[5].outputs == original.cells[5].outputs
    assert [c.source for c in student.cells[:3]] == [c.source for c in original.cells[:3]]


def test_hidden_tests_are_removed(student):
    assert student.cells[5].source == "x = 1\nprint(x)"


def test_the_instructor_notebook_is_left_as_it_was():
    nb = _notebook()
    before = nbformat.writes(nb)
    student_version(nb)
    assert nbformat.writes(nb) == before


def test_a_stub_reads_as_not_done_yet_to_the_checks(student):
    @exercise("1.1 double it")
    def check_double(double):
        assert double(3) == 6
        return "2 x 3 = 6."

    namespace = {}
    exec(student.cells[3].source, namespace)
    printed = io.StringIO()
    with redirect_stdout(printed):
        check_double(namespace["double"])
    assert printed.getvalue().startswith("⏳ Exercise 1.1 double it: not done yet. Write `double(x)`")


def test_the_command_line_writes_the_student_folder(tmp_path):
    from student_version import main
    source = tmp_path / "01_demo.ipynb"
    nbformat.write(_notebook(), source)
    main([str(source), "--out", str(tmp_path / "student")])
    written = nbformat.read(tmp_path / "student" / "01_demo.ipynb", as_version=4)
    assert "# YOUR CODE HERE" in written.cells[3].source


# --- The real notebooks --------------------------------------------------------------------------

OUTCOME_LINE = re.compile(r"^(✅|❌|⏳) Exercise (.+?): (passed|not yet|not done yet)\.", re.MULTILINE)


def _outcomes(text):
    return [(symbol, title) for symbol, title, _ in OUTCOME_LINE.findall(text)]


def _exercise_notebooks():
    return [path for path in sorted(NOTEBOOKS.glob("*.ipynb"))
            if any(has_solution(cell) for cell in nbformat.read(path, as_version=4).cells)]


EXERCISE_NOTEBOOKS = _exercise_notebooks()


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda p: p.name)
def test_the_instructor_version_passes_every_check(path):
    nb = nbformat.read(path, as_version=4)
    waiting = None  # the first solution cell not yet followed by a passed check
    for index, cell in enumerate(nb.cells):
        if has_solution(cell) and waiting is None:
            waiting = index
        outcomes = _outcomes(output_text(cell)) if cell.cell_type == "code" else []
        failing = [f"{s} {t}" for s, t in outcomes if s != "✅"]
        assert not failing, f"{path.name}, cell {index}: the stored solution does not pass: {failing}"
        if outcomes:
            waiting = None
    assert waiting is None, f"{path.name}: the exercise in cell {waiting} is not followed by a check that passed"


# Executing a student notebook costs as much as nbval executing the instructor's. By default every
# exercise notebook runs; CNNLAB_STUDENT_NOTEBOOKS=NN,NN (two-digit prefixes) limits the run.
_ONLY = os.environ.get("CNNLAB_STUDENT_NOTEBOOKS", "")
STUDENT_RUN = [p for p in EXERCISE_NOTEBOOKS if not _ONLY or p.name[:2] in _ONLY.split(",")]


@pytest.mark.parametrize("path", STUDENT_RUN, ids=lambda p: p.name)
def test_student_notebook_runs_and_every_check_says_not_done_yet(path):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    instructor = nbformat.read(path, as_version=4)
    student = student_version(instructor)
    # "python3" is the interpreter running the tests (jupyter_client swaps in sys.executable),
    # as nbval's --nbval-current-env does; run from notebooks/ so relative paths work.
    # 90 s: the longest cell takes about 10 s. A cell with a widget can make nbclient miss the kernel's reply and
    # wait out the whole limit before it finds the reply (nbclient issue 312); the limit bounds that stall.
    client = NotebookClient(student, kernel_name="python3", timeout=90,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"the student version of {path.name} stops with an error:\n{str(error)[:2000]}")
    printed = "".join(output_text(cell) for cell in student.cells if cell.cell_type == "code")
    outcomes = _outcomes(printed)
    expected = {title for symbol, title in _outcomes("".join(output_text(c) for c in instructor.cells
                                                             if c.cell_type == "code"))}
    assert outcomes, f"the student version of {path.name} ran no exercise check"
    assert {s for s, _ in outcomes} == {"⏳"}, (
        f"{path.name}: with the stubs in place every check should say 'not done yet', got "
        f"{[f'{s} {t}' for s, t in outcomes if s != '⏳']}")
    assert {t for _, t in outcomes} == expected, "the student version runs other checks than the instructor's"
