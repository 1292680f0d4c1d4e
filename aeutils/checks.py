"""Argument checks that fail early, saying what was expected and what came."""

import numbers

import numpy as np


def check_images(x, name="x", sample_shape=None):
    """Return ``x`` as a float array of images in [0, 1], or raise a clear error.

    Args:
        x: an array (or nested list) of images, one per row of its first axis.
        name: the argument's name, for the message.
        sample_shape: the shape one image must have, for example ``(784,)`` or
            ``(28, 28, 1)``; ``None`` accepts any shape.

    Raises:
        TypeError: ``x`` is not numeric, or holds integers (scale pixels to [0, 1] first).
        ValueError: ``x`` is empty, has the wrong shape, holds NaN or infinity, or has
            values outside [0, 1].
    """
    array = np.asarray(x)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be an array of numbers, got dtype {array.dtype}")
    if array.dtype.kind != "f":
        raise TypeError(
            f"{name} must hold floats in [0, 1], got dtype {array.dtype}; "
            f"scale pixels first, for example {name}.astype('float32') / 255"
        )
    if array.ndim == 0 or len(array) == 0:
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


def check_sizes(**sizes):
    """Raise a clear error unless every size (an int, or a sequence of ints) is positive.

    The builders call it, so that ``build_dense(code_dim=0)`` fails with the argument's name
    whatever the Keras version (older ones build a layer of zero units without a word).
    """
    for name, value in sizes.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, bool) or not isinstance(item, numbers.Integral) or item < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
