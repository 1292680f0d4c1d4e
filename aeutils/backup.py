"""Training that a kill cannot lose: a backup after every epoch, in a folder of its own.

``train(..., backup_dir=d)`` keeps its backup in ``d/aeutils-backup-<name>``, a folder the
package creates and marks as its own, and removes only that folder when training ends:
nothing else in ``d`` is touched. After every epoch it writes the weights (with the
optimizer's state) and then ``state.json``, which names them with their SHA-256, the curves
so far, and what identifies the run: the model, the optimizer and loss, the data and the
settings. A call that finds a backup resumes it only if all of those match, and refuses a
damaged one, naming the folder to remove. The batches of each epoch come in an order set by
the run's seed and the epoch's number alone, so a resumed run trains exactly as an
unbroken one would.
"""

import hashlib
import json
import math
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import keras
import numpy as np

from aeutils.storage import atomic_file, partial_name, remove_leftovers, sha256, write_text

MARKER = "AEUTILS-BACKUP"  # the file that marks a folder as the package's own
STATE = "state.json"


def rows(x, which=slice(None)):
    """The rows ``which`` of ``x``: one array, or a list of arrays (a model's several inputs)."""
    return [array[which] for array in x] if isinstance(x, list) else x[which]


def _digest(*parts):
    """A short SHA-256 of arrays, lists of arrays and JSON-able values."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, list) and part and all(isinstance(p, np.ndarray) for p in part):
            digest.update(_digest(*part).encode())
        elif isinstance(part, np.ndarray):
            digest.update(str((part.shape, part.dtype)).encode())
            digest.update(np.ascontiguousarray(part).data)
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


def _describe(layer):
    """A layer's kind and settings, without the names Keras numbers anew in every session."""
    if hasattr(layer, "layers"):  # a model: what it holds
        return [type(layer).__name__, [_describe(inner) for inner in layer.layers]]
    try:
        config = {k: v for k, v in layer.get_config().items() if k != "name"}
    except NotImplementedError:  # a reader's layer without get_config: its weights' shapes
        config = [list(weight.shape) for weight in layer.weights]
    return [type(layer).__name__, config]


def _not_weights(model):
    """The model's variables that its weights file leaves out (the states of random seeds)."""
    weights = {id(weight) for weight in model.weights}
    return [variable for variable in model.variables if id(variable) not in weights]


def fingerprint(model, x, y, validation_data, epochs, batch_size):
    """What identifies a run: {part: digest or value}, compared part by part on resuming."""
    optimizer = {k: v for k, v in model.optimizer.get_config().items() if k != "name"}
    return {
        "model": _digest(_describe(model)),
        "optimizer and loss": _digest(optimizer, keras.saving.serialize_keras_object(model.loss)),
        "data": _digest(x, y),
        "validation data": _digest(*(validation_data or ())),
        "epochs": epochs,
        "batch size": batch_size,
    }


class EpochOrder(keras.utils.PyDataset):
    """``(x, y)`` in batches, shuffled in an order that depends on ``(seed, epoch)`` alone;
    ``x`` is an array, or a list of arrays for a model of several inputs."""

    def __init__(self, x, y, batch_size, seed, epoch):
        super().__init__()
        self.x, self.y, self.batch_size, self.seed = x, y, batch_size, seed
        self.set_epoch(epoch)

    def set_epoch(self, epoch):
        self.order = np.random.default_rng([self.seed, epoch]).permutation(len(self.y))

    def __len__(self):
        return math.ceil(len(self.y) / self.batch_size)

    def __getitem__(self, index):
        batch = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        x = rows(self.x, batch)
        return (tuple(x) if isinstance(x, list) else x), self.y[batch]  # tf.data takes tuples


class Backup(keras.callbacks.Callback):
    """Back up the model after every epoch into ``folder``, and restore it at the start.

    ``fit()`` reads an existing backup (or makes the folder) and trains from its last
    finished epoch, on the training data in their seeded order (``self.batches``).
    """

    def __init__(self, folder, model, x, y, validation_data, epochs, batch_size):
        super().__init__()
        self.folder = Path(folder)
        self.run = fingerprint(model, x, y, validation_data, epochs, batch_size)
        self.set_model(model)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.state = None

    def _damaged(self, why):
        return ValueError(
            f"the backup in {self.folder} is damaged ({why}): remove that folder to start afresh"
        )

    def fit(self, validation_data, callbacks):
        """Keras' ``fit`` from the backup's last finished epoch, printing each epoch's losses;
        returns the ``History`` of every epoch, those of the run that was killed included."""
        self.done, self.history, self.seed = self._read()
        self.batches = EpochOrder(self.x, self.y, self.batch_size, self.seed, self.done)
        history = self.model.fit(
            self.batches, epochs=self.run["epochs"], initial_epoch=self.done, shuffle=False,
            validation_data=validation_data, callbacks=[*callbacks, self], verbose=2)
        history.history = {key: self.history.get(key, []) + values
                           for key, values in history.history.items()} or self.history
        history.epoch = list(range(len(history.history.get("loss", []))))  # early stops too
        return history

    def _read(self):
        """``(epochs_done, history, seed)`` of the backup, after checking it is this run's."""
        if self.folder.parent.exists() and not self.folder.parent.is_dir():
            raise ValueError(f"backup_dir must be a folder, got the file {self.folder.parent}")
        if self.folder.exists() and not (self.folder / MARKER).is_file():
            raise FileExistsError(
                f"{self.folder} is in the way: it was not made by aeutils, which keeps its "
                f"backup there; move it, or choose another backup_dir"
            )
        state_path = self.folder / STATE
        if not state_path.is_file():  # nothing yet, or killed before the first epoch ended
            if self.folder.exists():
                shutil.rmtree(self.folder)
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            remove_leftovers(self.folder.parent)
            new = Path(tempfile.mkdtemp(dir=self.folder.parent, prefix=partial_name()))
            (new / MARKER).write_text("A backup of aeutils.training.train, removed when "
                                      "training ends.\n")
            os.replace(new, self.folder)  # marked as the package's own from its first moment
            return 0, {}, int(np.random.randint(2**31 - 1))  # numpy's seeded global state
        try:
            state = json.loads(state_path.read_text())
            weights = self.folder / state["weights"]
            done, history, seed = state["epochs_done"], state["history"], state["seed"]
            state["variables"]
        except (ValueError, KeyError, TypeError) as error:
            raise self._damaged(f"{STATE} is unreadable: {error}") from None
        theirs = state.get("run", {})
        differ = [part if isinstance(value, str) else f"{part} ({theirs.get(part)}, now {value})"
                  for part, value in self.run.items() if theirs.get(part) != value]
        if differ:
            raise ValueError(
                f"{self.folder} holds the backup of another run (its {', '.join(differ)} "
                f"differ): call train as that run did to resume it, or remove that folder "
                f"to start afresh"
            )
        if weights.name != state["weights"]:
            raise self._damaged(f"{STATE} names weights outside it, {state['weights']!r}")
        if not weights.is_file():
            raise self._damaged(f"{weights.name} is missing")
        if sha256(weights) != state["sha256"]:
            raise self._damaged(f"{weights.name} does not match its SHA-256")
        self.state = state
        return done, history, seed

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.set_epoch(epoch)

    def on_train_begin(self, logs=None):
        if self.state is not None:
            self.model.optimizer.build(self.model.trainable_variables)  # else its state is lost
            self.model.load_weights(self.folder / self.state["weights"])
            for variable, value in zip(_not_weights(self.model), self.state["variables"]):
                variable.assign(np.array(value, dtype=variable.dtype))

    def on_epoch_end(self, epoch, logs=None):
        previous = (self.state or {}).get("weights")
        weights = self.folder / f"epoch-{epoch + 1}.weights.h5"
        with atomic_file(weights) as tmp:
            self.model.save_weights(tmp)  # with the optimizer's state
        history = dict((self.state or {}).get("history", {}))
        for key, value in (logs or {}).items():
            history[key] = history.get(key, []) + [float(value)]
        variables = [keras.ops.convert_to_numpy(v).tolist() for v in _not_weights(self.model)]
        self.state = {"run": self.run, "seed": self.seed, "epochs_done": epoch + 1,
                      "weights": weights.name, "sha256": sha256(weights), "history": history,
                      "variables": variables}
        write_text(self.folder / STATE, json.dumps(self.state, indent=1) + "\n")
        if previous and previous != weights.name:
            (self.folder / previous).unlink(missing_ok=True)

    def finish(self):
        """Remove the backup folder, the package's own and nothing else, or warn why not."""
        try:
            if (self.folder / MARKER).is_file():
                shutil.rmtree(self.folder)
        except OSError as error:  # a file held open elsewhere (Windows), say: training is done
            warnings.warn(f"could not remove the finished backup {self.folder} ({error}): "
                          f"remove it by hand", stacklevel=3)
