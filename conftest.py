"""Markers that sort the tests into the four kinds `make` runs (see pyproject.toml), the
exercise solutions that nbval runs after each chapter, and a fixture that several test files
share.

At the root, so that it applies to nbval's notebooks too, however pytest is started.
"""

import re
from collections import defaultdict

import pytest

BY_FILE = {"test_site.py": "site", "test_environments.py": "environment"}
# the tests whose outcome depends on the Keras backend: make test runs them on each of the three
EVERY_BACKEND = {"test_models.py", "test_training.py", "test_resume.py", "test_shipped.py",
                 "test_explorer.py", "test_reproducible.py", "test_devices.py"}
# notebooks that cannot run on a backend, and why: they say so themselves when run there
NOT_ON = {("12_many_devices.ipynb", "torch"): "Keras has no data-parallel fit on PyTorch"}
SOLUTION = re.compile(r"<summary>Solution</summary>(.*?)</details>", re.DOTALL)
PYTHON = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def solution_code(notebook):
    """The Python blocks of the notebook's folded solutions, in order."""
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    return [code for solution in SOLUTION.findall(prose) for code in PYTHON.findall(solution)]


def with_solutions(items):
    """``items`` with, after each notebook's last cell, one nbval item per block of code of
    its solutions: they run in the chapter's kernel, after the chapter, their outputs
    unchecked. So every solution runs as written at the size the chapter ran at. Where only
    some of a notebook's cells were selected, its solutions are left out."""
    import nbformat  # here: only where nbval runs (the oldest-Keras test has neither)
    from nbval.plugin import IPyNbCell

    result = []
    for index, item in enumerate(items):
        result.append(item)
        last = index + 1 == len(items) or items[index + 1].parent is not item.parent
        if not (isinstance(item, IPyNbCell) and last):
            continue
        notebook = nbformat.read(item.path, as_version=4)
        if item.cell_num + 1 == sum(cell.cell_type == "code" for cell in notebook.cells):
            result += [IPyNbCell.from_parent(item.parent, name=f"Solution {number}",
                                             cell_num=item.cell_num + number,
                                             cell=nbformat.v4.new_code_cell(code),
                                             options=defaultdict(bool, check=False))
                       for number, code in enumerate(solution_code(notebook), start=1)]
    return result


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    """Mark each test by its kind: the site, the environments, or a notebook that nbval runs;
    and the notebooks and the tests of ``EVERY_BACKEND`` as ``every_backend``, skipping the
    notebooks of ``NOT_ON`` on their backend. On TensorFlow, each notebook's solutions run
    after it (``with_solutions``). A notebook's cells form one group, which
    ``--dist loadgroup`` keeps on one process, as they share its kernel.

    Tests that run a notebook or the benchmark from a test file carry ``@pytest.mark.notebook``
    themselves; every other test is a unit test, which ``make unit`` runs unless it is a slow one
    (``@pytest.mark.slow``: it starts Python processes, or evaluates on the whole test set).
    """
    from keras.backend import backend  # here: as KERAS_BACKEND or ~/.keras/keras.json says

    backend = backend()
    if backend == "tensorflow" and any(item.path.suffix == ".ipynb" for item in items):
        items[:] = with_solutions(items)
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebook)
            item.add_marker(pytest.mark.xdist_group(item.path.name))
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
