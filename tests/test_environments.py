"""The package in environments other than the book's own: bare, and with the oldest Keras.

Each test makes a fresh virtual environment from `pip install` alone, so they take a few
minutes; they are what shows that a reader's Colab or laptop can run the chapters.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import tomllib
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
OLDEST_KERAS = "3.12.0"


def make_env(folder, *requirements):
    """A new virtual environment in ``folder`` holding the package (from a clean copy) and more."""
    source = folder / "src"
    shutil.copytree(
        ROOT / "aeutils", source / "aeutils", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys._base_executable, "-m", "venv", folder / "env"], check=True)
    python = folder / "env" / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"{source}[tensorflow-cpu]", *requirements],
        check=True,
        timeout=1200,
    )
    return python


def test_the_declared_oldest_keras_is_the_one_tested():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"keras>={OLDEST_KERAS.rsplit('.', 1)[0]},<4" in dependencies


def test_a_chapter_runs_in_a_bare_environment(tmp_path, monkeypatch):
    python = make_env(tmp_path, "ipykernel")
    assert subprocess.run([python, "-c", "import myst_nb"], capture_output=True).returncode != 0
    jupyter = tmp_path / "jupyter"
    subprocess.run(
        [python, "-m", "ipykernel", "install", "--prefix", jupyter, "--name", "bare"],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter / "share" / "jupyter"))
    monkeypatch.setenv("AEUTILS_SMOKE", "1")
    notebook = nbformat.read(ROOT / "notebooks" / "01_dense_autoencoder.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="bare", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "Keras 3." in printed and "run size: smoke" in printed
    record = json.loads((tmp_path / "results" / "01_dense_autoencoder.smoke.json").read_text())
    assert record["test_loss"] < 0.7


def test_unit_tests_pass_with_the_oldest_keras(tmp_path):
    python = make_env(tmp_path, f"keras=={OLDEST_KERAS}", "pytest")
    version = subprocess.run(
        [python, "-c", "import keras; print(keras.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == OLDEST_KERAS
    tests = [
        "test_models.py",
        "test_checks.py",
        "test_training.py",
        "test_resume.py",
        "test_metrics.py",
    ]
    result = subprocess.run(
        [
            python,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *[ROOT / "tests" / t for t in tests],
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-3000:]
