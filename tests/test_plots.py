"""The shared figures."""

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from aeutils.plots import (  # noqa: E402
    plot_codes_2d,
    plot_history,
    plot_rows,
)


def test_reconstructions_show_originals_over_reconstructions():
    originals = np.zeros((12, 784), "float32")
    reconstructions = np.ones((12, 28, 28, 1), "float32")
    fig = plot_rows({"original": originals, "reconstructed": reconstructions}, n=5)
    assert len(fig.axes) == 10
    assert fig.axes[0].images[0].get_array().max() == 0
    assert fig.axes[5].images[0].get_array().min() == 1
    assert fig.axes[5].get_ylabel() == "reconstructed"


def test_history_plots_validation_only_when_there_is_one():
    history = keras.callbacks.History()
    history.history = {"loss": [0.3, 0.2, 0.1]}
    (ax,) = plot_history(history).axes
    assert [line.get_label() for line in ax.lines] == ["training"]
    history.history["val_loss"] = [0.4, 0.3, 0.2]
    (ax,) = plot_history(history).axes
    assert [line.get_label() for line in ax.lines] == ["training", "validation"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.4, 0.3, 0.2])


def test_codes_2d_are_coloured_by_digit():
    points = np.arange(20, dtype="float32").reshape(10, 2)
    fig = plot_codes_2d(points, np.arange(10), title="codes")
    ax, colorbar = fig.axes
    (dots,) = ax.collections
    np.testing.assert_array_equal(dots.get_offsets(), points)
    np.testing.assert_array_equal(dots.get_array(), np.arange(10))
    assert ax.get_title() == "codes" and colorbar.get_ylabel() == "digit"
    assert ax.get_aspect() == 1.0  # a distance reads the same along both axes


def test_rows_show_one_labelled_row_per_entry():
    rows = {
        "flat": np.zeros((12, 784), "float32"),
        "images": np.ones((12, 28, 28, 1), "float32"),
        "rows": np.full((12, 28, 28), 0.5, "float32"),
    }
    fig = plot_rows(rows, n=4)
    assert len(fig.axes) == 12
    assert [fig.axes[i].get_ylabel() for i in (0, 4, 8)] == ["flat", "images", "rows"]
    assert [fig.axes[i].images[0].get_array().mean() for i in (3, 7, 11)] == [0, 1, 0.5]
