"""The measured results of a chapter's run, in a small JSON file."""

import datetime
import json
from pathlib import Path

import numpy as np

from aeutils.checks import check_file_name
from aeutils.files import book_file
from aeutils.machine import hardware, versions
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
    """A NumPy number or array as a Python one, for ``json.dumps``."""
    plain = value.tolist() if isinstance(value, (np.generic, np.ndarray)) else value
    if plain is value or isinstance(plain, np.generic):  # not NumPy, or np.longdouble
        raise TypeError(type(value).__name__)
    return plain


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
        **metrics,
        "hardware": hardware(),
        "versions": versions(),
        "date": datetime.date.today().isoformat(),
    }
    for key, value in record.items():
        try:
            json.dumps(value, allow_nan=False, default=_plain)
        except TypeError:
            raise TypeError(
                f"metric {key} must be a number, string, list or dict, got {type(value).__name__}"
            ) from None
        except ValueError:
            raise ValueError(f"metric {key} is {json.dumps(value, default=_plain)}: the run gave "
                             "no finite number") from None
    suffix = "" if size.name == "full" else f".{size.name}"
    text = json.dumps(record, indent=2, default=_plain) + "\n"
    return write_text(Path(folder) / f"{chapter}{suffix}.json", text)
