"""Build nbgrader's course directory from ``notebooks/`` and autograde the submissions in it.

Usage::

    python tools/grading_course.py build [--course build/grading] notebooks/*.ipynb
    python tools/grading_course.py autograde [--course build/grading] [--no-mathjax]

``build`` (``make grading-course``) makes one assignment per notebook, named after it
(``source/01_convolution/01_convolution.ipynb``), with nbgrader's cell metadata written from the
course's conventions (tools/nbgrader_cells.py), and runs ``nbgrader generate_assignment`` for each:
the student versions land in ``release/<assignment>/``, with the course's stubs and TODO messages.

``autograde`` (``make autograde``) grades every ``submitted/<student>/<assignment>/`` with
``nbgrader autograde``, writes each student's feedback page with ``nbgrader generate_feedback``
(``feedback/<student>/<assignment>/<notebook>.html``) and the grades with ``nbgrader export``
(``grades.csv``), and copies MathJax 2 from the npm registry into ``feedback/mathjax/`` so the formulas
render offline (the pages never load anything remote; without that folder they show the TeX source).

Every nbgrader command runs inside the course directory, whose ``nbgrader_config.py`` loads
grading/nbgrader_config.py: an instructor's own ``nbgrader ...`` there uses the same settings.
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

import nbformat

from nbgrader_cells import ConventionError, with_nbgrader_metadata

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "build" / "grading"
CONFIG = ROOT / "grading" / "nbgrader_config.py"
LOADER = '''# Written by tools/grading_course.py: the course's nbgrader settings live in the repository.
c = get_config()
load_subconfig({config!r})
'''


class GradingError(RuntimeError):
    """An nbgrader command failed; the message holds its last lines of output."""


def nbgrader(course, *args):
    """Run ``nbgrader ARGS`` in ``course`` with this interpreter; raise :class:`GradingError` if it fails."""
    # nbgrader runs `alembic` (its gradebook's migrations) from PATH: this interpreter's scripts come first.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          env={**os.environ, "PATH": path})
    if done.returncode != 0:
        raise GradingError(f"nbgrader {' '.join(args)} failed in {course}:\n{(done.stdout + done.stderr)[-3000:]}")
    return done.stdout + done.stderr


def write_config(course):
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(LOADER.format(config=str(CONFIG)), encoding="utf-8")


def build(notebooks, course=COURSE):
    """Write ``course/source/<name>/<name>.ipynb`` for each notebook and release it; return the released paths."""
    course = Path(course).resolve()
    annotated, problems = {}, []
    for path in map(Path, notebooks):  # every notebook's conventions first, so one run lists every problem
        try:
            annotated[path] = with_nbgrader_metadata(nbformat.read(path, as_version=4), path.name)
        except ConventionError as error:
            problems.append(str(error))
    if problems:
        raise ConventionError("\n".join(problems))
    write_config(course)
    released = []
    for path, nb in annotated.items():
        if not any(cell.metadata.nbgrader["grade"] for cell in nb.cells):
            print(f"{path.name}: no exercise check, so no assignment")
            continue
        assignment = path.stem
        source = course / "source" / assignment
        source.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, source / path.name)
        nbgrader(course, "generate_assignment", assignment, "--force")
        released.append(course / "release" / assignment / path.name)
    return released


def submitted_assignments(course):
    """The assignments that have at least one submission in ``course/submitted/<student>/``, sorted."""
    return sorted({folder.name for folder in (Path(course) / "submitted").glob("*/*") if folder.is_dir()})


def autograde(course=COURSE, mathjax=True):
    """Autograde every submission, write the feedback pages and ``grades.csv``; return the CSV's path."""
    course = Path(course).resolve()
    write_config(course)
    assignments = submitted_assignments(course)
    if not assignments:
        raise GradingError(f"no submissions in {course / 'submitted'}: expected submitted/<student>/<assignment>/")
    for assignment in assignments:
        nbgrader(course, "autograde", assignment, "--force")
        nbgrader(course, "generate_feedback", assignment, "--force")
    grades = course / "grades.csv"
    nbgrader(course, "export", "--to", str(grades))
    if mathjax:
        copy_mathjax(course / "feedback" / "mathjax")
    return grades


def copy_mathjax(destination):
    """MathJax 2 for the feedback pages: the same npm package and trimmed copy as tools/build_slides.py's."""
    from build_slides import JavaScriptUnavailable, copy_mathjax as copy, fetch_javascript
    try:
        modules = fetch_javascript(ROOT / "build" / "slides-js")
    except JavaScriptUnavailable as error:
        print(f"MathJax not copied ({error}): the feedback pages show formulas as their TeX source.")
        return None
    copy(modules, destination)
    return destination


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="build the course directory and release the student versions")
    build_command.add_argument("notebooks", nargs="+", type=Path)
    grade_command = commands.add_parser("autograde", help="autograde submitted/, write feedback and grades.csv")
    grade_command.add_argument("--no-mathjax", action="store_true", help="do not copy MathJax beside the feedback")
    for command in (build_command, grade_command):
        command.add_argument("--course", type=Path, default=COURSE, help=f"the course directory (default {COURSE})")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            for path in build(args.notebooks, args.course):
                print(f"released {path}")
        else:
            grades = autograde(args.course, mathjax=not args.no_mathjax)
            print(f"feedback in {args.course / 'feedback'}, grades in {grades}")
    except (ConventionError, GradingError) as error:
        sys.exit(f"grading_course {args.command}: {error}")


if __name__ == "__main__":
    sys.exit(main())
