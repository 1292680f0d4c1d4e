# The map of the project. `make book` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Hide TensorFlow's C++ start-up notices (INFO lines on stderr); warnings and errors still show.
export TF_CPP_MIN_LOG_LEVEL := 1

.PHONY: book test test-backends unit notebooks lab data browser chapter clean

$(BIN)/activate: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt -e .
	touch $@

data: $(BIN)/activate  ## download and verify MNIST and the heart-rate series into the cache
	$(BIN)/python -c "from aeutils.mnist import load_mnist; load_mnist()"
	$(BIN)/python -c "from aeutils.heart_rate import load_heart_rate; load_heart_rate()"

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

test: book browser $(VENV)/backends  ## the strict book build, unit tests, the site in Chromium, notebooks with nbval; then the same on JAX and PyTorch
	# the unit tests and the fresh environments, on two processes: pip's work overlaps
	AEUTILS_SIZE=smoke $(BIN)/python -m pytest -p no:cacheprovider -n 2 --durations=10 \
		-m "not notebook and not site" tests
	# the site in Chromium (on one process: tests/test_site.py groups it) and the tests that
	# run notebooks, spread test by test over two processes
	AEUTILS_SIZE=smoke $(BIN)/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider \
		--durations=15 -m "notebook or site" tests
	# every notebook with nbval, on two processes, each notebook's cells on one
	AEUTILS_SIZE=smoke $(BIN)/python -m pytest -n 2 --dist loadfile --nbval --nbval-current-env \
		--nbval-cell-timeout=600 -p no:cacheprovider --durations=15 notebooks
	$(MAKE) --no-print-directory test-backends

test-backends: $(VENV)/backends data  ## the tests whose outcome depends on the backend (the builders, training, the shipped weights, reproducibility) and every notebook at smoke size, on JAX and on PyTorch (CPU builds)
	for backend in jax torch; do \
		KERAS_BACKEND=$$backend AEUTILS_SIZE=smoke $(BIN)/python -m pytest -q -p no:cacheprovider \
			-n 2 -m every_backend tests || exit 1; \
		KERAS_BACKEND=$$backend AEUTILS_SIZE=smoke $(BIN)/python -m pytest -q -p no:cacheprovider \
			-n 2 --dist loadfile --nbval --nbval-current-env --nbval-cell-timeout=600 \
			notebooks || exit 1; \
	done

unit: $(BIN)/activate data  ## the unit tests alone, on two processes: the fast loop while working (under a minute)
	AEUTILS_SIZE=smoke $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 \
		-m "not notebook and not site and not environment" tests

notebooks: $(BIN)/activate data  ## re-execute every notebook at full size, storing outputs and times (AEUTILS_SIZE=smoke: times only; AEUTILS_SIZE=shipped: check the figures drawn from the shipped weights)
	$(BIN)/python tools/run_notebooks.py

chapter: $(BIN)/activate  ## start a new chapter from the template: make chapter NAME=13_contractive_autoencoder ABOUT="one line"
	$(BIN)/python tools/new_chapter.py "$(NAME)" "$(ABOUT)"

lab: $(BIN)/activate data  ## open the notebooks in JupyterLab
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf _build
