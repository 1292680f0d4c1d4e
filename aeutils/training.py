"""Run sizes, and training that checks its data, resumes after a kill and ships its weights.

Three run sizes, chosen by environment variables before a notebook starts:

- ``full`` (the default): all the data and the chapter's number of epochs; ``train`` stores
  the weights and the training curves under ``weights/``, to ship with the book;
- ``smoke`` (``AEUTILS_SMOKE=1``): a few hundred images and at most two epochs, for CI;
- ``shipped`` (``AEUTILS_SHIPPED=1``): all the data, but ``train`` loads the weights the
  book ships instead of training, so every figure comes out as in the book in seconds.
"""

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

import keras

from aeutils.backup import Backup
from aeutils.checks import (check_count, check_file_name, check_images, check_number,
                            env_variable)
from aeutils.storage import atomic_file, read_json, sha256
from aeutils.files import book_file

SMOKE_VARIABLE = "AEUTILS_SMOKE"
SHIPPED_VARIABLE = "AEUTILS_SHIPPED"
WEIGHTS_FOLDER = "weights"


@dataclass(frozen=True)
class RunSize:
    """How much data and how many epochs a notebook uses.

    ``train`` and ``test`` cap the number of images (``None``: all of them);
    ``max_epochs`` caps the epochs a chapter asks for (``None``: no cap).
    """

    name: str
    train: int | None
    test: int | None
    max_epochs: int | None

    def epochs(self, full):
        """The number of epochs to train for when a full run uses ``full``."""
        check_count(full, "full")
        return full if self.max_epochs is None else min(full, self.max_epochs)


FULL = RunSize("full", train=None, test=None, max_epochs=None)
SMOKE = RunSize("smoke", train=512, test=256, max_epochs=2)
SHIPPED = RunSize("shipped", train=None, test=None, max_epochs=None)


def _flag(variable):
    value = env_variable(variable) or "0"  # set but empty or blank counts as unset
    if value not in ("0", "1"):
        raise ValueError(f"{variable} must be 0 or 1 (or unset), got {value!r}")
    return value == "1"


def run_size():
    """``SMOKE`` if ``AEUTILS_SMOKE=1``, ``SHIPPED`` if ``AEUTILS_SHIPPED=1``, else ``FULL``."""
    smoke, shipped = _flag(SMOKE_VARIABLE), _flag(SHIPPED_VARIABLE)
    if smoke and shipped:
        raise ValueError(f"set {SMOKE_VARIABLE} or {SHIPPED_VARIABLE}, not both")
    return SMOKE if smoke else SHIPPED if shipped else FULL


@contextlib.contextmanager
def _without_optimizer(model):
    """Hide the optimizer, so that a weights file holds the model's weights alone."""
    optimizer, model.optimizer = getattr(model, "optimizer", None), None  # None until compiled
    try:
        yield model
    finally:
        model.optimizer = optimizer


def save_shipped(model, name, history, folder=WEIGHTS_FOLDER):
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


def load_shipped(model, name, folder=WEIGHTS_FOLDER):
    """Load the weights stored by ``save_shipped`` into ``model``, checking their SHA-256.

    Where the default ``folder`` lacks them (Colab opens a notebook alone), the book's own
    copies are downloaded by ``aeutils.files.book_file``. Returns a Keras ``History``
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


def train(model, x, y=None, *, epochs, batch_size, validation_data=None, validation_split=0.0,
          name=None, size=None, backup_dir=None, callbacks=()):
    """Keras' ``fit`` on checked data, printing one line per epoch; returns the ``History``.

    The ``History`` also holds ``seconds``, the wall time of this call: the training (a run
    resumed from a backup counts only the epochs it trained itself), or loading the shipped
    weights.

    - ``x`` (and ``y``, when the targets are not ``x`` itself) must be float images in [0, 1]
      of the shape the model takes, else a clear error says what is wrong.
    - With ``backup_dir``, the state is saved after every epoch in a folder of the package's
      own inside it (see ``aeutils.backup``): a run that is killed resumes from its last
      finished epoch when the same call is made again, with the curves of every epoch, and
      only that folder is removed once training ends.
    - With ``name`` and ``size=run_size()``, a full-size run stores the weights and curves to
      ship with the book (``save_shipped``), and the ``shipped`` size loads them instead of
      training. ``name`` needs ``size``, so that no smoke run can overwrite the book's weights.
    """
    if size is not None and not isinstance(size, RunSize):
        raise TypeError(f"size must be a RunSize such as run_size(), got {type(size).__name__} "
                        f"{size!r}")
    if name is not None:
        check_file_name(name, "name")
        if size is None:
            raise ValueError(f"name={name!r} stores the weights the book ships: pass "
                             "size=run_size() too, so that a smoke run never overwrites them")
    x = check_images(x, "x", model.input_shape[1:])
    y = x if y is None else check_images(y, "y", model.output_shape[1:])
    if len(y) != len(x):
        raise ValueError(f"x and y must hold as many samples, got {len(x)} and {len(y)}")
    if validation_data is not None:
        x_val, y_val = validation_data
        validation_data = (check_images(x_val, "validation x", model.input_shape[1:]),
                           check_images(y_val, "validation y", model.output_shape[1:]))
    check_count(epochs, "epochs")
    check_count(batch_size, "batch_size")
    if check_number(validation_split, "validation_split") >= 1:
        raise ValueError(f"validation_split must be below 1, got {validation_split}")
    if validation_split and validation_data is not None:
        raise ValueError("give validation_data or validation_split, not both")
    start = perf_counter()
    if size is SHIPPED:
        if name is None:
            raise ValueError("the shipped size needs the name the weights were stored under")
        history = load_shipped(model, name)
        history.seconds = perf_counter() - start
        print(f"loaded the shipped weights of {name} ({len(history.epoch)} epochs)")
        return history
    if not model.compiled:
        raise ValueError("model must be compiled before training: "
                         "model.compile(optimizer=..., loss=...)")
    callbacks = list(callbacks)
    if backup_dir is None:
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True,
                            validation_data=validation_data, validation_split=validation_split,
                            callbacks=callbacks, verbose=2)
    else:
        if validation_split:  # the last samples, as fit takes them
            split = int(len(x) * (1 - validation_split))
            x, y, validation_data = x[:split], y[:split], (x[split:], y[split:])
        backup = Backup(Path(backup_dir) / f"aeutils-backup-{name or 'train'}", model, x, y,
                        validation_data, epochs, batch_size)
        history = backup.fit(validation_data, callbacks)
    history.seconds = perf_counter() - start
    if name is not None and size is FULL:
        save_shipped(model, name, history)
    if backup_dir is not None:
        backup.finish()  # only once the weights are safe
    return history
