"""The course map: every notebook in order, with a one-line summary and the time it takes.

One list feeds three places, so they cannot disagree: the map in ``notebooks/00_start_here.ipynb``,
the map and the timings in the docs (``docs/course-map.md``, ``docs/instructor-guide.md``), and the
test that every notebook in ``notebooks/`` is on the map and every entry has its notebook.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    """One notebook of the course.

    ``minutes`` is the time a class spends on it, presenting and doing the exercises;
    ``widgets`` says which control an instructor moves, and what the class should see happen.
    As a RISE slideshow: ``slides`` is how many slides it has, ``slide_minutes`` the time to present them
    (about 1.5 minutes a slide, rounded to 5), ``widget_slides`` the numbers RISE shows on the slides that
    hold a widget to move (tests/test_course_map.py and tests/test_slideshow_browser.py check them).
    """

    notebook: str
    title: str
    summary: str
    minutes: int
    widgets: str
    slides: int
    slide_minutes: int
    widget_slides: tuple


COURSE = (
    Lesson("00_start_here.ipynb", "Start here",
           "How the course works, a check of your set-up, and this map.", 10,
           "Move the frequency slider: the sine wave redraws, so widgets are live.",
           slides=8, slide_minutes=10, widget_slides=('6',)),
    Lesson("01_convolution.ipynb", "Convolution",
           "Sliding a kernel over an image: sums of products, padding, stride, the output size, channels, 1x1 "
           "convolution and receptive fields; conv2d forward and backward written yourself.", 80,
           "Move `position` in the sliding-window widget: the kernel steps over the lecture's image, product by "
           "product. Then pick a kernel, stride and padding in the kernel explorer, and end with the output-size"
           " widget (N, F, P, stride).",
           slides=40, slide_minutes=60, widget_slides=('4', '7', '11', '18', '20')),
    Lesson("02_activations.ipynb", "Activation functions",
           "Why a network needs non-linearity: ReLU and its variants, sigmoid, tanh and softplus; ReLU and sigmoid "
           "backward passes written yourself.", 45,
           "In the activation explorer pick an activation, move its parameter (ELU alpha, softplus beta) and the"
           " range: compare each curve with its derivative.",
           slides=24, slide_minutes=35, widget_slides=('18',)),
    Lesson("03_sigmoid_and_losses.ipynb", "Sigmoid and losses",
           "When the sigmoid rounds to exactly 0 or 1; MSE, MAE and cross-entropy; softmax and the gradient y - t, "
           "written yourself.", 50,
           "In the loss explorer move the prediction away from the target: cross-entropy grows much faster than "
           "MSE.",
           slides=23, slide_minutes=35, widget_slides=('19',)),
    Lesson("04_pooling_upsampling_flattening.ipynb", "Pooling, upsampling, flattening",
           "Max, average and min pooling and where their gradient goes (written yourself), adaptive and global "
           "pooling, nearest and bilinear upsampling, and flattening a feature map.", 60,
           "In the pooling explorer change the window and the stride, then the mode (max, average, min): watch "
           "the pooled picture and the share of values kept.",
           slides=37, slide_minutes=55, widget_slides=('24',)),
    Lesson("05_three_layer_cnn.ipynb", "A three-layer CNN",
           "Lecture Ex. 3.1: convolution, ReLU, pooling and a dense layer trained on MNIST digits with a validation "
           "split; the dense layer, SGD and Adam written yourself, then the fast convolution, pooling, ReLU and loss, "
           "and the network trained from your own layers only; LeNet-5.", 90,
           "Move `test digit`: the feature maps of every layer and the prediction for that MNIST digit.",
           slides=36, slide_minutes=55, widget_slides=('27',)),
    Lesson("06_initialisation.ipynb", "Initialisation",
           "Why all-zero weights fail and how Xavier's range sqrt(6 / (in + out)) keeps signals alive.", 35,
           "Choose the scheme, the activation and the depth: activations vanish, explode or stay alive through "
           "the layers.",
           slides=21, slide_minutes=30, widget_slides=('13',)),
    Lesson("07_batchnorm_dropout.ipynb", "Batch normalisation and dropout",
           "Normalising the inputs; batch norm with batch statistics in training and running statistics at test "
           "time; dropout; both written yourself, forward and backward.", 60,
           "Move `dropout p` and `batch size`: which units drop, and how far the batch statistics wander from "
           "the population's.",
           slides=25, slide_minutes=40, widget_slides=('24',)),
    Lesson("08_problem_types.ipynb", "Image problem types",
           "Classification, semantic segmentation and object detection: the encoder-decoder, 1x1 convolution, the "
           "grid detector, IoU, non-maximum suppression and global pooling.", 50,
           "In the detection explorer move the objectness threshold: boxes appear and disappear on the test "
           "images.",
           slides=22, slide_minutes=35, widget_slides=('14',)),
    Lesson("09_transposed_convolution.ipynb", "Transposed convolution",
           "Learnable upsampling, how stride and kernel size cause checkerboard artifacts, and how to avoid them.", 40,
           "In the overlap explorer change kernel size and stride: where the kernel size is not a multiple of "
           "the stride, the checkerboard appears.",
           slides=16, slide_minutes=25, widget_slides=('7',)),
)


def total_minutes():
    """Time for the whole course, in minutes."""
    return sum(lesson.minutes for lesson in COURSE)


def markdown_table(link_prefix=""):
    """The course map as a Markdown table; each title links to ``link_prefix + notebook``."""
    rows = ["| # | Notebook | What you learn | Time |", "| --- | --- | --- | --- |"]
    for lesson in COURSE:
        number = lesson.notebook[:2]
        rows.append(f"| {number} | [{lesson.title}]({link_prefix}{lesson.notebook}) | {lesson.summary} "
                    f"| {lesson.minutes} min |")
    hours, minutes = divmod(total_minutes(), 60)
    rows.append(f"| | **In all** | | **{hours} h {minutes:02d} min** |")
    return "\n".join(rows)


def slide_minutes():
    """Time to present every notebook as slides, in minutes."""
    return sum(lesson.slide_minutes for lesson in COURSE)


def presenting_table(link_prefix=""):
    """Per notebook as a slideshow: slides, the time to present them and the slides with a widget to move."""
    rows = ["| Notebook | Slides | As slides | Widgets on slides |", "| --- | --- | --- | --- |"]
    for lesson in COURSE:
        rows.append(f"| [{lesson.notebook[:2]} {lesson.title}]({link_prefix}{lesson.notebook}) | {lesson.slides} "
                    f"| {lesson.slide_minutes} min | {', '.join(lesson.widget_slides)} |")
    hours, minutes = divmod(slide_minutes(), 60)
    rows.append(f"| **In all** | {sum(lesson.slides for lesson in COURSE)} | **{hours} h {minutes:02d} min** | |")
    return "\n".join(rows)


def instructor_table(link_prefix=""):
    """Timing and the widgets to move, per notebook, as a Markdown table for the instructor guide."""
    rows = ["| Notebook | Time | Widgets to move, and what the class should see |", "| --- | --- | --- |"]
    for lesson in COURSE:
        rows.append(f"| [{lesson.notebook[:2]} {lesson.title}]({link_prefix}{lesson.notebook}) | {lesson.minutes} min "
                    f"| {lesson.widgets} |")
    return "\n".join(rows)
