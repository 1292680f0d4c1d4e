"""Figures the chapters share: reconstructions, training curves, 2-D codes, rows of images."""

import matplotlib.pyplot as plt
import numpy as np

from aeutils.checks import check_count, check_images


def plot_reconstructions(originals, reconstructions, n=10, labels=("original", "reconstructed")):
    """Show ``n`` images in a row over their reconstructions; returns the figure.

    Images may be flat vectors of 784 values or 28x28(x1) arrays.
    """
    check_count(n, "n")
    rows = []
    for images, name in [(originals, "originals"), (reconstructions, "reconstructions")]:
        images = check_images(images, name)
        if len(images) < n or images[0].size != 784:
            raise ValueError(
                f"{name} must hold at least n={n} images of 784 pixels, got shape {images.shape}"
            )
        rows.append(images[:n].reshape(n, 28, 28))
    fig, axes = plt.subplots(2, n, figsize=(1.2 * n, 2.8), facecolor="white", squeeze=False)
    for row, images, label in zip(axes, rows, labels):
        for ax, image in zip(row, images):
            ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(label)
    fig.tight_layout()
    return fig


def plot_history(history, title="Training curves"):
    """Plot the loss of each epoch, and the validation loss if there is one; returns the figure.

    ``history`` is what ``fit`` returns, or its ``history`` dict.
    """
    curves = getattr(history, "history", history)  # a Keras History, or its dict of lists
    if not isinstance(curves, dict) or not curves.get("loss"):
        raise TypeError(f"history must be what fit() returns, with a 'loss' entry, got {history!r}")
    fig, ax = plt.subplots(figsize=(6, 3.5), facecolor="white")
    epochs = np.arange(1, len(curves["loss"]) + 1)
    for key, label in [("loss", "training"), ("val_loss", "validation")]:
        if key in curves:
            ax.plot(epochs, curves[key], marker=".", label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_codes_2d(points, labels, title="Codes in two dimensions"):
    """Scatter 2-D codes, coloured by the digit each image shows; returns the figure."""
    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] != 2 or len(labels) != len(points):
        raise ValueError(f"points must have shape (n, 2) and one label each, "
                         f"got {points.shape} and {len(labels)} labels")
    fig, ax = plt.subplots(figsize=(6, 5), facecolor="white")
    dots = ax.scatter(points[:, 0], points[:, 1], c=labels, cmap="tab10", s=2, vmin=-0.5, vmax=9.5)
    fig.colorbar(dots, ax=ax, ticks=range(10), label="digit")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_rows(rows, n=10):
    """One row of ``n`` images per entry of ``rows`` ({label: flat images}); returns the figure."""
    rows = {label: check_images(images, label).reshape(len(images), 28, 28)
            for label, images in rows.items()}
    fig, axes = plt.subplots(len(rows), n, figsize=(1.1 * n, 1.2 * len(rows)),
                             facecolor="white", squeeze=False)
    for row, (label, images) in zip(axes, rows.items()):
        for ax, image in zip(row, images[:n]):
            ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(label, rotation=0, ha="right", va="center")
    fig.tight_layout()
    return fig
