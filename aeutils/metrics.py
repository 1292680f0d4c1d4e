"""Measures of reconstruction quality shared by several chapters."""

import numpy as np


def psnr(clean, other):
    """Peak signal-to-noise ratio in dB between images in [0, 1], averaged over the images."""
    clean = np.asarray(clean, dtype="float64").reshape(len(clean), -1)
    other = np.asarray(other, dtype="float64").reshape(len(other), -1)
    mse = np.mean((clean - other) ** 2, axis=1)
    return float(np.mean(10 * np.log10(1.0 / np.maximum(mse, 1e-12))))
