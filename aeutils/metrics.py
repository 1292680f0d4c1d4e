"""Measures of reconstruction quality shared by several chapters."""

import numpy as np

from aeutils.checks import check_images, checked


def psnr(clean, other):
    """Peak signal-to-noise ratio in dB between images in [0, 1], averaged over the images."""
    clean = check_images(clean, "clean").reshape(len(clean), -1).astype("float64")
    other = check_images(other, "other").reshape(len(other), -1)
    if other.shape != clean.shape:
        raise ValueError(f"clean and other must hold as many images of as many pixels, "
                         f"got (images, pixels) {clean.shape} and {other.shape}")
    mse = np.mean((clean - other) ** 2, axis=1)
    return float(np.mean(10 * np.log10(1.0 / np.maximum(mse, 1e-12))))


def _batches(clean, other):
    """Refuse one image where ``psnr`` needs batches, whatever its layout."""
    for name, images in [("clean", clean), ("other", other)]:
        if np.ndim(images) not in (2, 4):
            raise ValueError(f"{name} must have shape (n, pixels) or (n, height, width, "
                             f"channels), got {np.shape(images)}; for one image pass x[:1]")


psnr = checked(psnr, _batches)  # the chapter's psnr, with its arguments checked
