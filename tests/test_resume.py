"""No lost training, and nothing of the reader's lost: backups that resume exactly, or refuse."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from aeutils.models import build_dense
from aeutils.training import train

# Trains for 6 epochs with a backup, printing each epoch as it begins and pausing so it can be
# killed in one; stores the curves (name=) and the final weights in the working folder.
SCRIPT = """
import json, sys, time
import keras, numpy as np
from aeutils.models import build_dense
from aeutils.training import train

class Report(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        print("begin", epoch, flush=True)
        time.sleep(1)

keras.utils.set_random_seed(0)
x = (np.random.default_rng(0).random((256, 784)) > 0.7).astype("float32")
autoencoder, _, _ = build_dense()
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
history = train(autoencoder, x, epochs=6, batch_size=32, validation_split=0.25, name="run",
                backup_dir="backup", callbacks=[Report()])
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
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, text=True)
    for line in process.stdout:
        if line.strip() == f"begin {kill_at}":
            process.kill()
            break
    process.wait(timeout=60)
    assert process.returncode != 0, "the run ended before it could be killed"


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
    assert len(stored[0]["history"]["loss"]) == 6
    np.testing.assert_allclose(stored[0]["history"]["val_loss"], stored[1]["history"]["val_loss"],
                               rtol=1e-6)
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


def fit(backup_dir, x=X, epochs=4, crash_at=None):
    keras.utils.set_random_seed(0)
    autoencoder, _, _ = build_dense()
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    callbacks = [] if crash_at is None else [Crash(crash_at)]
    return train(autoencoder, x, epochs=epochs, batch_size=16, backup_dir=backup_dir,
                 callbacks=callbacks)


def test_the_working_folder_as_backup_dir_loses_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chapter.ipynb").write_text("{}")
    history = fit(Path(""))
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
    history = fit(crashed.parent)
    assert history.epoch == [0, 1, 2, 3] and len(history.history["loss"]) == 4
    assert not crashed.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda folder: fit(folder.parent, epochs=1), "its epochs differ"),
        (lambda folder: fit(folder.parent, x=1 - X), "its data differ"),
    ],
    ids=["fewer epochs", "other data"],
)
def test_the_backup_of_another_run_is_refused(crashed, change, message):
    with pytest.raises(ValueError, match=message) as error:
        change(crashed)
    assert str(crashed) in str(error.value) and "remove that folder" in str(error.value)
    assert (crashed / "state.json").is_file()  # left for the reader to resume or remove


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
    ],
    ids=["weights deleted", "a flipped byte", "half-written state"],
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
    history = train(autoencoder, X, epochs=6, batch_size=16, backup_dir=tmp_path, callbacks=[stop])
    assert history.epoch == [0, 1] and len(history.history["loss"]) == 2
    assert list(tmp_path.iterdir()) == []
