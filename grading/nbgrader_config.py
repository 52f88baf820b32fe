"""The course's nbgrader configuration: the course directory's own nbgrader_config.py loads this file.

tools/grading_course.py writes that one-line loader into the course directory (``build/grading/`` by
default), so every nbgrader command run there (``make grading-course``, ``make autograde``, or an
instructor's own ``nbgrader ...``) uses these settings:

- the release keeps the course's stubs and outputs: tools/nbgrader_preprocessors.py replaces
  nbgrader's ClearSolutions and ClearOutput (see ``make student``, the self-study copy);
- the autograder's kernel starts with ``CNNLAB_GRADING=1``, so a check that does not pass raises
  after printing its hint (cnnlab/teaching/checks.py) and its test cell scores 0;
- the feedback pages load MathJax from ``feedback/mathjax/`` beside them, never from a CDN
  (grading/templates/cnnlab_feedback/).
"""
import os
import sys
from pathlib import Path

import nbgrader
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ComputeChecksums,
                                    IncludeHeaderFooter, InstantiateTests, LockCells, SaveCells)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
from nbgrader_preprocessors import ClearExerciseOutputs, FriendlyStubs  # noqa: E402

#: What the autograder's kernel runs first: grading mode on for the checks (read at each check call).
GRADING_ON = "import os; os.environ['CNNLAB_GRADING'] = '1'"

c = get_config()  # noqa: F821 (traitlets provides it to config files)
c.CourseDirectory.course_id = "cnnlab"

# nbgrader 0.9's own list and order, with the course's stubs and output clearing in place of its own.
c.GenerateAssignment.preprocessors = [
    IncludeHeaderFooter, InstantiateTests, LockCells, FriendlyStubs, ClearExerciseOutputs, CheckCellMetadata,
    ComputeChecksums, SaveCells, ClearHiddenTests, ClearMarkScheme, ComputeChecksums, CheckCellMetadata,
]

# nbgrader's own kernel argument, and grading mode.
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", f"--IPKernelApp.exec_lines={GRADING_ON}"]
# The longest cell (notebook 08's training) takes about 10 s here; 120 s leaves room for a slower machine. The
# limit also ends a known stall: now and then nbclient misses the reply to a cell with a widget and waits out
# the whole limit, then finds the reply and goes on (nbclient issue 312). Measured once in 20 notebooks: 600 s.
c.Execute.timeout = 120

# Feedback: nbgrader's page, with MathJax from the course directory (feedback/mathjax/) instead of a CDN.
c.HTMLExporter.template_name = "cnnlab_feedback"
c.HTMLExporter.extra_template_basedirs = [
    str(HERE / "templates"),
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates"),
]
