"""Each kind chapter ends with "This chapter in one cell": plain Keras, NumPy and matplotlib.

The test runs each such cell alone, as a reader who pastes it into a fresh notebook would: in
a new virtual environment that sees the book's packages but not ``aeutils``, at a small size
(the first 1,024 training images, at most three epochs) and without the internet. What makes
it small is set up around the cell, never written in it; the test checks that every model the
cell trains lowers its loss.
"""

import ast
import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import numpy as np
import pytest

from aeutils.chapters import KINDS

ROOT = Path(__file__).resolve().parent.parent
MARK = "# This chapter in one cell"
KIND_CHAPTERS = [ROOT / "notebooks" / f"{chapter.notebook}.ipynb" for chapter in KINDS.values()]
# and the chapters that train a model otherwise than its own chapter (12: on four devices)
ONE_CELL = KIND_CHAPTERS + [ROOT / "notebooks" / "12_many_devices.ipynb"]

AROUND = '''
import importlib.util, json, sys
assert importlib.util.find_spec("aeutils") is None, "aeutils is importable here"
import keras, numpy as np
data = np.load(sys.argv[1])
keras.datasets.mnist.load_data = lambda: ((data["x_train"], data["y_train"]),
                                          (data["x_test"], data["y_test"]))
fit, losses = keras.Model.fit, []
def small_fit(self, *args, epochs=1, **kwargs):
    history = fit(self, *args, epochs=min(epochs, 3), **kwargs)
    losses.append(history.history["loss"])
    return history
keras.Model.fit = small_fit
'''


def one_cell(path):
    """The source of the chapter's "in one cell" code cell (None if it has none)."""
    cells = nbformat.read(path, as_version=4).cells
    found = [c for c in cells if c.cell_type == "code" and c.source.startswith(MARK)]
    assert len(found) <= 1, f"{path.name}: more than one cell starts with {MARK!r}"
    return found[0] if found else None


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """A Python without aeutils, sharing the book's other packages, and a small MNIST file."""
    folder = tmp_path_factory.mktemp("bare")
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", folder / "env"],
                   check=True)
    site = next((folder / "env" / "lib").glob("python*/site-packages"))
    # a plain path line: the book's .pth files, aeutils' editable install among them, stay out
    (site / "book_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    from aeutils.mnist import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist(flat=False)
    np.savez(folder / "mnist.npz", x_train=(x_train[:1024, ..., 0] * 255).astype("uint8"),
             y_train=y_train[:1024], x_test=(x_test[:256, ..., 0] * 255).astype("uint8"),
             y_test=y_test[:256])
    return folder / "env" / "bin" / "python", folder / "mnist.npz"


@pytest.mark.notebook
@pytest.mark.parametrize("path", ONE_CELL, ids=[p.stem for p in ONE_CELL])
def test_the_chapter_in_one_cell_runs_alone_and_learns(path, bare, tmp_path):
    cell = one_cell(path)
    assert cell is not None, f"{path.name} has no cell starting with {MARK!r}"
    assert "aeutils" not in cell.source and len(cell.source.splitlines()) <= 40
    assert {"skip-execution", "nbval-skip"} <= set(cell.metadata.get("tags", [])), \
        "the full run and nbval must leave it to the reader (it trains the chapter again)"
    losses = run_alone(cell.source, bare, tmp_path)
    assert losses and all(curve[-1] < curve[0] for curve in losses), losses


def run_alone(source, bare, folder, backend="tensorflow"):
    """Run ``source`` in the bare Python on ``backend``, small; return each fit's losses."""
    python, mnist = bare
    script = folder / "cell.py"
    script.write_text(AROUND + source + '\nprint("LOSSES", json.dumps(losses))\n')
    done = subprocess.run([python, script, mnist], cwd=folder, capture_output=True, text=True,
                          timeout=600, env={"MPLBACKEND": "Agg", "PATH": "/usr/bin",
                                            "KERAS_BACKEND": backend})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(re.search(r"^LOSSES (.*)$", done.stdout, re.MULTILINE).group(1))


@pytest.mark.slow
def test_the_model_cells_run_with_keras_alone(bare, tmp_path):
    """The chapters' #@save cells, pasted in order into a notebook with Keras and NumPy only."""
    cells = [c.source for path in sorted((ROOT / "notebooks").glob("*.ipynb"))
             for c in nbformat.read(path, as_version=4).cells
             if c.cell_type == "code" and c.source.startswith("#@save")]
    definitions = [ast.unparse(node) for cell in cells for node in ast.parse(cell).body
                   if isinstance(node, (ast.FunctionDef, ast.ClassDef))]  # not their use
    script = tmp_path / "cells.py"
    script.write_text("import keras\nimport numpy as np\nfrom keras import layers, ops\n"
                      "import matplotlib.pyplot as plt\n" + "\n\n".join(definitions) + """
for name, build in list(globals().items()):
    if name.startswith("build_"):
        autoencoder, encoder, decoder = build()
        assert autoencoder.count_params() > 0, name
images = np.random.default_rng(0).random((4, 784), dtype="float32")
assert psnr(images, images) > 100 and plot_codes_2d(images[:, :2], [0, 1, 2, 3]) is not None
print("built", sorted(n for n in globals() if n.startswith("build_")))
""")
    python, _ = bare
    done = subprocess.run([python, script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600, env={"MPLBACKEND": "Agg", "PATH": "/usr/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "build_vae" in done.stdout and "build_dense" in done.stdout
