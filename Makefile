# The map of the project. `make book` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Hide TensorFlow's C++ start-up notices (INFO lines on stderr); warnings and errors still show.
export TF_CPP_MIN_LOG_LEVEL := 1
# how make test runs pytest: notebooks at smoke size, one OpenMP thread per process (see test)
TESTING := AEUTILS_SIZE=smoke OMP_NUM_THREADS=1

.PHONY: book test test-backends unit notebooks lab data browser chapter clean

$(BIN)/activate: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt -e .
	touch $@

data: $(BIN)/activate  ## download and verify MNIST and the heart-rate series into the cache
	$(BIN)/python -c "from aeutils import heart_rate, mnist; mnist.load_mnist(); heart_rate.load_heart_rate()"

book: $(BIN)/activate data  ## build the site from the notebooks' stored outputs
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "The book is in _build/html: open _build/html/index.html"

browser:  ## Debian's Chromium and ChromeDriver, for the test of the built site (needs root)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq chromium chromium-driver) || \
		echo "Could not install Chromium: the site test will be skipped (it fails in CI)."

$(VENV)/backends: requirements-backends.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-backends.txt -c requirements.txt  # the book's pins hold
	touch $@

test: book browser $(VENV)/backends  ## the strict book build, then every test and every notebook (nbval, each followed by its exercise solutions) on TensorFlow; then the same on JAX and PyTorch
	# on two processes; a notebook's cells (one kernel) and the site's tests (one browser) each
	# stay on one (conftest groups them; --dist loadgroup keeps a group together, and hands
	# out the largest groups, the notebooks, first). OMP_NUM_THREADS=1: with an
	# OpenMP thread per core in every process (PyTorch, scikit-learn), threads that spin while
	# they wait slowed each other down several times over (the PyTorch pass: 442 s, not 142 s)
	$(TESTING) $(BIN)/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider \
		--durations=20 --nbval --nbval-current-env --nbval-cell-timeout=600 notebooks tests
	$(MAKE) --no-print-directory test-backends

test-backends: $(VENV)/backends data  ## the tests whose outcome depends on the backend (the builders, training, the shipped weights, reproducibility) and every notebook at smoke size, on JAX and on PyTorch (CPU builds)
	for backend in jax torch; do \
		KERAS_BACKEND=$$backend $(TESTING) $(BIN)/python -m pytest -q -p no:cacheprovider \
			-n 2 --dist loadgroup --durations=10 --nbval --nbval-current-env \
			--nbval-cell-timeout=600 -m every_backend notebooks tests || exit 1; \
	done

unit: $(BIN)/activate  ## the unit tests alone (not the slow ones), on two processes: the fast loop while working (under a minute; no `make data` first: the tests fetch the data they need)
	$(TESTING) $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 \
		-m "not notebook and not site and not environment and not slow" tests

notebooks: $(BIN)/activate data  ## re-execute every notebook at full size, storing outputs and times (AEUTILS_SIZE=smoke: times only; AEUTILS_SIZE=shipped: check the figures drawn from the shipped weights)
	$(BIN)/python tools/run_notebooks.py

chapter: $(BIN)/activate  ## start a new chapter from the template: make chapter NAME=13_contractive_autoencoder ABOUT="one line"
	$(BIN)/python tools/new_chapter.py "$(NAME)" "$(ABOUT)"

lab: $(BIN)/activate data  ## open the notebooks in JupyterLab
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf _build
