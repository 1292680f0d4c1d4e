"""Data-parallel training (chapter 12): on four CPU devices a model trains as on one.

Each check runs in a fresh Python, since a backend fixes its devices when it starts; it runs
on the backend that ``KERAS_BACKEND`` names, so ``make test`` checks TensorFlow and JAX (and,
on PyTorch, that the package says plainly that Keras cannot do it there).
"""

import json
import os
import re
import subprocess
import sys

import keras
import pytest

from aeutils.devices import cpu_devices, data_parallel
from tests.test_one_cell import ROOT, bare, one_cell, run_alone  # noqa: F401 - bare: a fixture

TOLERANCE = 1e-5  # relative; float32 sums in another order differ by about 1e-7 here
START = """
import os
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"
import contextlib, json
import keras, numpy as np
from aeutils.devices import cpu_devices, data_parallel
"""
SAME_LOSS = START + """
from aeutils.models import build_convolutional
devices = cpu_devices(4)
rng = np.random.default_rng(0)
patterns = (rng.random((4, 28, 28, 1)) > 0.7).astype("float32")
x = patterns[rng.integers(0, 4, size=256)]
keras.utils.set_random_seed(0)
start = build_convolutional()[0].get_weights()

def copies(variable):  # on how many devices the variable is held
    if keras.backend.backend() == "jax":
        return len(variable.value.sharding.device_set)
    return len(getattr(variable.value, "values", [variable.value]))  # tf.distribute mirrors

def run(scope):
    with scope:
        keras.utils.set_random_seed(0)
        model = build_convolutional()[0]
        model.set_weights(start)
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy")
        history = model.fit(x, x, epochs=4, batch_size=64, shuffle=True, verbose=0)
    return {"loss": history.history["loss"], "copies": copies(model.weights[0])}

print(json.dumps({"devices": devices, "one": run(contextlib.nullcontext()),
                  "four": run(data_parallel(devices))}))
"""
TOO_LATE = START.replace('os.environ["XLA_FLAGS"] = ', "_ = ") + """
keras.ops.convert_to_numpy(keras.ops.ones(2))  # the backend starts with its usual devices
cpu_devices(4)
"""


def python(script):
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


@pytest.mark.slow
@pytest.mark.skipif(keras.backend.backend() == "torch", reason="no data-parallel fit on PyTorch")
def test_four_devices_reach_the_loss_of_one_at_the_same_global_batch():
    done = python(SAME_LOSS)
    assert done.returncode == 0, done.stderr[-3000:]
    run = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(run["devices"]) == 4 and len(set(run["devices"])) == 4
    one, four = run["one"]["loss"], run["four"]["loss"]
    assert one[-1] < 0.95 * one[0]  # it trained
    assert (run["one"]["copies"], run["four"]["copies"]) == (1, 4)
    assert four == pytest.approx(one, rel=TOLERANCE)


@pytest.mark.slow
@pytest.mark.skipif(keras.backend.backend() == "torch", reason="no data-parallel fit on PyTorch")
def test_devices_asked_for_after_the_backend_started_say_what_to_do():
    done = python(TOO_LATE)
    assert done.returncode != 0
    assert "not count=4" in done.stderr and "restart the kernel" in done.stderr


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="for PyTorch only")
def test_pytorch_is_told_to_use_another_backend():
    for call in (lambda: cpu_devices(4), lambda: data_parallel(["cpu:0"])):
        with pytest.raises(NotImplementedError, match="JAX or TensorFlow|jax or tensorflow"):
            call()


@pytest.mark.parametrize("count", [0, -1, 2.0, True, "4"])
def test_a_bad_count_is_named(count):
    with pytest.raises(ValueError, match=f"count must be a whole number.*got {count!r}"):
        cpu_devices(count)


@pytest.mark.parametrize("devices", [[], "cpu:0", [0, 1], None])
def test_bad_devices_are_named(devices):
    with pytest.raises(ValueError, match="devices must be a non-empty list of device names.*"
                                         f"got {re.escape(repr(devices))}"):
        data_parallel(devices)


@pytest.mark.notebook
@pytest.mark.skipif(keras.backend.backend() != "jax",
                    reason="on TensorFlow in tests/test_one_cell.py; none on PyTorch")
def test_the_chapter_in_one_cell_trains_on_four_devices_on_jax(bare, tmp_path):
    cell = one_cell(ROOT / "notebooks" / "12_many_devices.ipynb")
    losses = run_alone(cell.source, bare, tmp_path, backend="jax")
    assert len(losses) == 1 and losses[0][-1] < losses[0][0], losses
