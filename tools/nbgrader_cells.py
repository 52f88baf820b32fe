"""Write nbgrader's cell metadata into a notebook from the course's conventions, so it never drifts.

Usage: ``python tools/nbgrader_cells.py --out DIR notebooks/*.ipynb`` (tools/grading_course.py calls
:func:`with_nbgrader_metadata` when it builds the course directory; ``notebooks/`` itself stays free of it).

The conventions, which the notebooks keep in their source:

- an **exercise cell** holds a ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region (inside a function):
  ``solution: true``, ``grade: false``, ``locked: false``: the student writes there;
- its **check cell** comes after it and calls a ``check_*`` function, e.g. ``check_output_size(output_size)``:
  ``grade: true``, ``locked: true``, ``points: 1`` (a cell tag ``points:N`` gives N points); under grading
  the check raises unless the exercise passed (cnnlab/teaching/checks.py), so the cell scores 0 or N;
- every other cell is read-only: ``locked: true``.

``grade_id`` is stable and readable: the check's function name for a check cell (``check_output_size``),
the same name without ``check_`` for the exercise cells before it (``output_size``), ``cell-<cell id>``
for the rest; a name used twice in a notebook gets ``_2``, ``_3``. A cell with both a solution region and
a check call, or an exercise with no check after it, is an error that names the cell.
"""
import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

from student_version import checks_called, has_solution

SCHEMA_VERSION = 3
POINTS_TAG = re.compile(r"^points:(\d+(?:\.\d+)?)$")
DEFAULT_POINTS = 1


class ConventionError(ValueError):
    """A notebook does not follow the exercise conventions that the grading metadata is derived from."""


def _points(cell, where):
    found = [POINTS_TAG.match(tag) for tag in cell.metadata.get("tags", [])]
    found = [match for match in found if match]
    if len(found) > 1:
        raise ConventionError(f"{where} has {len(found)} `points:N` tags: keep one")
    if not found:
        return DEFAULT_POINTS
    points = float(found[0].group(1))
    return int(points) if points.is_integer() else points


def _unique(name, used):
    candidate, number = name, 1
    while candidate in used:
        number += 1
        candidate = f"{name}_{number}"
    used.add(candidate)
    return candidate


def _metadata(grade_id, solution=False, grade=False, locked=True, points=None):
    metadata = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
                "solution": solution, "task": False}
    if grade:
        metadata["points"] = points
    return metadata


def with_nbgrader_metadata(nb, name="the notebook"):
    """Return a copy of ``nb`` whose every cell carries ``metadata.nbgrader`` by the conventions above.

    ``name`` only names the notebook in errors. Raises :class:`ConventionError` where a cell breaks them.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    used, waiting = set(), []  # waiting: indices of exercise cells not yet followed by their check
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index}"
        checks = checks_called(cell)
        if has_solution(cell) and checks:
            raise ConventionError(f"{where} holds an exercise and calls {checks[0]}: put the check in a cell "
                                  "of its own after the exercise, so nbgrader can grade it")
        if has_solution(cell):
            waiting.append(index)
        elif checks:
            check_id = _unique(checks[0], used)
            cell.metadata["nbgrader"] = _metadata(check_id, grade=True, points=_points(cell, where))
            answer = checks[0][len("check_"):]
            for exercise in waiting:
                nb.cells[exercise].metadata["nbgrader"] = _metadata(_unique(answer, used), solution=True,
                                                                    locked=False)
            waiting = []
        else:
            cell_id = cell.get("id") or str(index)
            cell.metadata["nbgrader"] = _metadata(_unique(f"cell-{cell_id}", used))
    if waiting:
        raise ConventionError(f"{name}, cell {waiting[0]}: an exercise with no check cell after it "
                              "(a cell that calls a check_* function)")
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        try:
            nb = with_nbgrader_metadata(nbformat.read(path, as_version=4), path.name)
        except ConventionError as error:
            sys.exit(f"nbgrader_cells: {error}")
        nbformat.write(nb, args.out / path.name)
        graded = [c.metadata.nbgrader["grade_id"] for c in nb.cells if c.metadata.nbgrader["grade"]]
        print(f"{args.out / path.name}: {len(graded)} graded check(s): {', '.join(graded) or 'none'}")


if __name__ == "__main__":
    sys.exit(main())
