"""Argument checks that fail early, saying what was expected and what came."""

import functools
import inspect
import numbers
import os
from pathlib import Path

import numpy as np


def check_images(x, name="x", sample_shape=None):
    """Return ``x``, images one per row, as a float array in [0, 1], or raise a clear error
    that names ``name``. ``sample_shape`` is the shape of one image, such as ``(784,)`` or
    ``(28, 28, 1)`` (``None``: any shape)."""
    array = np.asarray(x)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be an array of numbers, got dtype {array.dtype}")
    if array.dtype.kind != "f":
        raise TypeError(
            f"{name} must hold floats in [0, 1], got dtype {array.dtype}; "
            f"scale pixels first, for example {name}.astype('float32') / 255"
        )
    if array.ndim < 2:
        raise ValueError(
            f"{name} must be a batch of images, shape (n, ...), got shape {array.shape}; "
            f"for one image pass {name}[None] (or x[:1] rather than x[0])"
        )
    if len(array) == 0:
        raise ValueError(f"{name} must hold at least one image, got shape {array.shape}")
    if sample_shape is not None and array.shape[1:] != tuple(sample_shape):
        raise ValueError(
            f"{name} must have shape (n, {', '.join(map(str, sample_shape))}), got {array.shape}"
        )
    if not np.isfinite(array).all():
        bad = np.count_nonzero(~np.isfinite(array))
        raise ValueError(f"{name} holds {bad} NaN or infinite values")
    low, high = array.min(), array.max()
    if low < 0 or high > 1:
        raise ValueError(
            f"{name} must lie in [0, 1] (sigmoid outputs and binary cross-entropy assume it), "
            f"got values from {low:g} to {high:g}"
        )
    return array


def check_file_name(value, name):
    """Return ``value`` if it is a plain file name (no folder, not empty), else raise."""
    if not isinstance(value, str) or value in ("", ".", "..") or Path(value).name != value:
        raise ValueError(f"{name} must be a plain file name such as '01_dense_autoencoder', "
                         f"got {value!r}")
    return value


def env_variable(name):
    """The environment variable ``name``, or None where it is unset, empty or blank."""
    return os.environ.get(name, "").strip() or None


def check_count(value, name, minimum=1):
    """Return ``value`` if it is an integer of at least ``minimum``, else raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_number(value, name, minimum=0.0):
    """Return ``value`` if it is a finite real number of at least ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value < minimum:
        raise ValueError(f"{name} must be a finite number of at least {minimum}, got {value}")
    return float(value)


def check_size(value, name, many=False):
    """Return ``value`` if it is a positive ``int`` (``many``: a non-empty tuple or list of
    them), else raise a clear error. NumPy integers are refused: Keras layers do not take them.
    """
    def positive(item):
        return type(item) is int and item >= 1  # not bool, float or a NumPy integer

    ok = (isinstance(value, (list, tuple)) and value and all(map(positive, value)) if many
          else positive(value))
    if not ok:
        expected = "a tuple of positive integers" if many else "a positive integer"
        hint = f"; use int({name})" if isinstance(value, np.integer) else ""
        raise ValueError(f"{name} must be {expected}, got {type(value).__name__} {value!r}{hint}")
    return value


def checked(function, check):
    """``function``, calling ``check`` first with the same arguments, defaults filled in.

    The package wraps the functions the chapters teach with it: their cells stay plain, and
    a reader's mistake still gets a message that names the argument and what was expected.
    """
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:  # say whose arguments they are
            raise TypeError(f"{function.__name__}(): {error}") from None
        bound.apply_defaults()
        check(**bound.arguments)
        return function(*args, **kwargs)

    return wrapper


def check_seed(seed, name="seed"):
    """Return ``seed`` if it is ``None`` or an ``int`` of at least 0, else raise a clear error.

    NumPy integers are refused, as Keras' random seeds refuse them.
    """
    if isinstance(seed, np.integer):
        raise TypeError(f"{name} must be an int, got {type(seed).__name__} {seed!r}; "
                        f"use int({name})")
    return None if seed is None else check_count(seed, name, minimum=0)
