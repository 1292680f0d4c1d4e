"""The machine a run is made on: its CPU, the accelerator the backend sees, the versions."""

import importlib
import os
import platform

import keras


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


def environment():
    """One line with the versions that matter and the device: Python, Keras, its backend."""
    backend = keras.backend.backend()
    version = importlib.import_module(backend).__version__
    return (f"Python {platform.python_version()}, Keras {keras.__version__}, "
            f"backend {backend} {version}; device: {hardware()}")
