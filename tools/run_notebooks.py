"""Execute the book's notebooks at full size, storing their outputs, and time the whole run.

    python tools/run_notebooks.py                       # every notebook, in order
    python tools/run_notebooks.py notebooks/04_*.ipynb  # some of them

Each notebook runs in ``notebooks/`` (where it writes its results and weights) and is saved
as soon as it finishes. The times go to ``notebooks/results/book_run.json``, which the book
reads; a run of some notebooks updates their entries only.
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
RECORD = NOTEBOOKS / "results" / "book_run.json"


def main(paths):
    from aeutils.results import environment

    paths = [Path(p).resolve() for p in paths] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        print(f"{path.name} ...", flush=True)
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        resources = {"metadata": {"path": str(NOTEBOOKS)}}  # run where the notebook lies
        client = NotebookClient(notebook, timeout=None, resources=resources)
        client.execute()
        seconds = time.perf_counter() - start
        nbformat.write(notebook, path)
        # read the record again just before writing it, in case another run updated it
        record = json.loads(RECORD.read_text()) if RECORD.exists() else {"notebooks": {}}
        record["notebooks"][path.stem] = {"seconds": round(seconds, 1),
                                          "date": datetime.date.today().isoformat()}
        record["total_seconds"] = round(sum(n["seconds"] for n in record["notebooks"].values()), 1)
        record["environment"] = environment()
        RECORD.write_text(json.dumps(record, indent=2) + "\n")
        print(f"{path.name}: {seconds:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
