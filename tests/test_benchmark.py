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
COMPARISON = {
    "time_to_target_ratio",
    "book_reaches_target_in_half_the_time",
    "book_final_loss_at_most_classic",
}


def check(results, size):
    assert results["size"] == size and results["target_test_loss"] == 0.10
    assert results["peak_gflops"] > 0 and "Keras" in results["environment"]
    assert set(results["models"]) == {"dense", "convolutional"}
    for runs in results["models"].values():
        assert set(runs) == {"classic", "book", "comparison"}
        assert set(runs["comparison"]) == COMPARISON
        for recipe in ("classic", "book"):
            run = runs[recipe]
            assert set(run) == RUN_FIELDS
            assert run["epochs_run"] == len(run["test_losses"]) == len(run["epoch_seconds"]) >= 1
            assert 0 < run["share_of_peak"] < 1 and run["samples_per_second"] > 0


@pytest.mark.notebook
def test_smoke_benchmark_writes_every_field(tmp_path):
    out = tmp_path / "results.json"
    env = {**os.environ, "AEUTILS_SIZE": "smoke"}
    subprocess.run(
        [sys.executable, ROOT / "benchmarks" / "recipes.py", "--out", out],
        env=env,
        check=True,
        capture_output=True,
        timeout=900,
    )
    check(json.loads(out.read_text()), "smoke")


def test_committed_full_results_are_complete():
    path = ROOT / "notebooks" / "results" / "benchmark.json"  # a full run by hand, committed
    if not path.exists():
        pytest.skip("no full benchmark results committed yet: run benchmarks/recipes.py")
    check(json.loads(path.read_text()), "full")
