"""Every exercise solution's code runs as written, after its chapter, in the chapter's kernel.

The chapter's cells run first at smoke size (``AEUTILS_SIZE=smoke``), in ``notebooks/`` as
nbval runs them, then each ```` ```python ```` block of the folded solutions, in order.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tools.run_notebooks import KERNEL_ARGUMENTS  # how the book's runs start a kernel

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOLUTION = re.compile(r"<summary>Solution</summary>(.*?)</details>", re.DOTALL)
PYTHON = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def solution_code(notebook):
    """The Python blocks of the notebook's solutions, in order."""
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    return [code for solution in SOLUTION.findall(prose) for code in PYTHON.findall(solution)]


WITH_CODE = [p for p in sorted(NOTEBOOKS.glob("*.ipynb"))
             if solution_code(nbformat.read(p, as_version=4))]


def test_most_chapters_show_code_in_their_solutions():
    assert len(WITH_CODE) >= 7, [p.stem for p in WITH_CODE]


@pytest.mark.notebook
@pytest.mark.parametrize("path", WITH_CODE, ids=[p.stem for p in WITH_CODE])
def test_every_solution_runs_after_its_chapter(path, monkeypatch):
    monkeypatch.setenv("AEUTILS_SIZE", "smoke")
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code"
             and "skip-execution" not in c.metadata.get("tags", [])]
    solutions = [nbformat.v4.new_code_cell(code) for code in solution_code(notebook)]
    notebook.cells = cells + solutions
    NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(NOTEBOOKS)}},
                   extra_arguments=KERNEL_ARGUMENTS).execute()
    assert all(c.execution_count for c in solutions)
