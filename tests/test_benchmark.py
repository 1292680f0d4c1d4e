"""The training benchmark runs end to end and writes every field the performance page reads."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN_FIELDS = {
    "settings",
    "epochs_run",
    "test_losses",
    "epoch_seconds",
    "final_test_loss",
    "seconds_to_target",
    "epoch_of_target",
    "total_seconds",
    "seconds_per_epoch",
    "samples_per_second",
    "gflop_per_epoch",
    "share_of_peak",
}
COMPARISON = {"time_to_target_ratio", "final_loss_ratio"}
SPREAD = {"values", "median", "min", "max"}


def check(results, size, repeats):
    assert results["size"] == size and results["target_test_loss"] == 0.10
    assert results["repeats"] == repeats
    assert results["peak_gflops"] > 0 and "Keras" in results["environment"]
    assert set(results["models"]) == {"dense", "convolutional"}
    for runs in results["models"].values():
        assert set(runs) == {"classic", "book", "comparison"}
        assert set(runs["comparison"]) == COMPARISON
        for recipe in ("classic", "book"):
            assert len(runs[recipe]) == repeats  # one run per repeat, classic and book in turn
            for run in runs[recipe]:
                assert set(run) == RUN_FIELDS
                assert run["epochs_run"] == len(run["test_losses"]) == len(run["epoch_seconds"]) >= 1
                assert 0 < run["share_of_peak"] < 1 and run["samples_per_second"] > 0
        final = runs["comparison"]["final_loss_ratio"]
        assert set(final) == SPREAD and len(final["values"]) == repeats
        assert final["min"] <= final["median"] <= final["max"]
        assert final["values"] == [b["final_test_loss"] / c["final_test_loss"]
                                   for b, c in zip(runs["book"], runs["classic"])]


def run_at_smoke_size(script, out, repeats):
    """Run ``benchmarks/{script}`` at smoke size, writing to ``out``; return what it wrote."""
    subprocess.run(
        [sys.executable, ROOT / "benchmarks" / script, "--out", out, "--repeats", str(repeats)],
        env={**os.environ, "AEUTILS_SIZE": "smoke"},
        check=True,
        capture_output=True,
        timeout=900,
    )
    return json.loads(out.read_text())


@pytest.mark.notebook
def test_smoke_benchmark_repeats_every_run_and_writes_every_field(tmp_path):
    results = run_at_smoke_size("recipes.py", tmp_path / "results.json", repeats=2)
    check(results, "smoke", repeats=2)


def test_committed_full_results_are_complete_and_repeated():
    path = ROOT / "notebooks" / "results" / "benchmark.json"  # a full run by hand, committed
    check(json.loads(path.read_text()), "full", repeats=3)


def test_committed_epoch_times_cover_every_setting():
    times = json.loads((ROOT / "notebooks" / "results" / "epoch_time.json").read_text())
    assert times["size"] == "full" and times["repeats"] >= 3
    for model in times["models"].values():
        assert len(model["seconds_per_epoch"]) == 12 and model["forward_only_batch_256"] > 0


def test_training_flops_count_dense_convolution_and_lstm_layers():
    import keras
    from keras import layers

    from aeutils.machine import training_flops

    dense = keras.Sequential([keras.Input((784,)), layers.Dense(32), layers.Dense(784)])
    assert training_flops(dense, 1) == 3 * 2 * (784 * 32 + 32 * 784)  # forward, x3 backward
    conv = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 3, padding="same"),
                             layers.MaxPooling2D(2)])  # pooling moves data, no arithmetic
    assert training_flops(conv, 2) == 3 * 2 * 2 * (28 * 28) * (3 * 3 * 1 * 4)
    lstm = keras.Sequential([keras.Input((28, 28)), layers.LSTM(16)])
    assert training_flops(lstm, 1) == 3 * 2 * 28 * 4 * (28 + 16) * 16
    # a transposed convolution: every input position meets the whole kernel
    up = keras.Sequential([keras.Input((7, 7, 8)), layers.Conv2DTranspose(4, 3, strides=2,
                                                                           padding="same")])
    assert training_flops(up, 1) == 3 * 2 * (7 * 7) * (3 * 3 * 8 * 4)


def check_backends(results, size, repeats):
    assert results["size"] == size and results["repeats"] == repeats
    assert set(results["models"]) == {"dense", "convolutional"}
    for by_backend in results["models"].values():
        assert set(by_backend) == {"tensorflow", "jax", "torch"}
        for backend, measured in by_backend.items():
            assert len(measured["runs"]) == repeats
            for run in measured["runs"]:
                assert f"backend {backend} " in run["environment"]  # each ran on its own
                assert len(run["epoch_seconds"]) == len(run["test_losses"]) >= 1
                assert run["steps_per_execution"] == (1 if backend == "torch" else 64)
            per_epoch = measured["seconds_per_epoch"]
            assert per_epoch["values"] == [r["seconds_per_epoch"] for r in measured["runs"]]
            assert 0 < per_epoch["min"] <= per_epoch["median"] <= per_epoch["max"]


@pytest.mark.notebook
def test_smoke_backend_comparison_runs_every_backend_and_writes_every_field(tmp_path):
    results = run_at_smoke_size("backends.py", tmp_path / "backends.json", repeats=1)
    check_backends(results, "smoke", repeats=1)


def test_committed_backend_comparison_is_complete_and_reaches_the_target():
    path = ROOT / "notebooks" / "results" / "backends.json"  # a full run by hand, committed
    results = json.loads(path.read_text())
    check_backends(results, "full", repeats=3)
    for by_backend in results["models"].values():
        for measured in by_backend.values():  # the page compares times to the target
            assert measured["seconds_to_target"]["median"] > 0
