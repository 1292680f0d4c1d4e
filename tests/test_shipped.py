"""The shipped weights: intact, and in the builders they reproduce the stored test losses."""

import json
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from aeutils import models
from aeutils.data import add_noise
from aeutils.mnist import load_mnist
from aeutils.shipped import load_shipped

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
WEIGHTS = NOTEBOOKS / "weights"
sys.path.insert(0, str(NOTEBOOKS.parent / "tools"))
from run_notebooks import figures  # noqa: E402 - the check `make notebooks` makes


def mnist(flat):
    _, (x_test, _) = load_mnist(flat=flat)
    return x_test


def labelled():
    """The flat test images with their one-hot labels: a conditional model's inputs."""
    _, (x_test, y_test) = load_mnist(flat=True)
    return [x_test, np.eye(10, dtype="float32")[y_test]]


BATCH = 1000  # large batches: far fewer calls, which PyTorch's eager steps make slow


def bce(model, builder, x, y):
    """Binary cross-entropy per pixel of the model's reconstructions, penalties left out."""
    if builder is models.build_vae:  # chapter 7 decodes the mean codes
        z_mean = model.get_layer("encoder").predict(x, batch_size=BATCH, verbose=0)[0]
        predicted = model.get_layer("decoder").predict(z_mean, batch_size=BATCH, verbose=0)
    elif builder is models.build_cvae:  # so does chapter 10, with the labels
        z_mean = model.get_layer("encoder").predict(x, batch_size=BATCH, verbose=0)[0]
        predicted = model.get_layer("decoder").predict([z_mean, x[1]], batch_size=BATCH,
                                                       verbose=0)
    else:
        predicted = model.predict(x, batch_size=BATCH, verbose=0)
    return float(
        np.mean(keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(y, predicted)))
    )


# shipped name: builder, test inputs and targets, the results file and key of the stored loss
CASES = {
    "01_dense_autoencoder": (  # the Keras blog's recipe
        models.build_dense,
        lambda: [mnist(True)] * 2,
        "01_dense_autoencoder",
        "blog_test_loss",
    ),
    "01_dense_autoencoder.fast": (  # the book's recipe
        models.build_dense,
        lambda: [mnist(True)] * 2,
        "01_dense_autoencoder",
        "test_loss",
    ),
    "02_sparse_autoencoder.sparse": (
        models.build_sparse,
        lambda: [mnist(True)] * 2,
        "02_sparse_autoencoder",
        "test_loss",
    ),
    "02_sparse_autoencoder.dense": (
        models.build_dense,
        lambda: [mnist(True)] * 2,
        "02_sparse_autoencoder",
        "dense_test_loss",
    ),
    "03_deep_autoencoder.deep": (
        models.build_deep,
        lambda: [mnist(True)] * 2,
        "03_deep_autoencoder",
        "test_loss",
    ),
    "03_deep_autoencoder.shallow": (
        models.build_dense,
        lambda: [mnist(True)] * 2,
        "03_deep_autoencoder",
        "shallow_test_loss",
    ),
    "04_convolutional_autoencoder": (
        models.build_convolutional,
        lambda: [mnist(False)] * 2,
        "04_convolutional_autoencoder",
        "test_loss",
    ),
    "05_denoising_autoencoder": (
        models.build_denoising,
        lambda: [add_noise(mnist(False), stddev=0.5, seed=2), mnist(False)],
        "05_denoising_autoencoder",
        "test_loss",
    ),
    "05_denoising_autoencoder.clean": (  # the control, trained on clean inputs
        models.build_denoising,
        lambda: [add_noise(mnist(False), stddev=0.5, seed=2), mnist(False)],
        "05_denoising_autoencoder",
        "control_test_loss",
    ),
    "06_seq2seq_autoencoder.rows": (
        models.build_seq2seq,
        lambda: [mnist(False)[..., 0]] * 2,
        "06_seq2seq_autoencoder",
        "test_loss",
    ),
    "07_variational_autoencoder": (
        models.build_vae,
        lambda: [mnist(True)] * 2,
        "07_variational_autoencoder",
        "test_loss",
    ),
    "10_conditional_vae": (
        models.build_cvae,
        lambda: [labelled(), mnist(True)],
        "10_conditional_vae",
        "test_loss",
    ),
    "11_vq_vae": (
        models.build_vqvae,
        lambda: [mnist(True)] * 2,
        "11_vq_vae",
        "test_loss",
    ),
    "11_vq_vae.restarts": (  # dead codes restarted after each epoch but the last
        models.build_vqvae,
        lambda: [mnist(True)] * 2,
        "11_vq_vae",
        "restarts_test_loss",
    ),
    "12_many_devices": (  # trained data-parallel on four devices
        models.build_convolutional,
        lambda: [mnist(False)] * 2,
        "12_many_devices",
        "test_loss",
    ),
    "12_many_devices.one_device": (  # the same, on one device
        models.build_convolutional,
        lambda: [mnist(False)] * 2,
        "12_many_devices",
        "one_device_test_loss",
    ),
}


def seq2seq_of_windows():
    """Chapter 6's model of windows of 64 steps of one series."""
    return models.build_seq2seq(timesteps=64, features=1, units=32)


# every shipped file: the model it loads into (those without a stored loss to check, too)
MODELS = {name: lambda builder=case[0]: builder()[0] for name, case in CASES.items()} | {
    "02_sparse_autoencoder.overcomplete": lambda: models.build_sparse(code_dim=1024)[0],
    "02_sparse_autoencoder.overcomplete_plain": lambda: models.build_dense(code_dim=1024)[0],
    "06_seq2seq_autoencoder.heart": lambda: seq2seq_of_windows()[0],
    "06_seq2seq_autoencoder.series": lambda: seq2seq_of_windows()[0],
    "08_latent_space": lambda: models.build_dense()[0],
    "10_conditional_vae.classifier": models.digit_classifier,
    **{f"12_many_devices.{run}": lambda: models.build_convolutional()[0]  # other settings
       for run in ("batch32", "linear", "reordered", "sqrt")},
}


def test_every_weights_file_is_listed_and_intact():
    names = sorted(p.name.removesuffix(".weights.h5") for p in WEIGHTS.glob("*.weights.h5"))
    records = sorted(p.stem for p in WEIGHTS.glob("*.json"))
    assert names == records == sorted(MODELS)
    # small enough to ship inside the package: the two 1024-unit models of chapter 02 are most
    assert sum(p.stat().st_size for p in WEIGHTS.iterdir()) < 21e6


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_shipped_file_loads_into_its_model_with_its_curves(name):
    """A change to a builder's layers or to their shapes fails here, in the fast loop; one
    that keeps the shapes (an activation, say) fails the slow check of the losses below."""
    history = load_shipped(MODELS[name](), name, folder=WEIGHTS)
    assert len(history.history["loss"]) == len(history.epoch) > 0
    if name in CASES:
        _, _, chapter, key = CASES[name]
        results = json.loads((NOTEBOOKS / "results" / f"{chapter}.json").read_text())
        assert len(history.epoch) == results["blog_epochs" if key.startswith("blog_")
                                             else "epochs"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_shipped_weights_reproduce_the_stored_test_loss(name):
    builder, data, chapter, key = CASES[name]
    model, _, _ = builder()
    load_shipped(model, name, folder=WEIGHTS)
    x, y = data()
    results = json.loads((NOTEBOOKS / "results" / f"{chapter}.json").read_text())
    assert bce(model, builder, x, y) == pytest.approx(results[key], abs=0.002)


@pytest.mark.slow
def test_the_shipped_digit_classifier_reproduces_its_stored_accuracy():
    classifier = models.digit_classifier()
    load_shipped(classifier, "10_conditional_vae.classifier", folder=WEIGHTS)
    x_test, onehot = labelled()
    predicted = classifier.predict(x_test, batch_size=BATCH, verbose=0)
    accuracy = np.mean(predicted.argmax(axis=1) == onehot.argmax(axis=1))
    results = json.loads((NOTEBOOKS / "results" / "10_conditional_vae.json").read_text())
    assert accuracy == pytest.approx(results["classifier_accuracy"], abs=1e-4)


def test_damaged_weights_are_refused(tmp_path):
    for suffix in (".weights.h5", ".json"):
        (tmp_path / f"x{suffix}").write_bytes(
            (WEIGHTS / f"01_dense_autoencoder{suffix}").read_bytes()
        )
    with open(tmp_path / "x.weights.h5", "r+b") as f:
        f.seek(-100, 2)
        f.write(b"\x00" * 8)
    model, _, _ = models.build_dense()
    with pytest.raises(ValueError, match="does not match its SHA-256"):
        load_shipped(model, "x", folder=tmp_path)
    with pytest.raises(FileNotFoundError, match="no shipped weights for 'y'"):
        load_shipped(model, "y", folder=tmp_path)


@pytest.mark.notebook
def test_the_shipped_size_draws_the_stored_figures(monkeypatch):
    """A reader who sets AEUTILS_SIZE=shipped gets the book's figures, without training."""
    import nbformat
    from nbclient import NotebookClient

    path = NOTEBOOKS / "01_dense_autoencoder.ipynb"
    stored = nbformat.read(path, as_version=4)
    monkeypatch.setenv("AEUTILS_SIZE", "shipped")
    shipped = nbformat.read(path, as_version=4)
    NotebookClient(shipped, timeout=600, resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    assert len(figures(stored)) >= 2
    assert figures(shipped) == figures(stored)
    printed = "".join(
        o.get("text", "") for c in shipped.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "run size: shipped" in printed and "loaded the shipped weights" in printed


def test_every_notebook_drew_its_stored_figures_from_the_shipped_weights():
    """The record of ``AEUTILS_SIZE=shipped make notebooks``, made after the last full runs."""
    shipped = json.loads((NOTEBOOKS / "results" / "book_run.shipped.json").read_text())
    full = json.loads((NOTEBOOKS / "results" / "book_run.json").read_text())["notebooks"]
    assert set(shipped["notebooks"]) == {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    for name, run in shipped["notebooks"].items():
        assert run["date"] >= full[name]["date"], f"{name} ran at full size since: check again"
        assert run["figures"] >= 1 and run["figures_differ"] == 0, name
