"""The machine a run is made on: its CPU, the accelerator the backend sees, the versions, and
the arithmetic a model's training asks of it against the rate it reaches."""

import importlib
import os
import platform
import time

import keras
import numpy as np


def _accelerator(backend):
    """The first accelerator the backend sees, as ``"GPU: <name>"`` (or TPU), or None."""
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            details = tf.config.experimental.get_device_details(gpus[0])
            return f"GPU: {details.get('device_name', gpus[0].name)}"
        return None
    if backend == "jax":
        import jax

        devices = [device for device in jax.devices() if device.platform != "cpu"]
        return f"{devices[0].platform.upper()}: {devices[0].device_kind}" if devices else None
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            return f"GPU: {torch.cuda.get_device_name(0)}"
        return "GPU: Apple GPU (MPS)" if torch.backends.mps.is_available() else None
    return None


def hardware():
    """A short description of the machine: CPU cores and the accelerator the backend sees."""
    text = f"{os.cpu_count()} CPU cores ({platform.machine()})"
    accelerator = _accelerator(keras.backend.backend())
    return text if accelerator is None else f"{text}, {accelerator}"


def versions():
    """The versions a run is made with: Python, Keras, its backend and NumPy."""
    backend = keras.backend.backend()
    return {"python": platform.python_version(), "keras": keras.__version__, "backend": backend,
            "backend_version": importlib.import_module(backend).__version__,
            "numpy": np.__version__}


def environment():
    """One line with the versions that matter and the device: Python, Keras, its backend."""
    v = versions()
    return (f"Python {v['python']}, Keras {v['keras']}, backend {v['backend']} "
            f"{v['backend_version']}; device: {hardware()}")


def training_flops(model, samples):
    """Floating-point operations of one epoch: forward pass x 3 for the backward pass.

    Dense, convolutional (transposed too) and LSTM layers count; pooling, upsampling and
    activations, which cost memory traffic rather than arithmetic, do not."""
    macs = 0
    stack = list(model.layers)
    while stack:
        layer = stack.pop()
        if hasattr(layer, "layers"):
            stack.extend(layer.layers)
        elif isinstance(layer, keras.layers.Dense):
            macs += layer.kernel.shape[0] * layer.kernel.shape[1]
        elif isinstance(layer, keras.layers.Conv2D):
            out = layer.output.shape
            macs += out[1] * out[2] * int(np.prod(layer.kernel.shape))
        elif isinstance(layer, keras.layers.Conv2DTranspose):  # each input meets the kernel
            into = layer.input.shape
            macs += into[1] * into[2] * int(np.prod(layer.kernel.shape))
        elif isinstance(layer, keras.layers.LSTM):  # four gates, at every time step
            steps, inputs = layer.input.shape[1:]
            macs += steps * 4 * (inputs + layer.units) * layer.units
    return 3 * 2 * macs * samples


def peak_flops(n=2048, repeats=10):
    """The machine's measured float32 matrix-product rate, in FLOP/s (best of ``repeats``)."""
    a = keras.random.normal((n, n), seed=0)
    keras.ops.convert_to_numpy(keras.ops.matmul(a, a))  # warm up
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        keras.ops.convert_to_numpy(keras.ops.matmul(a, a))
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best
