"""Run sizes (full-size training for the book, a smoke size for CI) and resumable training."""

import os
from dataclasses import dataclass

import keras

from aeutils.checks import check_count, check_images

SMOKE_VARIABLE = "AEUTILS_SMOKE"


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


def run_size():
    """``SMOKE`` when the environment variable ``AEUTILS_SMOKE`` is ``1``, else ``FULL``."""
    value = os.environ.get(SMOKE_VARIABLE, "0")
    if value not in ("0", "1"):
        raise ValueError(f"{SMOKE_VARIABLE} must be 0 or 1, got {value!r}")
    return SMOKE if value == "1" else FULL


def train(model, x, y=None, *, epochs, batch_size, validation_data=None, backup_dir=None,
          callbacks=()):
    """Train a compiled autoencoder on ``x`` (against ``y``, or ``x`` itself), checking both first.

    Prints one line per epoch. With ``backup_dir``, Keras' ``BackupAndRestore`` saves the
    state at the end of every epoch, so a run that is killed resumes from its last finished
    epoch when the same call is made again; the backup is removed once training ends.

    Returns the Keras ``History`` of the epochs this call ran.
    """
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
    callbacks = list(callbacks)
    if backup_dir is not None:
        callbacks.insert(0, keras.callbacks.BackupAndRestore(str(backup_dir)))
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True,
                     validation_data=validation_data, callbacks=callbacks, verbose=2)
