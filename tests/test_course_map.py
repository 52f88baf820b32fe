"""The course map (cnnlab/teaching/course.py) agrees with the notebooks, notebook 00 and the docs."""
import re
from pathlib import Path

import nbformat

from cnnlab.teaching.course import COURSE, instructor_table, markdown_table, presenting_table, total_minutes

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
REGENERATE = ("paste the output of `python -c \"from cnnlab.teaching.course import {0}; print({0}('../notebooks/'))\"` "
              "into {1}")


def test_every_notebook_is_on_the_map_and_every_entry_has_its_notebook():
    on_disk = {path.name for path in NOTEBOOKS.glob("*.ipynb")}
    on_map = {lesson.notebook for lesson in COURSE}
    assert on_disk - on_map == set(), f"add these notebooks to cnnlab/teaching/course.py: {sorted(on_disk - on_map)}"
    assert on_map - on_disk == set(), f"the map lists notebooks that do not exist: {sorted(on_map - on_disk)}"


def test_the_map_is_in_order_with_a_summary_and_a_time():
    numbers = [lesson.notebook[:2] for lesson in COURSE]
    assert numbers == [f"{n:02d}" for n in range(len(COURSE))]
    for lesson in COURSE:
        assert lesson.summary.endswith(".") and 5 <= lesson.minutes <= 90 and lesson.widgets and lesson.widget_slides
    assert total_minutes() == sum(lesson.minutes for lesson in COURSE) == 520


def test_the_markdown_table_links_every_notebook_with_its_time():
    table = markdown_table()
    for lesson in COURSE:
        assert f"[{lesson.title}]({lesson.notebook})" in table and f"| {lesson.minutes} min |" in table
    assert "**8 h 40 min**" in table


def test_notebook_00_shows_the_map_from_course_py():
    nb = nbformat.read(NOTEBOOKS / "00_start_here.ipynb", as_version=4)
    shown = [output["data"]["text/markdown"] for cell in nb.cells if cell.cell_type == "code"
             for output in cell.outputs if "text/markdown" in output.get("data", {})]
    assert shown == [markdown_table()], "re-run notebooks/00_start_here.ipynb (tools/execute_notebooks.py)"


def test_the_docs_show_the_same_map_and_timings():
    course_map = (ROOT / "docs" / "course-map.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "instructor-guide.md").read_text(encoding="utf-8")
    assert markdown_table("../notebooks/") in course_map, REGENERATE.format("markdown_table", "docs/course-map.md")
    assert instructor_table("../notebooks/") in guide, REGENERATE.format("instructor_table", "docs/instructor-guide.md")
    for doc, text in (("docs/course-map.md", course_map), ("docs/instructor-guide.md", guide)):
        assert presenting_table("../notebooks/") in text, REGENERATE.format("presenting_table", doc)


def _slides_and_widget_slides(notebook):
    """How many slides RISE makes of the notebook, and the numbers of those with a stored widget view.

    RISE starts a slide at the first cell and at every cell of slide type ``slide`` or ``subslide`` and
    numbers them 1, 2, ... (the course shows ``slideNumber: "c/t"``); fragments and notes stay on their slide.
    """
    number, widget_slides = 0, []
    for index, cell in enumerate(nbformat.read(notebook, as_version=4).cells):
        if index == 0 or cell.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide"):
            number += 1
        if any("application/vnd.jupyter.widget-view+json" in output.get("data", {})
               for output in cell.get("outputs", [])):
            widget_slides.append(str(number))
    return number, widget_slides


def test_the_slide_counts_and_widget_slides_match_the_notebooks():
    for lesson in COURSE:
        slides, widget_slides = _slides_and_widget_slides(NOTEBOOKS / lesson.notebook)
        assert lesson.slides == slides, f"{lesson.notebook} has {slides} slides, course.py says {lesson.slides}"
        assert set(lesson.widget_slides) <= set(widget_slides), (
            f"{lesson.notebook}: course.py names widget slides {lesson.widget_slides}, the notebook has widgets on "
            f"slides {widget_slides}")
        assert lesson.slide_minutes == 5 * round(1.5 * slides / 5), f"{lesson.notebook}: about 1.5 min a slide"


def test_pictures_in_the_docs_exist_and_are_small():
    for doc in (ROOT / "docs").glob("*.md"):
        for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", doc.read_text(encoding="utf-8")):
            path = doc.parent / picture
            assert path.is_file(), f"{doc.name} shows {picture}, which does not exist"
            size = path.stat().st_size
            assert size < 300_000, f"{picture} is {size} bytes: keep the docs' pictures small"


def test_teaching_code_cites_the_lectures_by_title_not_by_a_folder_outside_the_repository():
    """The lecture files are not shipped: a reader of cnnlab/teaching gets each lecture's topic and title."""
    titles = ("Discussion: Convolutions", "CNN Hands on", "Plan of Attack",
              "Convolutional Neural Networks & Deep Learning", "Activations (Basic Properties)")
    lecture_data = (ROOT / "cnnlab" / "teaching" / "lecture_data.py").read_text(encoding="utf-8")
    assert all(f'"{title}' in lecture_data for title in titles)
    for path in (ROOT / "cnnlab" / "teaching").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"shared/seeds|\bseeds/|\bdeck \d{3}\b|\blecture \d{3}\b", text), \
            f"{path.relative_to(ROOT)} points to the lecture files, which are not in the repository: cite the title"
