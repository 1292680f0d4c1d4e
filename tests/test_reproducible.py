"""Reproducible: two smoke runs of a chapter print the same numbers and draw the same figures."""

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

CHAPTER = Path(__file__).resolve().parent.parent / "notebooks" / "01_dense_autoencoder.ipynb"
# durations differ from run to run: "3 s", "5ms/step", and each epoch's "seconds: 1.02"
TIMED = re.compile(r"\d+(\.\d+)?\s*(ms|us|s)\b|seconds: \d+(\.\d+)?")
TIMING_KEYS = {"seconds_per_epoch", "blog_seconds_per_epoch", "date"}


def run_once(folder, monkeypatch):
    """Execute the chapter at smoke size in ``folder``; return its outputs and results record."""
    monkeypatch.setenv("AEUTILS_SIZE", "smoke")
    folder.mkdir()
    notebook = nbformat.read(CHAPTER, as_version=4)
    NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(folder)}}).execute()
    outputs = []
    for cell in notebook.cells:
        printed = ""  # stdout arrives in chunks that differ from run to run: join them
        for output in cell.get("outputs", []):
            if output.get("name") == "stdout":
                printed += output["text"]
            elif output.get("name") == "stderr":  # warnings, e.g. caches built once
                continue
            elif 'history["seconds"]' in cell.source:  # a figure against measured seconds
                outputs.append("<figure of loss against time>")
            else:
                outputs.append(json.dumps(output.get("data"), sort_keys=True))
        outputs.append(TIMED.sub("<time>", printed))
    record = json.loads(next((folder / "results").glob("*.smoke.json")).read_text())
    return outputs, {k: v for k, v in record.items() if k not in TIMING_KEYS}


@pytest.mark.notebook
def test_two_smoke_runs_agree(tmp_path, monkeypatch):
    first = run_once(tmp_path / "first", monkeypatch)
    second = run_once(tmp_path / "second", monkeypatch)
    assert first[1] == second[1]  # test loss and every other number in the results file
    assert len(first[0]) > 10 and any("Epoch 2/2" in text for text in first[0])
    assert first[0] == second[0]
