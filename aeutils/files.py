"""The files the book ships beside its notebooks, found wherever a notebook runs.

The chapters' results (``results/*.json``), the weights they trained (``weights/*``) and
the run times the performance page shows live in the repository's ``notebooks/`` folder.
A page run in the repository reads them there. Where they are missing (Colab opens a
notebook alone), ``book_file`` downloads the copy of the tagged release this package
belongs to and checks it against the SHA-256 in ``MANIFEST``, which lists every shipped
file.
"""

import json
import os
from pathlib import Path

from aeutils import __version__
from aeutils.data import cache_dir, download, sha256

REPOSITORY = "autoencoders-book/autoencoders-book"
MIRROR_VARIABLE = "AEUTILS_BOOK_URL"  # another copy of notebooks/, tried first
MANIFEST = Path(__file__).with_name("book_files.json")
TIMINGS = ("book_run.json", "book_run.smoke.json", "benchmark.json")  # in results/


def sources():
    """The base URLs of the repository's ``notebooks/`` folder at this version's tag."""
    tag = f"v{__version__}"
    urls = [
        f"https://raw.githubusercontent.com/{REPOSITORY}/{tag}/notebooks",
        f"https://cdn.jsdelivr.net/gh/{REPOSITORY}@{tag}/notebooks",
    ]
    mirror = os.environ.get(MIRROR_VARIABLE)
    return [mirror.rstrip("/")] + urls if mirror else urls


def book_file(path, root="."):
    """The local path of ``path``, a file the book ships such as ``"results/01_dense.json"``.

    ``path`` is relative to the book's ``notebooks/`` folder, which is ``root`` on this
    machine: the folder a chapter runs in, unless it says otherwise. The file there if there
    is one (a reader's own run comes first); else a verified download, kept in the cache for
    next time.
    """
    local = Path(root) / path
    if local.is_file():
        return local
    key = Path(path).as_posix()
    digests = json.loads(MANIFEST.read_text())
    if key not in digests:
        raise FileNotFoundError(
            f"{key} is not in {Path(root).resolve()}, and the book ships no file of that name "
            f"(see {MANIFEST.name} in the aeutils package)"
        )
    copy = cache_dir() / f"book-v{__version__}" / key
    errors = []
    for base in sources():
        try:
            return download(f"{base}/{key}", copy, digests[key])
        except Exception as error:  # noqa: BLE001 - tell the reader what every source said
            errors.append(f"{base}/{key}: {type(error).__name__}: {error}")
    raise OSError(
        f"{key} is not in {Path(root).resolve()}, and no copy could be downloaded:\n  "
        + "\n  ".join(errors)
        + f"\nRun the notebook in a clone of the book's repository, or set {MIRROR_VARIABLE} "
        f"to the URL (https:// or file://) of a copy of its notebooks/ folder."
    )


def shipped_digests(folder):
    """The SHA-256 of every file under ``folder`` (``notebooks/``) that the book ships.

    Those are what the book's pages read: the chapters' full-run results,
    ``results/NN_*.json`` (not their ``.smoke.json`` files), the weights files in
    ``weights/``, and the ``TIMINGS`` files that ``book/performance.ipynb`` shows.
    """
    folder = Path(folder)
    results = [p for p in folder.glob("results/[0-9][0-9]_*.json") if p.suffixes == [".json"]]
    weights = [p for p in folder.glob("weights/*") if p.is_file() and not p.name.startswith(".")]
    timings = [p for p in (folder / "results" / name for name in TIMINGS) if p.is_file()]
    shipped = sorted(results + weights + timings)
    return {p.relative_to(folder).as_posix(): sha256(p) for p in shipped}


def write_manifest(folder):
    """Write ``shipped_digests(folder)`` to ``MANIFEST``, after a run changed the files."""
    MANIFEST.write_text(json.dumps(shipped_digests(folder), indent=1) + "\n")
