# Two commands do all the set-up on a fresh machine: `make lab` and `make test`.
# Each creates .venv with the standard venv module when it is missing and installs what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Jupyter refuses to run as root unless told; pass the flag only when we really are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
# `make test WITH_TORCH=1` (CI does) adds PyTorch's CPU build, best effort, so the comparison tests run.
WITH_TORCH ?= 0
TORCH_VERSION ?= 2.13.0
PYTEST_ARGS ?=
# Both cores: pytest-xdist runs two workers. Each notebook and each test module runs whole on one worker
# (nbval needs a notebook's cells in order, the browser and hub tests their servers), the slowest start first
# (tests/conftest.py orders them; --no-loadscope-reorder keeps that order). `make test PYTEST_WORKERS=0` runs
# everything in one process.
PYTEST_WORKERS ?= 2
# With two workers every kernel they start computes on one thread (BLAS, OpenMP and cnnlab's batch split):
# four threads on two busy cores made a run take 22 min instead of 13 (OpenBLAS's threads spin while they wait).
# The tests that check two threads still start numba's OpenMP threads; OMP_WAIT_POLICY=passive puts them to
# sleep after each loop instead of spinning, which took a core from the other worker (the grading test's
# notebooks took 273 s beside them instead of 34 s alone).
ONE_THREAD_EACH := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 CNNLAB_THREADS=1 OMP_WAIT_POLICY=passive

.PHONY: lab test lint notebooks bench slides student grading-course autograde test-browser browser-deps hub-deps hub-test hub-link clean help

help:
	@echo "make lab        - create .venv, install the course and open it in JupyterLab"
	@echo "make test       - create .venv, install the test tools, lint with ruff and run every test (unit tests and notebooks)"
	@echo "make lint       - ruff over the library, tests, tools, benchmarks and notebooks (rules in pyproject.toml)"
	@echo "make notebooks  - re-execute every notebook in place and store its outputs"
	@echo "make bench      - run the speed and memory benchmarks against the references"
	@echo "make slides     - render every notebook as an offline reveal.js deck in build/slides/"
	@echo "make student    - write the student version of the notebooks to build/student/"
	@echo "make grading-course - build nbgrader's course directory in build/grading/ and release the student versions"
	@echo "make autograde  - autograde build/grading/submitted/, write feedback and build/grading/grades.csv"
	@echo "make test-browser - run the headless-browser tests of JupyterLab and the RISE slideshow"
	@echo "make browser-deps - install Chromium (apt, when root) and Playwright, so \`make test\` runs the browser tests"
	@echo "make hub-deps   - install JupyterHub and nbgitpuller (pip) and configurable-http-proxy (npm, build/hub/)"
	@echo "make hub-test   - start a real JupyterHub on 127.0.0.1 with four students who pull the course and train at once"
	@echo "make hub-link HUB=https://hub.example.edu REPO=https://github.com/ORG/cnnlab [BRANCH=main] - the class's nbgitpuller link"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps make a second `make lab` or `make test` start at once instead of re-installing.
# The `lab` extra adds jupyterlab-rise: notebooks present as live slides inside JupyterLab. The tests install
# it too, so that they run the same widget versions a class sees and the browser test can open the slideshow.
$(VENV)/.lab-installed: pyproject.toml tools/quiet_jupyterlab.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/python tools/quiet_jupyterlab.py $(VENV)
	touch $@

# The test tools include RISE (the browser test presents the slideshow) and nbgrader (the `grading`
# extra), so tests/test_slideshow_browser.py and tests/test_grading.py run for real.
$(VENV)/.test-installed: pyproject.toml tools/quiet_jupyterlab.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,lab,grading]"
	$(BIN)/python tools/quiet_jupyterlab.py $(VENV)
	touch $@

torch-if-asked: $(VENV)/.test-installed
	@if [ "$(WITH_TORCH)" = "1" ] && ! $(BIN)/python -c "import torch" 2>/dev/null; then \
		$(BIN)/python -m pip install --quiet "torch==$(TORCH_VERSION)" \
		|| echo "PyTorch $(TORCH_VERSION) could not be installed: the comparisons against it will be skipped."; \
	fi

lab: $(VENV)/.lab-installed
	$(BIN)/jupyter lab --ip=127.0.0.1 $(ALLOW_ROOT) notebooks/00_start_here.ipynb

# Lint first: it takes a second and names the file and line, before the minutes of tests.
lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

# The hub test runs after the rest, alone: four students training at once fill both cores by design, and the
# waits it measures and its time limits assume nothing else is running (beside another worker they ran out).
test: $(VENV)/.test-installed torch-if-asked lint
	$(if $(filter 0,$(PYTEST_WORKERS)),,$(ONE_THREAD_EACH)) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) \
		--dist loadscope --no-loadscope-reorder --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval-sanitize.cfg -m "not hub" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m hub tests/test_hub.py $(PYTEST_ARGS) || [ $$? -eq 5 ]  # 5: PYTEST_ARGS chose none

notebooks: $(VENV)/.test-installed
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb

# Speed and memory against PyTorch (installed here unless WITH_TORCH=0 is given) and SciPy; writes
# benchmarks/results/latest.json and latest.md. threadpoolctl reports NumPy's BLAS and its threads.
bench: WITH_TORCH = 1
bench: $(VENV)/.test-installed torch-if-asked
	@$(BIN)/python -c "import threadpoolctl" 2>/dev/null || $(BIN)/python -m pip install --quiet threadpoolctl \
		|| echo "threadpoolctl could not be installed: the BLAS will be reported as unknown."
	$(BIN)/python benchmarks/run.py

# Offline reveal.js decks; their JavaScript comes from the npm registry into build/slides-js/ once.
slides: $(VENV)/.test-installed
	$(BIN)/python tools/build_slides.py --out build/slides notebooks/*.ipynb

# The students' copy for self-study: every solution region replaced by `# YOUR CODE HERE` and a
# NotImplementedError (the nbgrader release below makes the same stubs with the same code).
student: $(VENV)/.test-installed
	$(BIN)/python tools/student_version.py --out build/student notebooks/*.ipynb

# nbgrader (the `grading` extra, installed with the test tools): one assignment per notebook in
# $(COURSE)/source/, released to $(COURSE)/release/; see "Grading with nbgrader" in docs/instructor-guide.md.
COURSE ?= build/grading
grading-course: $(VENV)/.test-installed
	$(BIN)/python tools/grading_course.py build --course $(COURSE) notebooks/*.ipynb

# Grades $(COURSE)/submitted/<student>/<assignment>/; feedback pages in $(COURSE)/feedback/ (MathJax beside
# them, from the npm registry), the grades in $(COURSE)/grades.csv.
autograde: $(VENV)/.test-installed
	$(BIN)/python tools/grading_course.py autograde --course $(COURSE)

# Best effort, never fails: Debian's Chromium (only as root with apt) and Playwright in .venv. Where
# they are missing, the browser tests skip and say why. apt's output goes to build/apt-browser.log.
browser-deps: $(VENV)/.test-installed
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		mkdir -p build; \
		echo "Installing Chromium with apt-get (log: build/apt-browser.log)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji; } \
			>build/apt-browser.log 2>&1 \
		|| echo "Chromium could not be installed with apt-get: the browser tests will be skipped."; \
	fi
	@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[browser]" \
		|| echo "Playwright could not be installed: the browser tests will be skipped."

test-browser: browser-deps
	$(BIN)/python -m pytest -m browser tests/test_browser.py tests/test_slideshow_browser.py tests/test_slides.py $(PYTEST_ARGS)

# Best effort, never fails: the `hub` extra (JupyterHub, nbgitpuller, the idle culler) in .venv and
# configurable-http-proxy from the npm registry into build/hub/ (never global). Where either is
# missing, tests/test_hub.py skips and says why. npm's output goes to build/hub/npm.log.
HUB_PROXY := build/hub/node_modules/.bin/configurable-http-proxy
hub-deps: $(VENV)/.test-installed
	@$(BIN)/python -c "import jupyterhub, nbgitpuller, jupyterhub_idle_culler, websocket, psutil" 2>/dev/null \
		|| $(BIN)/python -m pip install --quiet -e ".[hub]" \
		|| echo "JupyterHub could not be installed: the hub test will be skipped."
	@if [ ! -x $(HUB_PROXY) ]; then \
		mkdir -p build/hub; \
		{ command -v npm >/dev/null && npm install --prefix build/hub --no-fund --no-audit configurable-http-proxy@5; } \
			>build/hub/npm.log 2>&1 \
		|| echo "configurable-http-proxy could not be installed with npm (log: build/hub/npm.log): the hub test will be skipped."; \
	fi

hub-test: hub-deps
	$(BIN)/python -m pytest -s tests/test_hub.py tests/test_deploy_files.py tests/test_nbgitpuller_link.py $(PYTEST_ARGS)

BRANCH ?= main
hub-link:
	@$(PYTHON) tools/nbgitpuller_link.py --hub "$(HUB)" --repo "$(REPO)" --branch "$(BRANCH)"

clean:
	rm -rf build .pytest_cache
