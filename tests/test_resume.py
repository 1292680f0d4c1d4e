"""No lost training: a run killed part-way resumes from its last finished epoch."""

import subprocess
import sys

# Trains for 6 epochs, printing each epoch as it begins and pausing so it can be killed in one.
SCRIPT = """
import sys, time
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
history = train(autoencoder, x, epochs=6, batch_size=32, backup_dir=sys.argv[1],
                callbacks=[Report()])
print("ran", history.epoch, flush=True)
"""


def test_a_killed_run_resumes_from_its_last_finished_epoch(tmp_path):
    backup = tmp_path / "backup"
    command = [sys.executable, "-c", SCRIPT, str(backup)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    begun = []
    for line in first.stdout:
        begun.append(line.strip())
        if line.strip() == "begin 3":  # epochs 0, 1 and 2 are finished and backed up
            first.kill()
            break
    first.wait(timeout=60)
    assert begun[-1] == "begin 3" and first.returncode != 0
    assert backup.exists()

    second = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    lines = second.stdout.split("\n")
    begun = [line for line in lines if line.startswith("begin")]
    assert begun[0] == "begin 3", f"the resumed run started over: {begun}"
    assert "ran [3, 4, 5]" in lines
    assert not backup.exists()  # removed once training finished
