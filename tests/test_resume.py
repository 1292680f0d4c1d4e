"""No lost training, and nothing of the reader's lost: backups that resume exactly, or refuse."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from aeutils.backup import Backup
from aeutils.models import build_dense, build_sparse, build_vae, summed_binary_crossentropy
from aeutils.training import train

# Trains for 6 epochs with a backup, printing each epoch as it begins and pausing so it can be
# killed in one; stores the curves (name=) and the final weights in the working folder.
SCRIPT = """
import json, os, sys, time
import keras, numpy as np
from aeutils.models import build_dense
from aeutils.sizes import FULL
from aeutils.training import train

class Report(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        print("begin", epoch, flush=True)
        if str(epoch) == os.environ.get("KILL_AT"):
            time.sleep(120)  # waits to be killed in this epoch

keras.utils.set_random_seed(0)
x = (np.random.default_rng(0).random((256, 784)) > 0.7).astype("float32")
autoencoder, _, _ = build_dense()
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
history = train(autoencoder, x, epochs=6, batch_size=32, validation_split=0.25, name="run",
                size=FULL, backup_dir="backup", callbacks=[Report()])
np.savez("final.npz", *autoencoder.get_weights())
print("ran", json.dumps({"epoch": history.epoch, "history": history.history}), flush=True)
"""


def run(folder, kill_at=None):
    """Run SCRIPT in ``folder``; kill it as epoch ``kill_at`` begins, or return what it ran."""
    command = [sys.executable, "-c", SCRIPT]
    if kill_at is None:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300,
                              check=True)
        lines = done.stdout.split("\n")
        (ran,) = [line for line in lines if line.startswith("ran ")]
        return [line for line in lines if line.startswith("begin")], json.loads(ran[4:])
    env = {**os.environ, "KILL_AT": str(kill_at)}
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, text=True, env=env)
    begun = []
    for line in process.stdout:
        begun.append(line.strip())
        if line.strip() == f"begin {kill_at}":
            process.kill()
            break
    process.wait(timeout=60)
    assert begun[-1] == f"begin {kill_at}", f"the run ended before it could be killed: {begun}"


@pytest.mark.slow
def test_a_killed_run_resumes_exactly_as_an_unbroken_run_and_keeps_the_readers_files(tmp_path):
    unbroken, killed = tmp_path / "unbroken", tmp_path / "killed"
    for folder in (unbroken, killed):
        (folder / "backup").mkdir(parents=True)
        (folder / "backup" / "my_notes.txt").write_text("the reader's own file")
    _, expected = run(unbroken)

    run(killed, kill_at=3)  # epochs 0, 1 and 2 are finished and backed up
    assert (killed / "backup" / "aeutils-backup-run" / "state.json").is_file()
    begun, resumed = run(killed)
    assert begun[0] == "begin 3", f"the resumed run started over: {begun}"

    assert resumed["epoch"] == expected["epoch"] == [0, 1, 2, 3, 4, 5]
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(resumed["history"][key], expected["history"][key], rtol=1e-6)
    stored = [json.loads((f / "weights" / "run.json").read_text()) for f in (killed, unbroken)]
    assert stored[0]["history"].keys() == stored[1]["history"].keys() == {"loss", "val_loss",
                                                                          "seconds"}
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(stored[0]["history"][key], stored[1]["history"][key], rtol=1e-6)
    for key in ("loss", "val_loss", "seconds"):  # every epoch's, those before the kill included
        assert len(stored[0]["history"][key]) == 6, key
    with np.load(killed / "final.npz") as got, np.load(unbroken / "final.npz") as want:
        for key in want:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-7)
    for folder in (unbroken, killed):  # only the package's own folder is gone
        assert [p.name for p in (folder / "backup").iterdir()] == ["my_notes.txt"]


X = (np.random.default_rng(0).random((64, 784)) > 0.7).astype("float32")


class Crash(keras.callbacks.Callback):
    """Stops training with an error as epoch ``at`` begins, as a kill would."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            raise RuntimeError("killed")


def fit(backup_dir, x=X, epochs=4, crash_at=None, build=build_dense, optimizer="adam",
        batch_size=16, validation_data=None, loss="binary_crossentropy"):
    keras.utils.set_random_seed(0)
    autoencoder, _, _ = build()
    autoencoder.compile(optimizer=optimizer, loss=loss)
    callbacks = [] if crash_at is None else [Crash(crash_at)]
    history = train(autoencoder, x, epochs=epochs, batch_size=batch_size, backup_dir=backup_dir,
                    validation_data=validation_data, callbacks=callbacks)
    return history, autoencoder


def test_the_working_folder_as_backup_dir_loses_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chapter.ipynb").write_text("{}")
    history, _ = fit(Path(""))
    assert history.epoch == [0, 1, 2, 3]
    assert [p.name for p in tmp_path.iterdir()] == ["chapter.ipynb"]


@pytest.fixture
def crashed(tmp_path):
    """A backup folder left by a run that died as its third epoch began."""
    with pytest.raises(RuntimeError, match="killed"):
        fit(tmp_path, crash_at=2)
    folder = tmp_path / "aeutils-backup-train"
    assert json.loads((folder / "state.json").read_text())["epochs_done"] == 2
    return folder


def test_a_crashed_run_resumes_with_every_epochs_curve(crashed):
    history, _ = fit(crashed.parent)
    assert history.epoch == [0, 1, 2, 3] and len(history.history["loss"]) == 4
    assert not crashed.exists()


def test_a_resumed_vae_draws_the_same_random_codes_as_an_unbroken_one(tmp_path):
    """The states of random seeds (the VAE's sampling) are backed up with the weights."""
    def vae():
        return build_vae(hidden=32, seed=1)

    loss = summed_binary_crossentropy
    unbroken, model = fit(tmp_path / "a", build=vae, loss=loss)
    with pytest.raises(RuntimeError, match="killed"):
        fit(tmp_path / "b", build=vae, loss=loss, crash_at=2)
    resumed, again = fit(tmp_path / "b", build=vae, loss=loss)
    np.testing.assert_allclose(resumed.history["loss"], unbroken.history["loss"], rtol=1e-6)
    for got, want in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_a_run_killed_after_its_last_epoch_returns_its_curves_without_training(
    tmp_path, monkeypatch
):
    def killed(self):
        raise RuntimeError("killed")

    monkeypatch.setattr(Backup, "finish", killed)
    with pytest.raises(RuntimeError, match="killed"):
        fit(tmp_path, epochs=2)
    monkeypatch.undo()
    history, _ = fit(tmp_path, epochs=2)
    assert history.epoch == [0, 1] and len(history.history["loss"]) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda folder: fit(folder.parent, epochs=1), r"its epochs \(4, now 1\) differ"),
        (lambda folder: fit(folder.parent, batch_size=8), r"its batch size \(16, now 8\) differ"),
        (lambda folder: fit(folder.parent, x=1 - X), "its data differ"),
        (lambda folder: fit(folder.parent, validation_data=(X, X)), "its validation data differ"),
        (lambda folder: fit(folder.parent, build=lambda: build_dense(code_dim=16)),
         "its model differ"),
        (lambda folder: fit(folder.parent, build=lambda: build_sparse(l1=1e-3)), "its model differ"),
        (lambda folder: fit(folder.parent, optimizer="sgd"), "its optimizer and loss differ"),
        (lambda folder: fit(folder.parent, loss="mse"), "its optimizer and loss differ"),
    ],
    ids=["fewer epochs", "other batches", "other data", "validation", "a smaller code",
         "another penalty", "another optimizer", "another loss"],
)
def test_the_backup_of_another_run_is_refused(crashed, change, message):
    with pytest.raises(ValueError, match=message) as error:
        change(crashed)
    assert str(crashed) in str(error.value) and "remove that folder" in str(error.value)
    assert (crashed / "state.json").is_file()  # left for the reader to resume or remove


def edit_state(folder, **changes):
    path = folder / "state.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / "epoch-2.weights.h5").unlink(), "epoch-2.weights.h5 is missing"),
        (lambda f: flip_a_byte(f / "epoch-2.weights.h5"), "does not match its SHA-256"),
        (lambda f: (f / "state.json").write_text('{"run": '), "state.json is unreadable"),
        (lambda f: edit_state(f, weights="../../important.h5"), "names weights outside it"),
    ],
    ids=["weights deleted", "a flipped byte", "half-written state", "weights elsewhere"],
)
def test_a_damaged_backup_is_refused_by_name(crashed, damage, message):
    damage(crashed)
    with pytest.raises(ValueError, match=message) as error:
        fit(crashed.parent)
    assert f"the backup in {crashed} is damaged" in str(error.value)


def test_a_folder_of_the_readers_in_the_way_is_left_alone(tmp_path):
    theirs = tmp_path / "aeutils-backup-train"
    theirs.mkdir()
    (theirs / "data.csv").write_text("1,2")
    with pytest.raises(FileExistsError, match="was not made by aeutils"):
        fit(tmp_path)
    assert (theirs / "data.csv").read_text() == "1,2"


def test_a_run_stopped_early_reports_the_epochs_it_trained(tmp_path):
    keras.utils.set_random_seed(0)
    autoencoder, _, _ = build_dense()
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=1)
    history = train(autoencoder, X, epochs=6, batch_size=16, backup_dir=tmp_path,
                    callbacks=[stop])
    assert history.epoch == [0, 1] and len(history.history["loss"]) == 2
    assert list(tmp_path.iterdir()) == []


def test_a_model_of_several_inputs_resumes_as_an_unbroken_run(tmp_path):
    from tests.test_training import images_and_labels, two_inputs

    x, labels = images_and_labels(64)

    def run(folder, crash_at=None):
        keras.utils.set_random_seed(0)
        model = two_inputs()
        callbacks = [] if crash_at is None else [Crash(crash_at)]
        history = train(model, [x, labels], x, epochs=4, batch_size=16, backup_dir=folder,
                        callbacks=callbacks)
        return history, model

    unbroken, model = run(tmp_path / "a")
    with pytest.raises(RuntimeError, match="killed"):
        run(tmp_path / "b", crash_at=2)
    resumed, again = run(tmp_path / "b")
    np.testing.assert_allclose(resumed.history["loss"], unbroken.history["loss"], rtol=1e-6)
    for got, want in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    # the data of both inputs identify the run: other labels do not resume it
    with pytest.raises(RuntimeError, match="killed"):
        run(tmp_path / "c", crash_at=2)
    labels[:] = labels[::-1].copy()
    with pytest.raises(ValueError, match="holds the backup of another run \\(its data differ"):
        run(tmp_path / "c")
