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

.PHONY: lab test notebooks bench slides student test-browser browser-deps clean help

help:
	@echo "make lab        - create .venv, install the course and open it in JupyterLab"
	@echo "make test       - create .venv, install the test tools and run every test (unit tests and notebooks)"
	@echo "make notebooks  - re-execute every notebook in place and store its outputs"
	@echo "make bench      - run the speed and memory benchmarks against the references"
	@echo "make slides     - render every notebook as an offline reveal.js deck in build/slides/"
	@echo "make student    - write the student version of the notebooks to build/student/"
	@echo "make test-browser - run the headless-browser tests of JupyterLab and the RISE slideshow"
	@echo "make browser-deps - install Chromium (apt, when root) and Playwright, so \`make test\` runs the browser tests"

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

$(VENV)/.test-installed: pyproject.toml tools/quiet_jupyterlab.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,lab]"
	$(BIN)/python tools/quiet_jupyterlab.py $(VENV)
	touch $@

torch-if-asked: $(VENV)/.test-installed
	@if [ "$(WITH_TORCH)" = "1" ] && ! $(BIN)/python -c "import torch" 2>/dev/null; then \
		$(BIN)/python -m pip install --quiet "torch==$(TORCH_VERSION)" \
		|| echo "PyTorch $(TORCH_VERSION) could not be installed: the comparisons against it will be skipped."; \
	fi

lab: $(VENV)/.lab-installed
	$(BIN)/jupyter lab --ip=127.0.0.1 $(ALLOW_ROOT) notebooks/00_start_here.ipynb

test: $(VENV)/.test-installed torch-if-asked
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval-sanitize.cfg $(PYTEST_ARGS)

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

# The students' copy: every solution region replaced by `# YOUR CODE HERE` and a NotImplementedError.
student: $(VENV)/.test-installed
	$(BIN)/python tools/student_version.py --out build/student notebooks/*.ipynb

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

clean:
	rm -rf build .pytest_cache
