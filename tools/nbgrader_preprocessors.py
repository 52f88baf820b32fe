"""nbgrader preprocessors that make the released notebooks the same as ``make student``'s copies.

grading/nbgrader_config.py puts them in ``GenerateAssignment.preprocessors`` in place of nbgrader's
``ClearSolutions`` and ``ClearOutput``:

- :class:`FriendlyStubs` replaces each solution region by ``# YOUR CODE HERE`` and
  ``raise NotImplementedError("<the exercise's TODO>")`` with tools/student_version.py's own
  :func:`~student_version.stub_solutions`, instead of nbgrader's bare ``raise NotImplementedError()``;
- :class:`ClearExerciseOutputs` clears the outputs of the exercise and check cells only, as
  ``make student`` does: the figures and tables of the lesson stay for the student to read.
"""
from nbgrader import utils
from nbgrader.preprocessors import ClearOutput, ClearSolutions

from student_version import exercise_texts, stub_solutions


class FriendlyStubs(ClearSolutions):
    """nbgrader's ClearSolutions, with the stub message taken from the exercise's ``# TODO:`` or its Markdown."""

    def preprocess(self, nb, resources):
        # Each code cell's message depends on the Markdown above it, so it is worked out for the whole notebook.
        self._exercise_text = {id(cell): text for cell, text in zip(nb.cells, exercise_texts(nb.cells))}
        return super().preprocess(nb, resources)

    def _replace_solution_region(self, cell, language):
        if cell.cell_type != "code" or language != "python":
            return super()._replace_solution_region(cell, language)
        stubbed = stub_solutions(cell.source, self._exercise_text.get(id(cell)))
        replaced = stubbed != cell.source
        cell.source = stubbed
        return replaced


class ClearExerciseOutputs(ClearOutput):
    """Clear outputs only in solution (exercise) and grade (check) cells; the lesson's other outputs stay."""

    def preprocess_cell(self, cell, resources, cell_index):
        if utils.is_solution(cell) or utils.is_grade(cell):
            return super().preprocess_cell(cell, resources, cell_index)
        return cell, resources
