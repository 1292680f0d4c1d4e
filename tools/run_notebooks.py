"""Execute the book's notebooks at full size, storing their outputs, and time the whole run.

    python tools/run_notebooks.py                       # every notebook, in order
    python tools/run_notebooks.py notebooks/04_*.ipynb  # some of them
    AEUTILS_SIZE=smoke python tools/run_notebooks.py       # time the smoke size, store nothing

Each notebook runs in ``notebooks/`` (where it writes its results and weights) and is saved
as soon as it finishes. The times go to ``notebooks/results/book_run.json``, which the book
reads; a run of some notebooks updates their entries only. At smoke size the notebooks are
not saved and the times go to ``book_run.smoke.json``, for the book to say what smoke takes.
With ``AEUTILS_SIZE=shipped`` the notebooks load the shipped weights instead of training: the
run checks that each draws the figures it stores, records how many it drew and how many
differed in ``book_run.shipped.json``, and fails if any did.
Every path is checked before the first notebook runs, and every file is written whole or
not at all (``aeutils.storage.write_text``), so a run killed half-way damages nothing.
"""

import datetime
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
# The kernel's C-level stderr (TensorFlow's start-up notices, printed whatever
# TF_CPP_MIN_LOG_LEVEL says on some CPUs) goes to the terminal, not into the notebook.
KERNEL_ARGUMENTS = ["--IPKernelApp.capture_fd_output=False"]


def figures(notebook):
    """The PNG images among a notebook's outputs, in order."""
    return [
        output["data"]["image/png"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]


def notebook_paths(paths):
    """The notebooks to run, all checked before any runs (a typo must not end a long run)."""
    paths = [Path(p).resolve() for p in paths] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        if not path.is_file():
            sys.exit(f"{path}: no such notebook; expected .ipynb files such as "
                     f"{NOTEBOOKS.relative_to(ROOT)}/01_dense_autoencoder.ipynb")
        if path.suffix != ".ipynb":
            sys.exit(f"{path} is not a notebook: expected a .ipynb file")
    return paths


def read_record(path):
    """The times recorded so far in ``path`` (none if it does not exist)."""
    if not path.exists():
        return {"notebooks": {}}
    from aeutils.storage import read_json

    return read_json(path, f"restore it with `git checkout {path}`, or remove it to start a "
                           "new record")


def main(paths):
    from aeutils import storage
    from aeutils.machine import environment
    from aeutils.sizes import run_size

    size = run_size()
    suffix = "" if size.name == "full" else f".{size.name}"
    record_path = NOTEBOOKS / "results" / f"book_run{suffix}.json"

    paths = notebook_paths(paths)
    read_record(record_path)  # a damaged record stops the run before it starts
    for path in paths:
        print(f"{path.name} ...", flush=True)
        notebook = nbformat.read(path, as_version=4)
        stored = figures(notebook)
        start = time.perf_counter()
        resources = {"metadata": {"path": str(NOTEBOOKS)}}  # run where the notebook lies
        client = NotebookClient(notebook, timeout=None, resources=resources,
                                extra_arguments=KERNEL_ARGUMENTS)
        client.execute()
        seconds = time.perf_counter() - start
        if size.name == "full":  # what nbformat.write writes, but atomically
            text = nbformat.writes(notebook)
            storage.write_text(path, text if text.endswith("\n") else text + "\n")
        # read the record again just before writing it, in case another run updated it
        record = read_record(record_path)
        entry = {"seconds": round(seconds, 1), "date": datetime.date.today().isoformat()}
        if size.name == "shipped":  # loading the shipped weights must draw the same figures
            drawn = figures(notebook)
            differ = sum(a != b for a, b in zip(stored, drawn)) + abs(len(stored) - len(drawn))
            entry.update(figures=len(stored), figures_differ=differ)
        record["notebooks"][path.stem] = entry
        record["total_seconds"] = round(sum(n["seconds"] for n in record["notebooks"].values()), 1)
        record["environment"] = environment()
        storage.write_text(record_path, json.dumps(record, indent=2) + "\n")
        print(f"{path.name}: {seconds:.0f} s", flush=True)
    if size.name == "shipped":
        differ = {name: n["figures_differ"] for name, n in record["notebooks"].items()}
        if any(differ.values()):
            sys.exit(f"figures that differ from the stored ones, by notebook: {differ}")
        print("every notebook drew its stored figures from the shipped weights")


if __name__ == "__main__":
    main(sys.argv[1:])
