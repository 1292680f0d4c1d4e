"""The package on Keras' three backends: what a reader without the chosen one is told."""

import os
import subprocess
import sys
import types

import pytest


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_a_missing_backend_is_one_line_that_says_what_to_install(backend):
    env = {**os.environ, "KERAS_BACKEND": backend}
    as_if_missing = (  # a finder that refuses the backend and its submodules, as an absent package is
        "import sys\n"
        "class Missing:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.partition('.')[0] == {backend!r}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Missing())\n"
        "import aeutils.models\n")
    done = subprocess.run([sys.executable, "-c", as_if_missing], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f'ModuleNotFoundError: Keras is set to the {backend} backend, which is not installed: '
        f'pip install "aeutils[{backend}]", or set KERAS_BACKEND to a backend you have '
        '(tensorflow, jax or torch)')


class Device:
    def __init__(self, platform, device_kind):
        self.platform, self.device_kind = platform, device_kind


@pytest.mark.parametrize(("backend", "module", "expected"), [
    ("jax", types.SimpleNamespace(devices=lambda: [Device("gpu", "NVIDIA H200")]), "GPU: NVIDIA H200"),
    ("jax", types.SimpleNamespace(devices=lambda: [Device("tpu", "TPU v5 lite")]), "TPU: TPU v5 lite"),
    ("jax", types.SimpleNamespace(devices=lambda: [Device("cpu", "cpu")]), None),
    ("torch", types.SimpleNamespace(
        cuda=types.SimpleNamespace(is_available=lambda: True, get_device_name=lambda i: "T4"),
        backends=types.SimpleNamespace(mps=types.SimpleNamespace(is_available=lambda: False))),
     "GPU: T4"),
    ("torch", types.SimpleNamespace(
        cuda=types.SimpleNamespace(is_available=lambda: False),
        backends=types.SimpleNamespace(mps=types.SimpleNamespace(is_available=lambda: True))),
     "GPU: Apple GPU (MPS)"),
])
def test_hardware_names_the_gpu_on_every_backend(backend, module, expected, monkeypatch):
    import keras

    from aeutils import machine

    monkeypatch.setitem(sys.modules, backend, module)
    monkeypatch.setattr(keras.backend, "backend", lambda: backend)
    text = machine.hardware()
    assert text.endswith(f", {expected}") if expected else "," not in text
