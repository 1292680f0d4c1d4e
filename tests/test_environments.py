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
import pytest
import tomllib
from nbclient import NotebookClient

from packaging.requirements import Requirement

import aeutils
from tools.run_notebooks import KERNEL_ARGUMENTS  # how the book's runs start a kernel

ROOT = Path(__file__).resolve().parent.parent
OLDEST_KERAS = "3.10.0"  # an older Colab image has it; 3.9 untried


def make_env(folder, *requirements):
    """A new virtual environment in ``folder`` holding the package (from a clean copy) and more."""
    source = folder / "src"
    shutil.copytree(
        ROOT / "aeutils", source / "aeutils", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for shipped in ("results", "weights"):  # the package carries the book's shipped files
        shutil.copytree(ROOT / "notebooks" / shipped, source / "notebooks" / shipped)
    subprocess.run([sys._base_executable, "-m", "venv", folder / "env"], check=True)
    python = folder / "env" / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"{source}[tensorflow-cpu]", *requirements],
        check=True,
        timeout=1200,
    )
    return python


def release_mirror(folder):
    """A copy of this repository's last commit, tagged as the release the setup cells name."""
    mirror = folder / "mirror.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", ROOT, mirror], check=True)
    subprocess.run(["git", "-C", mirror, "tag", f"v{aeutils.__version__}", "HEAD"], check=True)
    return mirror


def test_an_old_colab_keeps_its_tensorflow_and_keras(tmp_path, monkeypatch, github_from):
    """Chapter 01, opened alone in an image with TensorFlow 2.19 and Keras 3.10 (no aeutils):
    the setup cell installs the book's release and leaves both versions as they were."""
    subprocess.run([sys._base_executable, "-m", "venv", tmp_path / "env"], check=True)
    python = tmp_path / "env" / "bin" / "python"
    colab = ["tensorflow-cpu==2.19.0", "keras==3.10.0", "matplotlib", "scikit-learn", "ipykernel"]
    subprocess.run([python, "-m", "pip", "install", "--quiet", *colab], check=True, timeout=1200)

    def versions():
        return subprocess.run(
            [python, "-c", "import importlib.metadata as m; print(m.version('tensorflow-cpu'), "
                           "m.version('keras'), m.version('numpy'))"],
            capture_output=True, text=True, check=True).stdout.split()

    before = versions()
    assert before[:2] == ["2.19.0", "3.10.0"]
    jupyter = tmp_path / "jupyter"
    subprocess.run([python, "-m", "ipykernel", "install", "--prefix", jupyter, "--name", "colab"],
                   check=True, capture_output=True)
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter / "share" / "jupyter"))
    monkeypatch.setenv("AEUTILS_SIZE", "smoke")
    github_from(release_mirror(tmp_path))
    notebook = nbformat.read(ROOT / "notebooks" / "01_dense_autoencoder.ipynb", as_version=4)
    (tmp_path / "alone").mkdir()
    NotebookClient(notebook, timeout=900, kernel_name="colab", extra_arguments=KERNEL_ARGUMENTS,
                   resources={"metadata": {"path": str(tmp_path / "alone")}}).execute()
    assert versions() == before
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "Keras 3.10.0, backend tensorflow 2.19.0" in printed and "run size: smoke" in printed


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
    monkeypatch.setenv("AEUTILS_SIZE", "smoke")
    notebook = nbformat.read(ROOT / "notebooks" / "01_dense_autoencoder.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="bare", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "Keras 3." in printed and "run size: smoke" in printed
    record = json.loads((tmp_path / "results" / "01_dense_autoencoder.smoke.json").read_text())
    assert record["test_loss"] < 0.7

    # The performance page opened alone, as Colab opens it, with no notebooks/ folder beside
    # it, reads the package's own copies and shows what the book stores.
    page = nbformat.read(ROOT / "book" / "performance.ipynb", as_version=4)
    stored = [c.outputs for c in page.cells if c.cell_type == "code"]
    (tmp_path / "alone" / "book").mkdir(parents=True)
    NotebookClient(page, timeout=600, kernel_name="bare",
                   resources={"metadata": {"path": str(tmp_path / "alone" / "book")}},
                   extra_arguments=KERNEL_ARGUMENTS).execute()
    ran = [c.outputs for c in page.cells if c.cell_type == "code"]

    def shown(outputs):  # what a reader sees: the outputs, not the kernel's cell counter
        return [{k: v for k, v in o.items() if k != "execution_count"} for o in outputs]

    assert list(map(shown, ran[1:])) == list(map(shown, stored[1:]))  # after the setup cell


def test_unit_tests_pass_with_the_oldest_keras(tmp_path):
    # TensorFlow 2.21 asks for Keras 3.12 or newer; 2.19, an older Colab's, takes 3.10
    python = make_env(tmp_path, "tensorflow-cpu==2.19.0", f"keras=={OLDEST_KERAS}", "pytest")
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


# The wheels pip may take on each system a reader may have, and how markers name it.
SYSTEMS = {
    "linux": ("linux", "Linux", ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64",
                                 "manylinux_2_17_x86_64", "manylinux2014_x86_64"]),
    "macos": ("darwin", "Darwin", ["macosx_14_0_arm64"]),
    "windows": ("win32", "Windows", ["win_amd64"]),
}
PYTHONS = ["3.11", "3.12", "3.13"]  # the range the README states


def pins_for(system, python):
    """The lines of requirements.txt that apply on ``system`` with ``python``."""
    sys_platform, platform_system, _ = SYSTEMS[system]
    environment = {"sys_platform": sys_platform, "platform_system": platform_system,
                   "python_version": python}
    pins = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                pins.append(f"{requirement.name}{requirement.specifier}")
    return pins


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("system", SYSTEMS)
def test_the_books_pins_install_on_every_system_and_python_it_names(system, python, tmp_path):
    """pip resolves requirements.txt from wheels alone for that system (markers as there)."""
    platforms = [flag for tag in SYSTEMS[system][2] for flag in ("--platform", tag)]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
         "--target", tmp_path, "--only-binary=:all:", "--python-version", python, *platforms,
         *pins_for(system, python)],
        capture_output=True, text=True, timeout=600,
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert result.returncode == 0, f"{system}, Python {python}: {errors[-2:]}"
