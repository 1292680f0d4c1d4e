"""The weights the book ships: stored by a full run of a chapter, loaded and checked later.

A full run stores each model's weights and training curves as ``weights/{name}.weights.h5``
and ``weights/{name}.json`` (which holds the weights' SHA-256); the ``shipped`` run size
(see ``aeutils.sizes``) loads them instead of training.
"""

import contextlib
import json
from pathlib import Path

import keras

from aeutils.checks import check_file_name
from aeutils.files import book_file
from aeutils.storage import atomic_file, read_json, sha256

FOLDER = "weights"


@contextlib.contextmanager
def _without_optimizer(model):
    """Hide the optimizer, so that a weights file holds the model's weights alone."""
    optimizer, model.optimizer = getattr(model, "optimizer", None), None  # None until compiled
    try:
        yield model
    finally:
        model.optimizer = optimizer


def save_shipped(model, name, history, folder=FOLDER):
    """Store ``model``'s weights and training curves as ``{folder}/{name}.*``; return the paths.

    The JSON file holds the curves and the weights' SHA-256, which ``load_shipped`` checks.
    Both files are written whole before either replaces an older pair, back to back.
    """
    check_file_name(name, "name")
    weights, record = Path(folder) / f"{name}.weights.h5", Path(folder) / f"{name}.json"
    curves = {key: [float(v) for v in values] for key, values in history.history.items()}
    with atomic_file(weights) as new_weights, atomic_file(record) as new_record:
        with _without_optimizer(model):
            model.save_weights(new_weights)
        text = json.dumps({"sha256": sha256(new_weights), "history": curves}, indent=1)
        new_record.write_text(text + "\n")
    return weights, record


def _read_record(path):
    """The checked content of a weights record: its SHA-256 and curves, or a clear error."""
    advice = "remove it and its weights file to use the book's own, or rerun the chapter"
    record = read_json(path, advice)
    try:
        curves = record["history"]
        lengths = {len(values) for values in curves.values()}
        if not isinstance(record["sha256"], str) or not curves.get("loss") or len(lengths) > 1:
            raise ValueError("it needs a sha256 and curves of one value per epoch, with a loss")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path} is damaged ({type(error).__name__}: {error}): {advice}") from None
    return record


def load_shipped(model, name, folder=FOLDER):
    """Load the weights stored by ``save_shipped`` into ``model``, checking their SHA-256.

    Where the default ``folder`` lacks them (Colab opens a notebook alone), the package's
    own copies are read (see ``aeutils.files.book_file``). Returns a Keras ``History``
    holding the training curves of the run that made them.
    """
    check_file_name(name, "name")
    paths = [Path(folder) / f"{name}.json", Path(folder) / f"{name}.weights.h5"]
    present = [path.is_file() for path in paths]
    if any(present) and not all(present):  # never mix a file of one run with one of another
        raise FileNotFoundError(
            f"{paths[present.index(True)]} is there but {paths[present.index(False)]} is not: "
            f"restore it, or remove both to use the book's own"
        )
    try:
        record, weights = (book_file(path) for path in paths)
    except FileNotFoundError as error:
        raise FileNotFoundError(
            f"no shipped weights for {name!r} in {Path(folder).resolve()}: a full run of the "
            f"chapter that trains it stores them ({error})"
        ) from None
    record = _read_record(record)
    if sha256(weights) != record["sha256"]:
        raise ValueError(f"{weights} does not match its SHA-256: it is damaged or was replaced")
    with _without_optimizer(model):
        model.load_weights(weights)
    history = keras.callbacks.History()
    history.history = record["history"]
    history.epoch = list(range(len(record["history"]["loss"])))
    return history


