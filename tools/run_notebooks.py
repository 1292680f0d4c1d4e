"""Execute the book's notebooks at full size, storing their outputs, and time the whole run.

    python tools/run_notebooks.py                       # every notebook, in order
    python tools/run_notebooks.py notebooks/04_*.ipynb  # some of them
    AEUTILS_SMOKE=1 python tools/run_notebooks.py       # time the smoke size, store nothing

Each notebook runs in ``notebooks/`` (where it writes its results and weights) and is saved
as soon as it finishes. The times go to ``notebooks/results/book_run.json``, which the book
reads; a run of some notebooks updates their entries only. At smoke size the notebooks are
not saved and the times go to ``book_run.smoke.json``, for the book to say what smoke takes
(likewise ``AEUTILS_SHIPPED=1``, into ``book_run.shipped.json``).
Every run ends by bringing the list of shipped files and their SHA-256 in the ``aeutils``
package up to date (``aeutils.files.write_manifest``): the results, weights and times.
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


def main(paths):
    from aeutils.files import write_manifest
    from aeutils.results import environment
    from aeutils.training import run_size

    size = run_size()
    suffix = "" if size.name == "full" else f".{size.name}"
    record_path = NOTEBOOKS / "results" / f"book_run{suffix}.json"

    paths = [Path(p).resolve() for p in paths] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        print(f"{path.name} ...", flush=True)
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        resources = {"metadata": {"path": str(NOTEBOOKS)}}  # run where the notebook lies
        client = NotebookClient(notebook, timeout=None, resources=resources)
        client.execute()
        seconds = time.perf_counter() - start
        if size.name == "full":
            nbformat.write(notebook, path)
        # read the record again just before writing it, in case another run updated it
        record = json.loads(record_path.read_text()) if record_path.exists() else {"notebooks": {}}
        record["notebooks"][path.stem] = {"seconds": round(seconds, 1),
                                          "date": datetime.date.today().isoformat()}
        record["total_seconds"] = round(sum(n["seconds"] for n in record["notebooks"].values()), 1)
        record["environment"] = environment()
        record_path.write_text(json.dumps(record, indent=2) + "\n")
        print(f"{path.name}: {seconds:.0f} s", flush=True)
    write_manifest(NOTEBOOKS)


if __name__ == "__main__":
    main(sys.argv[1:])
