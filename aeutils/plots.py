"""Figures the chapters share: reconstructions, training curves, 2-D codes, rows of images."""

import matplotlib.pyplot as plt
import numpy as np

from aeutils.checks import check_digits, check_images, checked


def plot_reconstructions(originals, reconstructions, n=10, labels=("original", "reconstructed")):
    """Show ``n`` images in a row over their reconstructions; returns the figure.

    Images may be flat vectors of 784 values or 28x28(x1) arrays.
    """
    if isinstance(labels, str) or len(labels) != 2:
        raise ValueError(f"labels must name the two rows, got {labels!r}")
    rows = [check_digits(originals, "originals", n),
            check_digits(reconstructions, "reconstructions", n)]
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
    lengths = {key: len(curves[key]) for key in ("loss", "val_loss") if key in curves}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"history's curves must hold one value per epoch each, got lengths {lengths}")
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


def _codes(points, labels, title):
    """Refuse codes that are not numbers and labels that are not digits."""
    points, labels = np.asarray(points), np.asarray(labels)
    if np.issubdtype(points.dtype, np.number) and not np.isfinite(points).all():
        raise ValueError(f"points hold {np.count_nonzero(~np.isfinite(points))} NaN or "
                         "infinite values: did the training diverge?")
    if not np.isin(labels, range(10)).all():
        raise ValueError(f"labels must be digits 0 to 9, got {np.unique(labels)}")


def _rows(rows, n):
    """Refuse rows that are not {label: at least n images of 28x28}, or an ``n`` below 1."""
    if not isinstance(rows, dict) or not rows:
        raise ValueError(f"rows must be a dict {{label: images}} of one entry or more, got {rows!r}")
    for label, images in rows.items():
        check_digits(images, label, n)


# The chapters' functions above, with their arguments checked.
plot_codes_2d = checked(plot_codes_2d, _codes)
plot_rows = checked(plot_rows, _rows)
