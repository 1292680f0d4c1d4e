"""One source for the model code: aeutils holds exactly what the chapters mark #@save."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import export  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_package_equals_what_the_notebooks_export():
    texts = export.exported(NOTEBOOKS, ROOT / "aeutils")
    assert texts, "no notebook has a #@save cell"
    for path, text in texts.items():
        assert path.read_text() == text, f"{path.name} differs: run `python tools/export.py`"


def test_dense_chapter_is_the_source_of_build_dense():
    saved = {name: module for nb in NOTEBOOKS for module, name, _ in export.saved_definitions(nb)}
    assert saved["build_dense"] == "models"


@pytest.fixture
def edited_notebook(tmp_path):
    """A copy of the dense chapter whose #@save cell uses a tanh code layer."""
    nb = json.loads((ROOT / "notebooks" / "01_dense_autoencoder.ipynb").read_text())
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if source.startswith("#@save"):
            cell["source"] = source.replace('activation="relu"', 'activation="tanh"')
    path = tmp_path / "edited.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_an_edit_in_a_notebook_is_detected_and_exported(edited_notebook, tmp_path):
    package = tmp_path / "aeutils"
    package.mkdir()
    (package / "models.py").write_text((ROOT / "aeutils" / "models.py").read_text())
    (text,) = export.exported([edited_notebook], package).values()
    assert text != (package / "models.py").read_text()
    assert 'layers.Dense(code_dim, activation="tanh"' in text
    assert text.count("def build_dense(") == 1  # replaced, not appended


def test_a_new_definition_is_appended(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": "#@save plots\ndef new_plot():\n    return 1\n"}]}
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    (tmp_path / "plots.py").write_text('"""Plots."""\n')
    (text,) = export.exported([tmp_path / "nb.ipynb"], tmp_path).values()
    assert text == '"""Plots."""\n\n\ndef new_plot():\n    return 1\n'
