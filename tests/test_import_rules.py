"""Import rules that keep the code findable by lesson and the packages apart.

(a) A notebook imports from ``cnnlab.teaching`` only its own lesson packages and the shared modules.
    The rule for a notebook whose title names two topics: it imports one package per topic, as
    :data:`NOTEBOOK_LESSONS` lists; flattening is taught with pooling (the pooled stack is what a
    dense layer reads flattened), so notebook 04 imports ``pooling`` and ``upsampling``, and the
    sigmoid is an activation, so notebook 03 imports ``activations`` and ``losses``.
(b) No module under ``cnnlab/`` uses another package's private names: ``from ..x import _y``,
    ``import a._b``, or ``module._y`` across packages. A private name ``_y`` of module ``a/b/m.py``
    belongs to package ``a.b`` (its sibling modules may use it); a private module ``a/b/_m.py`` serves
    package ``a.b`` and everything inside it (``cnnlab/_validate.py`` serves all of cnnlab).
(c) A lesson package imports no other lesson package: what two lessons share lives in a shared module.
"""
import ast
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from cnnlab.teaching.course import COURSE

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cnnlab"

#: The modules of cnnlab/teaching that every lesson may use.
SHARED = {"checks", "course", "drawing", "explorer", "images", "layer_checks", "lecture_data"}

#: The lesson packages of each notebook, one per topic its title names (see the module docstring).
NOTEBOOK_LESSONS = {
    "00_start_here.ipynb": {"start_here"},
    "01_convolution.ipynb": {"convolution"},
    "02_activations.ipynb": {"activations"},
    "03_sigmoid_and_losses.ipynb": {"activations", "losses"},
    "04_pooling_upsampling_flattening.ipynb": {"pooling", "upsampling"},
    "05_three_layer_cnn.ipynb": {"training"},
    "06_initialisation.ipynb": {"initialization"},
    "07_batchnorm_dropout.ipynb": {"normalization"},
    "08_problem_types.ipynb": {"problem_types"},
    "09_transposed_convolution.ipynb": {"upsampling"},
}
LESSONS = set().union(*NOTEBOOK_LESSONS.values())

#: Packages (under cnnlab/) held to rule (b): all of them; "" is the top-level modules (gradcheck.py, image.py, ...).
PRIVATE_NAME_RULE_PACKAGES = ["", "functional", "nn", "optim", "training", "datasets", "vision", "teaching"]


# ----------------------------------------------------------------------------------------- helpers
def _module_name(path):
    """``cnnlab/teaching/pooling/plots.py`` -> ``cnnlab.teaching.pooling.plots`` (a package for __init__.py)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(dotted):
    return (ROOT.joinpath(*dotted.split(".")) / "__init__.py").is_file()


def _is_module(dotted):
    return _is_package(dotted) or ROOT.joinpath(*dotted.split(".")).with_suffix(".py").is_file()


def _package_of(module, path):
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _absolute(node, package):
    """The absolute module an ``ImportFrom`` names, resolving ``from ..x`` against ``package``."""
    if not node.level:
        return node.module
    base = package.split(".")
    base = base[:len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _imported_paths(tree, package):
    """Every dotted path a module's imports reach, with the local name each one binds.

    ``from a.b import c`` gives ``a.b.c`` (a module or a name in ``a.b``), ``import a.b as x`` gives
    ``a.b``; each with ``lineno``.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, (alias.asname or alias.name.split(".")[0]), node.lineno, alias.asname is not None
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, package)
            for alias in node.names:
                yield f"{source}.{alias.name}", alias.asname or alias.name, node.lineno, True


def _is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_use(dotted, importer_package):
    """Why ``dotted`` is another package's private name, or None when the importer may use it."""
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if not _is_private(part) or i == 0:
            continue
        owner = ".".join(parts[:i])
        if _is_module(".".join(parts[:i + 1])):  # a private module: for its package and everything inside
            scope = owner
            allowed = importer_package == scope or importer_package.startswith(scope + ".")
        else:  # a private name of a module or package: for the modules of that package only
            scope = owner if _is_package(owner) else owner.rpartition(".")[0]
            allowed = importer_package == scope
        if not allowed:
            return f"{dotted} is private to {scope}"
    return None


def private_name_violations(source, module, package):
    """Each use of another package's private name in ``source``, as ``"module:line: what"``."""
    tree = ast.parse(source)
    problems, bound = [], {}
    for dotted, local, lineno, exact in _imported_paths(tree, package):
        if not dotted.startswith("cnnlab"):
            continue
        why = _private_use(dotted, package)
        if why:
            problems.append(f"{module}:{lineno}: {why}")
        # `import a.b` binds `a` (to reach a.b's names through `a.b.x`), `import a.b as x` binds a.b
        bound[local] = dotted if exact else local
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            chain, value = [node.attr], node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in bound:
                dotted = ".".join([bound[value.id]] + chain[::-1])
                why = _private_use(dotted, package)
                if why:
                    problems.append(f"{module}:{node.lineno}: {why}")
    return problems


def _cnnlab_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        yield path, module, _package_of(module, path)


def _notebook_teaching_imports(source):
    """The first name after ``cnnlab.teaching`` of every import in a notebook cell (magics allowed)."""
    tree = ast.parse(TransformerManager().transform_cell(source))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["cnnlab", "teaching"]:
                found.append(parts[2] if len(parts) > 2 else "teaching")
    return found


def notebook_violations(notebook_name, cells):
    allowed = SHARED | NOTEBOOK_LESSONS[notebook_name]
    return [f"{notebook_name} imports cnnlab.teaching.{name}: it may import only {sorted(allowed)}"
            for source in cells for name in _notebook_teaching_imports(source) if name not in allowed]


def _code_cells(path):
    return [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


# ----------------------------------------------------------- (a) notebooks import their own lessons
def test_every_notebook_has_its_lessons_and_every_lesson_package_its_notebook():
    assert set(NOTEBOOK_LESSONS) == {lesson.notebook for lesson in COURSE}
    packages = {path.parent.name for path in (PACKAGE / "teaching").glob("*/__init__.py")}
    modules = {path.stem for path in (PACKAGE / "teaching").glob("*.py")} - {"__init__"}
    assert packages == LESSONS, "a package under cnnlab/teaching that no notebook teaches, or a lesson without one"
    assert modules == SHARED, "a module at the top of cnnlab/teaching is shared by lessons: add it to SHARED"


@pytest.mark.parametrize("notebook", sorted(NOTEBOOK_LESSONS))
def test_notebook_imports_only_its_lessons_and_the_shared_modules(notebook):
    cells = _code_cells(ROOT / "notebooks" / notebook)
    assert any(_notebook_teaching_imports(source) for source in cells), (
        f"{notebook} imports nothing from cnnlab.teaching")
    assert notebook_violations(notebook, cells) == []


def test_the_notebook_rule_catches_another_lessons_import():
    cells = ["%matplotlib inline\nfrom cnnlab.teaching.pooling.plots import plot_pooling",
             "import cnnlab.teaching.losses.tables as t", "from cnnlab.teaching import convolution"]
    assert len(notebook_violations("01_convolution.ipynb", cells)) == 2
    assert notebook_violations("04_pooling_upsampling_flattening.ipynb", cells[:1]) == []


# ------------------------------------------------------------- (b) no private names across packages
@pytest.mark.parametrize("top", PRIVATE_NAME_RULE_PACKAGES)
def test_no_module_uses_another_packages_private_names(top):
    name = f"cnnlab.{top}" if top else "cnnlab"
    problems = [problem for path, module, package in _cnnlab_modules()
                if package == name or (top and package.startswith(f"{name}."))
                for problem in private_name_violations(path.read_text(encoding="utf-8"), module, package)]
    assert problems == []


def test_the_private_name_rule_reads_the_whole_package():
    """Every module of cnnlab parses and is checked."""
    checked = [module for _, module, _ in _cnnlab_modules()]
    assert {"cnnlab.nn.conv", "cnnlab.functional.conv", "cnnlab.teaching.drawing"} <= set(checked)
    for path, module, package in _cnnlab_modules():
        assert isinstance(private_name_violations(path.read_text(encoding="utf-8"), module, package), list)


@pytest.mark.parametrize("source, count", [
    ("from ..functional.conv import _conv2d_with_cache", 1),       # a private name of another package
    ("from ..functional import _windows", 1),                       # another package's private module
    ("from .. import functional as F\nF._grad(1, 2)", 1),           # attribute use across packages
    ("import cnnlab.functional\ncnnlab.functional.conv._prepare()", 1),
    ("from .._validate import choice", 0),                          # cnnlab's private module serves all of cnnlab
    ("from ..functional import conv2d", 0),
])
def test_the_private_name_rule_catches_a_real_violation(source, count):
    assert len(private_name_violations(source, "cnnlab.nn.example", "cnnlab.nn")) == count


# -------------------------------------------------------------------- (c) no lesson imports another
@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_a_lesson_imports_no_other_lesson(lesson):
    problems = []
    for path in sorted((PACKAGE / "teaching" / lesson).glob("*.py")):
        module = _module_name(path)
        for dotted, _, lineno, _ in _imported_paths(ast.parse(path.read_text(encoding="utf-8")),
                                                    _package_of(module, path)):
            parts = dotted.split(".")
            if parts[:2] == ["cnnlab", "teaching"] and len(parts) > 2 and parts[2] in LESSONS - {lesson}:
                problems.append(f"{module}:{lineno} imports {dotted}")
    assert problems == []
