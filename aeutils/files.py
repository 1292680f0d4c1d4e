"""The files the book ships beside its notebooks, found wherever a notebook runs.

The chapters' results (``results/*.json``), the weights they trained (``weights/*``) and
the run times the performance page shows live in the repository's ``notebooks/`` folder.
A page run in the repository reads them there. Where they are missing (Colab opens a
notebook alone), ``book_file`` downloads the copy of the tagged release this package
belongs to and checks it against the SHA-256 in ``MANIFEST``, which lists every shipped
file.
"""

import json
from pathlib import Path

from aeutils import __version__, storage
from aeutils.checks import env_variable
from aeutils.data import cache_dir, download

REPOSITORY = "autoencoders-book/autoencoders-book"
MIRROR_VARIABLE = "AEUTILS_BOOK_URL"  # another copy of notebooks/, tried first
MANIFEST = Path(__file__).with_name("book_files.json")
TIMINGS = ("book_run.json", "book_run.smoke.json", "benchmark.json")  # in results/


def sources():
    """The base URLs of the repository's ``notebooks/`` folder at this version's tag.

    ``$AEUTILS_BOOK_URL`` comes first when set (an empty one counts as unset): a URL, or
    the path of a folder on this machine (``~`` is expanded).
    """
    tag = f"v{__version__}"
    urls = [
        f"https://raw.githubusercontent.com/{REPOSITORY}/{tag}/notebooks",
        f"https://cdn.jsdelivr.net/gh/{REPOSITORY}@{tag}/notebooks",
    ]
    mirror = (env_variable(MIRROR_VARIABLE) or "").rstrip("/")
    if not mirror:
        return urls
    if "://" not in mirror:  # a folder on this machine
        mirror = Path(mirror).expanduser().absolute().as_uri()
    return [mirror] + urls


def _manifest():
    """The SHA-256 of every shipped file, as ``MANIFEST`` lists them."""
    return storage.read_json(MANIFEST, "reinstall aeutils, or in a clone of the book's "
                                       "repository run `git checkout aeutils/book_files.json`")


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
    digests = _manifest()
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
    return {p.relative_to(folder).as_posix(): storage.sha256(p) for p in shipped}


def write_manifest(folder, *, allow_removal=False):
    """Write ``shipped_digests(folder)`` to ``MANIFEST``, after a run changed the files.

    ``folder`` is the book's ``notebooks/`` folder. Files may be added or changed, but a
    file the manifest lists and ``folder`` lacks is taken for a mistake (the wrong folder,
    a typo): nothing is written unless ``allow_removal=True``, and the error names those
    files. The manifest is written atomically (``aeutils.storage.write_text``).
    """
    folder = Path(folder)
    if not folder.exists():
        raise FileNotFoundError(
            f"write_manifest: folder {folder} (absolute {folder.absolute()}) does not exist; "
            "expected the book's notebooks/ folder"
        )
    if not folder.is_dir():
        raise NotADirectoryError(
            f"write_manifest: {folder} is not a folder; expected the book's notebooks/ folder"
        )
    digests = shipped_digests(folder)
    if not allow_removal:
        try:
            listed = _manifest()
        except FileNotFoundError:
            listed = {}
        except ValueError as error:
            raise ValueError(f"{error}; or pass allow_removal=True to write a new one") from None
        missing = sorted(set(listed) - set(digests))
        if missing or not digests:
            more = len(missing) - 10
            shown = ", ".join(missing[:10]) + (f" and {more} more" if more > 0 else "")
            found = "none of the files the book ships" if not digests else f"{len(digests)} files"
            raise ValueError(
                f"write_manifest: {folder} holds {found}, and lacks {len(missing)} of the "
                f"{len(listed)} that {MANIFEST} lists ({shown or 'no file'}): is it the book's "
                "notebooks/ folder? Nothing was written. If those files were removed on "
                "purpose, call write_manifest(folder, allow_removal=True)."
            )
    storage.write_text(MANIFEST, json.dumps(digests, indent=1) + "\n")
