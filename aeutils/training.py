"""Training that checks its data, resumes after a kill and ships its weights: ``train``."""

from pathlib import Path
from time import perf_counter

import keras

from aeutils.backup import Backup, rows
from aeutils.checks import check_count, check_file_name, check_images, check_number
from aeutils.shipped import load_shipped, save_shipped
from aeutils.sizes import FULL, SHIPPED, RunSize


class EpochSeconds(keras.callbacks.Callback):
    """Adds each epoch's wall time to its logs as ``seconds``, and so to the ``History``."""

    def on_epoch_begin(self, epoch, logs=None):
        self.start = perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs["seconds"] = perf_counter() - self.start


def _check_inputs(x, name, model):
    """``x`` checked as the model's inputs: one array of images, or a list of one per input."""
    shapes = model.input_shape if len(model.inputs) > 1 else [model.input_shape]
    if len(shapes) == 1:
        return check_images(x, name, shapes[0][1:])
    if not isinstance(x, (list, tuple)) or len(x) != len(shapes):
        got = f"{len(x)} arrays" if isinstance(x, (list, tuple)) else type(x).__name__
        raise ValueError(f"{name} must be a list of {len(shapes)} arrays, one per input of "
                         f"{model.name}, got {got}")
    arrays = [check_images(a, f"{name}[{i}]", s[1:]) for i, (a, s) in enumerate(zip(x, shapes))]
    if len({len(a) for a in arrays}) > 1:
        raise ValueError(f"the arrays of {name} must hold as many samples, got "
                         f"{[len(a) for a in arrays]}")
    return arrays


def train(model, x, y=None, *, epochs, batch_size, validation_data=None, validation_split=0.0,
          name=None, size=None, backup_dir=None, callbacks=()):
    """Keras' ``fit`` on checked data, printing each epoch's losses; returns the ``History``.

    The ``History`` also holds ``seconds``, the wall time of this call: the training (a run
    resumed from a backup counts only the epochs it trained itself), or loading the shipped
    weights; and ``history["seconds"]``, the wall time of each epoch, for plotting the loss
    against time.

    - ``x`` (and ``y``, when the targets are not ``x`` itself) must be float images in [0, 1]
      of the shape the model takes, else a clear error says what is wrong. A model of several
      inputs takes a list of arrays, one per input (the labels of a conditional autoencoder,
      say, one-hot), and its targets ``y``.
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
    x = _check_inputs(x, "x", model)
    if y is None and isinstance(x, list):
        raise ValueError("y: a model of several inputs needs its targets; for an autoencoder "
                         "that also takes labels, pass y=x[0]")
    y = x if y is None else check_images(y, "y", model.output_shape[1:])
    samples = len(x[0]) if isinstance(x, list) else len(x)
    if len(y) != samples:
        raise ValueError(f"x and y must hold as many samples, got {samples} and {len(y)}")
    if validation_data is not None:
        x_val, y_val = validation_data
        validation_data = (_check_inputs(x_val, "validation x", model),
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
    callbacks = [*callbacks, EpochSeconds()]  # after the reader's: their time counts too
    if backup_dir is None:
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True,
                            validation_data=validation_data, validation_split=validation_split,
                            callbacks=callbacks, verbose=2)
    else:
        if validation_split:  # the last samples, as fit takes them
            split = int(len(y) * (1 - validation_split))
            x, y, validation_data = (rows(x, slice(None, split)), y[:split],
                                     (rows(x, slice(split, None)), y[split:]))
        backup = Backup(Path(backup_dir) / f"aeutils-backup-{name or 'train'}", model, x, y,
                        validation_data, epochs, batch_size)
        history = backup.fit(validation_data, callbacks)
    history.seconds = perf_counter() - start
    if name is not None and size is FULL:
        save_shipped(model, name, history)
    if backup_dir is not None:
        backup.finish()  # only once the weights are safe
    return history
