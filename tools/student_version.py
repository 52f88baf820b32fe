"""Write the student version of the notebooks: the solutions replaced by friendly stubs.

Usage: ``python tools/student_version.py [--out build/student] notebooks/*.ipynb``

The notebooks in ``notebooks/`` are the instructor's version: each exercise's working solution sits
between nbgrader's markers, inside a function body::

    def output_size(n, k):
        # TODO: use (n - k) / stride + 1
        ### BEGIN SOLUTION
        return (n - k) // 1 + 1
        ### END SOLUTION

The student version keeps everything else as it is and, at the same indentation, puts::

        # YOUR CODE HERE
        raise NotImplementedError("use (n - k) / stride + 1")

The message says what to do: the ``# TODO:`` comment inside or just above the region when there is
one, else the first paragraph of the exercise's Markdown just above the cell, else a generic line.
The checks in ``cnnlab.teaching.checks`` turn that ``NotImplementedError`` into "not done yet", so
the student's notebook runs top to bottom. Outputs are cleared in the exercise cells and in the
check cells (those that printed an exercise outcome), so no answer shows before it is written.
``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` regions are removed.

This is the self-study copy. For a graded class, tools/grading_course.py builds nbgrader's course
directory from the same notebooks, and nbgrader's release makes the same stubs with this module's
:func:`stub_solutions` (see grading/nbgrader_config.py).
"""
import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
TODO = re.compile(r"^\s*#\s*TODO\s*:?\s*(.+?)\s*$", re.IGNORECASE)
#: The line every exercise check prints starts with one of these (see cnnlab/teaching/checks.py).
OUTCOME = re.compile(r"(✅|❌|⏳) Exercise")
GENERIC = "Write your code here (replace this line), then run the cell and the check below it."
MESSAGE_LENGTH = 200


def has_solution(cell):
    return cell.cell_type == "code" and BEGIN_SOLUTION in cell.source


def output_text(cell):
    """Everything a code cell printed or displayed as text, as one string."""
    return "".join(output.get("text", "") + output.get("data", {}).get("text/plain", "")
                   for output in cell.get("outputs", []))


#: A statement that calls an exercise check: ``check_output_size(output_size)``, ``exercises.check_relu(relu)``.
CHECK_CALL = re.compile(r"^[ \t]*(?:[A-Za-z_][\w.]*\.)?(check_\w+)\s*\(", re.MULTILINE)


def checks_called(cell):
    """The names of the ``check_*`` functions a code cell calls, in order (``[]`` for other cells)."""
    return CHECK_CALL.findall(cell.source) if cell.cell_type == "code" else []


def is_check(cell):
    """A check cell calls a ``check_*`` function, or its stored output holds an exercise outcome line."""
    return cell.cell_type == "code" and bool(checks_called(cell) or OUTCOME.search(output_text(cell)))


def _instructions(markdown):
    """The first paragraph of an exercise's Markdown that is not a heading, on one line."""
    for paragraph in re.split(r"\n\s*\n", markdown):
        lines = [line.strip() for line in paragraph.splitlines() if not line.lstrip().startswith("#")]
        text = " ".join(line for line in lines if line)
        if text:
            return _shorten(text)
    return None


def _shorten(text):
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= MESSAGE_LENGTH else text[:MESSAGE_LENGTH - 1].rstrip() + "…"


def _todo_near(lines, begin, end):
    """A ``# TODO:`` comment inside the region, or in the comment lines directly above it."""
    for line in lines[begin + 1:end]:
        if TODO.match(line):
            return TODO.match(line).group(1)
    above = begin - 1
    while above >= 0 and lines[above].lstrip().startswith("#"):
        if TODO.match(lines[above]):
            return TODO.match(lines[above]).group(1)
        above -= 1
    return None


def _remove_regions(source, begin_marker, end_marker):
    kept, inside = [], False
    for line in source.splitlines():
        if line.strip() == begin_marker:
            inside = True
        elif line.strip() == end_marker and inside:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def stub_solutions(source, exercise_text=None):
    """Replace every solution region of ``source`` by a stub at the region's own indentation."""
    lines = source.splitlines()
    out, index = [], 0
    while index < len(lines):
        line = lines[index]
        if line.strip() != BEGIN_SOLUTION:
            out.append(line)
            index += 1
            continue
        end = next((j for j in range(index + 1, len(lines)) if lines[j].strip() == END_SOLUTION), None)
        if end is None:
            raise ValueError(f"{BEGIN_SOLUTION!r} on line {index + 1} has no {END_SOLUTION!r} after it")
        indent = line[:len(line) - len(line.lstrip())]
        todo = _todo_near(lines, index, end)
        message = _shorten(todo) if todo else exercise_text or GENERIC
        out.append(f"{indent}# YOUR CODE HERE")
        out.append(f"{indent}raise NotImplementedError({json.dumps(message, ensure_ascii=False)})")
        index = end + 1
    return "\n".join(out)


def _clear(cell):
    cell.outputs = []
    cell.execution_count = None


def exercise_texts(cells):
    """For each cell, the first paragraph of the latest Markdown above it that has one (``None`` before any)."""
    texts, exercise_text = [], None
    for cell in cells:
        texts.append(exercise_text)
        if cell.cell_type == "markdown":
            exercise_text = _instructions(cell.source) or exercise_text
    return texts


def student_version(nb):
    """Return a student copy of notebook ``nb`` (the argument is left as it is)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell, exercise_text in zip(nb.cells, exercise_texts(nb.cells)):
        if cell.cell_type != "code":
            continue
        if BEGIN_HIDDEN in cell.source:
            cell.source = _remove_regions(cell.source, BEGIN_HIDDEN, END_HIDDEN)
        if has_solution(cell):
            cell.source = stub_solutions(cell.source, exercise_text)
            _clear(cell)
        elif is_check(cell):
            _clear(cell)
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build/student"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        stubs = sum(cell.source.count(BEGIN_SOLUTION) for cell in nb.cells if has_solution(cell))
        nbformat.write(student_version(nb), args.out / path.name)
        print(f"{args.out / path.name}: {stubs} solution(s) replaced by stubs")


if __name__ == "__main__":
    sys.exit(main())
