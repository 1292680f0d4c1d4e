"""A notebook opened alone, as Colab opens it, still finds the results and weights shipped.

They travel inside the package (``aeutils/book/``, mapped from ``notebooks/`` by
``pyproject.toml``); ``tests/test_environments.py`` installs the package and opens a page
alone, and these tests check the lookup and what the package holds.
"""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from aeutils import files, models
from aeutils.results import load_results
from aeutils.shipped import load_shipped

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture
def alone(tmp_path, monkeypatch):
    """An empty working folder, with the repository's files as the package's own copy."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(files, "PACKAGED", NOTEBOOKS)
    return tmp_path


def test_a_file_beside_the_notebook_comes_first(tmp_path, monkeypatch):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "01_dense_autoencoder.json").write_text('{"test_loss": 0.5}')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(files, "PACKAGED", NOTEBOOKS)
    assert load_results("01_dense_autoencoder") == {"test_loss": 0.5}  # a reader's own run


def test_a_notebook_opened_alone_reads_the_packages_copy(alone):
    assert load_results("01_dense_autoencoder") == json.loads(
        (NOTEBOOKS / "results" / "01_dense_autoencoder.json").read_text())
    model, _, _ = models.build_dense()
    history = load_shipped(model, "01_dense_autoencoder")
    assert len(history.epoch) == 50
    reference, _, _ = models.build_dense()
    reference.load_weights(NOTEBOOKS / "weights" / "01_dense_autoencoder.weights.h5")
    for a, b in zip(model.get_weights(), reference.get_weights()):
        assert (a == b).all()


def test_a_file_the_book_does_not_ship_is_named_with_what_to_do(alone, monkeypatch):
    monkeypatch.setattr(files, "PACKAGED", alone / "package")
    with pytest.raises(FileNotFoundError) as error:
        load_results("01_dense_autoencoder")
    assert str(error.value).startswith("results/01_dense_autoencoder.json is neither in ")
    assert ('pip install "aeutils @ git+https://github.com/autoencoders-book/autoencoders-book'
            f'@v{files.__version__}"') in str(error.value)
    with pytest.raises(FileNotFoundError, match="no shipped weights for 'nothing'"):
        load_shipped(models.build_dense()[0], "nothing")


def test_half_a_pair_of_weights_files_is_refused(tmp_path):
    (tmp_path / "01_dense_autoencoder.weights.h5").write_bytes(
        (NOTEBOOKS / "weights" / "01_dense_autoencoder.weights.h5").read_bytes())
    with pytest.raises(FileNotFoundError, match="01_dense_autoencoder.json is not"):
        load_shipped(models.build_dense()[0], "01_dense_autoencoder", folder=tmp_path)


@pytest.mark.environment
def test_the_package_ships_every_result_weights_and_times_file(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path,
                    ROOT], check=True, timeout=600)
    wheel = zipfile.ZipFile(next(tmp_path.glob("aeutils-*.whl")))
    shipped = {n.removeprefix("aeutils/book/") for n in wheel.namelist()
               if n.startswith("aeutils/book/")}
    chapters = {f"results/{p.name}" for p in NOTEBOOKS.glob("results/[0-9][0-9]_*.json")
                if p.suffixes == [".json"]}  # full runs only, not a reader's smoke runs
    pages = {f"results/{name}.json" for name in (  # what the performance page reads besides
        "book_run", "book_run.smoke", "benchmark", "epoch_time", "before_book_recipe",
        "book_recipe_trials", "backends")}
    weights = {f"weights/{p.name}" for p in NOTEBOOKS.glob("weights/*")}
    assert shipped == chapters | pages | weights
    assert "weights/01_dense_autoencoder.weights.h5" in shipped


def test_in_a_clone_the_packages_copy_is_the_notebooks_folder():
    """An editable install has no aeutils/book/: the clone's own notebooks/ serves instead."""
    assert files.PACKAGED == NOTEBOOKS  # this repository's venv installs aeutils editable
    assert (files.PACKAGED / "results" / "01_dense_autoencoder.json").is_file()
