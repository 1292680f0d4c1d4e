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
    code = [c for c in cells if c["cell_type"] == "code"
            and "skip-execution" not in c["metadata"].get("tags", [])]  # left to the reader
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "run the notebook top to bottom in one kernel"
    left = [c for c in cells if c["cell_type"] == "code" and c not in code]
    assert all("".join(c["source"]).startswith("# This chapter in one cell") and not c["outputs"]
               and c["execution_count"] is None for c in left), \
        "only the chapter in one cell, which trains the chapter again, is left to the reader"
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


def test_training_cells_print_each_epochs_losses_without_a_progress_bar():
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and ".fit(" in source and "epochs=" in source:
                # each epoch's losses (verbose=2: its number, then a line), or none (a sweep
                # printing a line per model): never a bar
                assert "verbose=2" in source or "verbose=0" in source, f"{path.name}: verbose=2"
            for output in cell.get("outputs", []):
                text = "".join(output.get("text", ""))
                assert "\u2501" not in text and "\r" not in text, f"{path.name}: a progress bar"


RAW_MYST = re.compile(
    r"\{(?:glue|doc|ref|numref|cite|eq|term|download|exercise|solution|admonition|note|"
    r"figure|bibliography)[:}]|^:::|```\{", re.MULTILINE)


def plain_html(path):
    """What Jupyter, Colab or GitHub show of a notebook's prose: nbconvert's HTML, no MyST."""
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter(template_name="lab").from_filename(str(path))
    return html


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_a_notebook_opened_outside_the_site_shows_no_raw_myst(path):
    html = plain_html(path)
    prose = re.findall(r'jp-RenderedMarkdown[^>]*>(.*?)</div>', html, re.DOTALL)
    raw = sorted({m for text in prose for m in RAW_MYST.findall(text)})
    assert not raw, f"raw MyST in the prose outside the site: {raw}"
    if path.parent.name != "notebooks":
        return  # the book's own pages have no exercises
    solutions = html.count("<summary>Solution")
    assert solutions >= 3 and html.count("<details>") == solutions, "solutions unfolded"


# A number in the prose is either printed by the run, and the prose points to it, or it is a
# setting, a size or a quotation: these are the ones allowed, with why.
TYPED = re.compile(r"(?<![\w.\-/])(\d+\.\d+|\d+(?:\.\d+)?\s?%|\d[\d,]*\s(?:s|seconds?|minutes?|hours?)\b)")
SETTINGS = {
    "01_dense_autoencoder": {"24.5": "784 / 32", "0.09": "the Keras blog's loss",
                             "0.10": "the Keras blog's loss", "0.001": "a learning rate"},
    "03_deep_autoencoder": {"4.4": "a code of 141 floats against 32"},
    "04_convolutional_autoencoder": {"0.094": "the Keras blog's loss", "0.001": "a learning rate",
                                     "0.002": "a learning rate"},
    "05_denoising_autoencoder": {"0.5": "the noise's standard deviation"},
    "06_seq2seq_autoencoder": {"10%": "the share of anomalous test windows, a setting",
                               "0.002": "a learning rate",
                               "1%": "what the 99th percentile lets through",
                               "5%": "what the 95th percentile lets through",
                               "99.9": "a percentile to try", "0.2": "a spike to try",
                               "0.1": "a level shift to try", "0.5": "the AUC of chance"},
    "07_variational_autoencoder": {"0.5": "a pixel value", "0.9": "90% of a normal axis",
                                   "5%": "a quantile", "95%": "a quantile",
                                   "81%": "0.9 x 0.9"},
    "08_latent_space": {"24.5": "784 / 32"},
    "09_which_autoencoder": {"0.9": "a confidence threshold", "1%": "a share threshold",
                             "3.32": "log2 10", "24.5": "784 / 32"},
    "10_conditional_vae": {"0.9": "a confidence threshold", "1%": "a share threshold",
                           "3.32": "log2 10"},
    "11_vq_vae": {"0.9": "a confidence threshold", "1%": "a share threshold"},
}


def typed_numbers(text):
    """Numbers with a decimal point, percentages and times in Markdown, outside code and maths."""
    text = re.sub(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$", " ", text, flags=re.DOTALL)
    return set(TYPED.findall(re.sub(r"\]\([^)]*\)", "]", text)))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_prose_types_no_measured_number(path):
    prose = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                      if c["cell_type"] == "markdown")
    typed = {n.replace(" ", "") for n in typed_numbers(prose)} - set(SETTINGS.get(path.stem, {}))
    assert not typed, f"numbers typed into the prose: {sorted(typed)}; print them in a cell"
    assert "TODO" not in prose
