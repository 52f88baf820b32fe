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
    """

    notebook: str
    title: str
    summary: str
    minutes: int
    widgets: str


COURSE = (
    Lesson("00_start_here.ipynb", "Start here",
           "How the course works, a check of your set-up, and this map.", 10,
           "Move the frequency slider: the sine wave redraws, so widgets are live."),
    Lesson("01_convolution.ipynb", "Convolution",
           "Sliding a kernel over an image: sums of products, padding, stride and the output size.", 45,
           "Slide the kernel position across the image, then change stride and padding and watch the output size."),
    Lesson("02_activations.ipynb", "Activation functions",
           "Why a network needs non-linearity: ReLU and its variants, tanh, softplus and softmax.", 30,
           "Pick an activation and move the input range: compare the curves and their slopes."),
    Lesson("03_sigmoid_and_losses.ipynb", "Sigmoid and losses",
           "The sigmoid never reaches 0 or 1; MSE versus cross-entropy for yes/no and many-class problems.", 40,
           "Move the prediction towards and away from the target: cross-entropy grows much faster than MSE."),
    Lesson("04_pooling_upsampling_flattening.ipynb", "Pooling, upsampling, flattening",
           "Max, average and min pooling, nearest and bilinear upsampling, and flattening a feature map.", 35,
           "Change the pooling window and stride, then the upsampling mode, on the same feature map."),
    Lesson("05_three_layer_cnn.ipynb", "A three-layer CNN",
           "Convolution, ReLU, pooling and a dense layer with softmax, trained on MNIST digits.", 50,
           "Step through the feature maps layer by layer, then pick a test digit and read the prediction."),
    Lesson("06_initialisation.ipynb", "Initialisation",
           "Why all-zero weights fail and how Xavier's range sqrt(6 / (in + out)) keeps signals alive.", 30,
           "Change the initial weight scale and watch activations vanish or explode through the layers."),
    Lesson("07_batchnorm_dropout.ipynb", "Batch normalisation and dropout",
           "Normalising with batch statistics in training and running statistics at test time; dropping units.", 40,
           "Move the dropout rate and the batch size: see which units drop and how the statistics settle."),
    Lesson("08_problem_types.ipynb", "Image problem types",
           "Classification, semantic segmentation and object detection: what each network outputs.", 30,
           "Switch between problem types on the same image and compare the outputs' shapes."),
    Lesson("09_transposed_convolution.ipynb", "Transposed convolution",
           "Learnable upsampling, how stride and kernel size cause checkerboard artifacts, and how to avoid them.", 35,
           "Change kernel size and stride until the checkerboard pattern appears, then disappears."),
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
