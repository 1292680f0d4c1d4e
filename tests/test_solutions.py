"""Every exercise solution's code runs as written, after its chapter, in the chapter's kernel.

nbval runs them: on TensorFlow, ``conftest.with_solutions`` adds each ```` ```python ````
block of a notebook's folded solutions, in order, as an item after the notebook's last cell
(outputs unchecked), so that ``make test`` runs every solution after its chapter at smoke
size without running the chapter a second time. These tests check that it does.
"""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import solution_code

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WITH_CODE = [p for p in NOTEBOOKS if solution_code(nbformat.read(p, as_version=4))]


def test_most_chapters_show_code_in_their_solutions():
    assert len(WITH_CODE) >= 7, [p.stem for p in WITH_CODE]


def collected(*arguments, backend="tensorflow"):
    """The ids of the items that pytest collects with ``arguments``, on ``backend``."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         *arguments], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "KERAS_BACKEND": backend})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


@pytest.mark.notebook
def test_nbval_runs_every_solution_after_its_chapter():
    ids = collected("--nbval", "--nbval-current-env", *map(str, NOTEBOOKS))
    for path in NOTEBOOKS:
        mine = [i.split("::")[1] for i in ids if i.startswith(f"notebooks/{path.name}::")]
        count = len(solution_code(nbformat.read(path, as_version=4)))
        cells = [name for name in mine if name.startswith("Cell ")]
        assert mine == cells + [f"Solution {n}" for n in range(1, count + 1)], path.name
    assert len([i for i in ids if "::Solution " in i]) >= 7


@pytest.mark.notebook
def test_the_solutions_are_left_out_when_some_cells_are_selected():
    ids = collected("--nbval", "--nbval-current-env", f"{WITH_CODE[0]}::Cell 1")
    assert [i.split("::")[1] for i in ids] == ["Cell 1"]


@pytest.mark.notebook
def test_the_solutions_run_on_tensorflow_only():
    pytest.importorskip("jax")  # make test installs it; make lab does not
    ids = collected("--nbval", "--nbval-current-env", str(WITH_CODE[0]), backend="jax")
    assert ids and not [i for i in ids if "::Solution " in i]
