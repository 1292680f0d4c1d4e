"""Markers that sort the tests into the four kinds `make` runs (see pyproject.toml), and a
fixture that several test files share.

At the root, so that it applies to nbval's notebooks too, however pytest is started.
"""

import pytest

BY_FILE = {"test_site.py": "site", "test_environments.py": "environment"}
# the tests whose outcome depends on the Keras backend: make test runs them on each of the three
EVERY_BACKEND = {"test_models.py", "test_training.py", "test_resume.py", "test_shipped.py",
                 "test_explorer.py", "test_reproducible.py", "test_devices.py"}
# notebooks that cannot run on a backend, and why: they say so themselves when run there
NOT_ON = {("12_many_devices.ipynb", "torch"): "Keras has no data-parallel fit on PyTorch"}


def pytest_collection_modifyitems(items):
    """Mark each test by its kind: the site, the environments, or a notebook that nbval runs;
    and the notebooks and the tests of ``EVERY_BACKEND`` as ``every_backend``, skipping the
    notebooks of ``NOT_ON`` on their backend.

    Tests that run a notebook or the benchmark from a test file carry ``@pytest.mark.notebook``
    themselves; every other test is a unit test, which ``make unit`` runs.
    """
    from keras.backend import backend  # here: as KERAS_BACKEND or ~/.keras/keras.json says

    backend = backend()
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebook)
            if (item.path.name, backend) in NOT_ON:
                item.add_marker(pytest.mark.skip(reason=NOT_ON[item.path.name, backend]))
        elif item.path.name in BY_FILE:
            item.add_marker(getattr(pytest.mark, BY_FILE[item.path.name]))
        if item.path.suffix == ".ipynb" or item.path.name in EVERY_BACKEND:
            item.add_marker(pytest.mark.every_backend)


@pytest.fixture
def github_from(monkeypatch):
    """``github_from(mirror)`` makes git, and so pip, fetch the book's repository from the
    local ``mirror`` instead of GitHub, for this test only."""
    from aeutils.files import REPOSITORY  # here, so that pytest starts without Keras

    def redirect(mirror):
        monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
        monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.file://{mirror}.insteadOf")
        monkeypatch.setenv("GIT_CONFIG_VALUE_0", f"https://github.com/{REPOSITORY}")

    return redirect
