"""The notebooks as stored: what the book shows must come from whole, full-size runs."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAGES = NOTEBOOKS + sorted((ROOT / "book").glob("*.ipynb"))  # all with stored outputs
TOC = (ROOT / "_toc.yml").read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_notebook_is_a_complete_run(path):
    cells = json.loads(path.read_text())["cells"]
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
    code = [c for c in cells if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "run the notebook top to bottom in one kernel"
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], "stderr stored in the notebook"
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure"
    assert f"notebooks/{path.stem}" in TOC, "chapter missing from _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_outputs_come_from_a_full_size_run(path):
    text = "".join(
        "".join(o.get("text", ""))
        for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"
        for o in c["outputs"]
    )
    assert "run size: full" in text
    results = json.loads((path.parent / "results" / f"{path.stem}.json").read_text())
    assert results["size"] == "full"


def test_training_cells_print_one_line_per_epoch():
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and ".fit(" in source and "epochs=" in source:
                # one line per epoch, or none (a sweep printing a line per model): never a bar
                assert "verbose=2" in source or "verbose=0" in source, f"{path.name}: verbose=2"
            for output in cell.get("outputs", []):
                text = "".join(output.get("text", ""))
                assert "\u2501" not in text and "\r" not in text, f"{path.name}: a progress bar"


def stored_glue(path):
    """The names of the values a notebook's stored run glued for the prose."""
    cells = json.loads(path.read_text())["cells"]
    return {o["metadata"]["scrapbook"]["name"] for c in cells if c["cell_type"] == "code"
            for o in c["outputs"] if "scrapbook" in o.get("metadata", {})}


def glued_in_prose(path):
    """The ``(document, name)`` of every glue role in a notebook's markdown; '' is itself."""
    text = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                   if c["cell_type"] == "markdown")
    return set(re.findall(r"\{glue:?\w*\}`(?:([\w/.]+)::)?(\w+)", text))


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_every_number_in_the_prose_comes_from_the_stored_run(path):
    used = {key for doc, key in glued_in_prose(path) if not doc}
    stored = stored_glue(path)
    assert used, "no glued numbers in the prose"
    assert used <= stored, f"glued in the prose but not stored: {sorted(used - stored)}"


def test_numbers_glued_from_another_page_are_stored_there():
    for path in PAGES:
        for doc, key in glued_in_prose(path):
            if doc:
                source = ROOT / doc.lstrip("/") if doc.startswith("/") else path.parent / doc
                assert key in stored_glue(source), f"{path.name}: {doc}::{key} is not stored"
