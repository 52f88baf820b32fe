"""What the two grading tests share: handing in a notebook, and a submission with one line changed."""
import nbformat


def submit(course, student, assignment, name, nb):
    """Put ``nb`` where nbgrader looks for ``student``'s submission of ``assignment``, as ``name``."""
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / name)


def with_line_replaced(path, right, wrong):
    """The notebook at ``path`` with the one cell holding the line ``right`` changed to ``wrong``."""
    nb = nbformat.read(path, as_version=4)
    (cell,) = [cell for cell in nb.cells if right in cell.source + "\n"]
    cell.source = (cell.source + "\n").replace(right, wrong).rstrip("\n")
    return nb
