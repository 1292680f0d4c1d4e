"""Run sizes and results files."""

import json

import pytest

from aeutils.results import save_results
from aeutils.training import FULL, SMOKE, run_size


def test_run_size_is_full_unless_smoke_is_asked(monkeypatch):
    monkeypatch.delenv("AEUTILS_SMOKE", raising=False)
    assert run_size() is FULL and FULL.epochs(50) == 50 and FULL.train is None
    monkeypatch.setenv("AEUTILS_SMOKE", "1")
    assert run_size() is SMOKE and SMOKE.epochs(50) == 2 and SMOKE.epochs(1) == 1
    monkeypatch.setenv("AEUTILS_SMOKE", "yes")
    with pytest.raises(ValueError, match="AEUTILS_SMOKE must be 0 or 1, got 'yes'"):
        run_size()


def test_smoke_results_never_replace_full_ones(tmp_path):
    full = save_results("01_x", FULL, folder=tmp_path, test_loss=0.1)
    smoke = save_results("01_x", SMOKE, folder=tmp_path, test_loss=0.5)
    assert full.name == "01_x.json" and smoke.name == "01_x.smoke.json"
    record = json.loads(full.read_text())
    assert record["size"] == "full" and record["test_loss"] == 0.1
    assert {"hardware", "versions", "date"} <= record.keys()
