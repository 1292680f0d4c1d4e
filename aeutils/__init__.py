"""aeutils: the code shared by the chapters of *Autoencoders, the book*."""

__version__ = "0.6.1"

import importlib

try:  # Keras loads the backend that KERAS_BACKEND (or ~/.keras/keras.json) names
    importlib.import_module("keras")
except ModuleNotFoundError as error:
    if error.name not in ("tensorflow", "jax", "torch"):
        raise
    raise ModuleNotFoundError(
        f'Keras is set to the {error.name} backend, which is not installed: pip install '
        f'"aeutils[{error.name}]", or set KERAS_BACKEND to a backend you have '
        "(tensorflow, jax or torch)", name=error.name) from None
