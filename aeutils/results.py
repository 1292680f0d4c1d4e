"""The measured results of a chapter's run, in a small JSON file."""

import datetime
import importlib
import json
import platform
from pathlib import Path

import keras
import numpy as np

from aeutils.checks import check_file_name
from aeutils.files import book_file
from aeutils.machine import hardware
from aeutils.sizes import RunSize
from aeutils.storage import read_json, write_text


def load_results(name, root="."):
    """The numbers a run stored in ``results/{name}.json``, as a dict.

    ``name`` is a chapter's (``"01_dense_autoencoder"``) or a record of times such as
    ``"book_run"``. Read from ``root``, the book's ``notebooks/`` folder on this machine (by
    default the folder the notebook runs in), or where the file is missing, from the book's
    own copy (see ``aeutils.files.book_file``).
    """
    path = book_file(f"results/{check_file_name(name, 'name')}.json", root)
    return read_json(path, "remove it to use the book's own copy, or rerun the chapter that "
                           "writes it")


RECORDED = ("chapter", "size", "hardware", "versions", "date")  # written by save_results itself


def _plain(value):
    """``value`` with NumPy numbers and arrays made into Python ones, for JSON."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def save_results(chapter, size, folder="results", **metrics):
    """Write ``metrics`` with the run size, hardware, versions and date to a JSON file.

    A full run writes ``{folder}/{chapter}.json``; a smoke run writes
    ``{folder}/{chapter}.smoke.json`` so it never replaces the book's numbers. The file is
    written whole or not at all. Returns the path written.
    """
    check_file_name(chapter, "chapter")
    if not isinstance(size, RunSize):
        raise TypeError(f"size must be a RunSize such as run_size(), got {type(size).__name__}")
    taken = sorted(set(metrics) & set(RECORDED))
    if taken:
        raise ValueError(f"metric names {taken} are recorded by save_results itself: choose "
                         f"other names (these are taken: {', '.join(RECORDED)})")
    record = {
        "chapter": chapter,
        "size": size.name,
        **{key: _plain(value) for key, value in metrics.items()},
        "hardware": hardware(),
        "versions": {
            "python": platform.python_version(),
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "backend_version": importlib.import_module(keras.backend.backend()).__version__,
            "numpy": np.__version__,
        },
        "date": datetime.date.today().isoformat(),
    }
    for key, value in record.items():
        try:
            json.dumps(value, allow_nan=False)
        except TypeError:
            raise TypeError(
                f"metric {key} must be a number, string, list or dict, got {type(value).__name__}"
            ) from None
        except ValueError:
            raise ValueError(f"metric {key} is {value}: the run gave no finite number") from None
    suffix = "" if size.name == "full" else f".{size.name}"
    return write_text(Path(folder) / f"{chapter}{suffix}.json", json.dumps(record, indent=2) + "\n")
