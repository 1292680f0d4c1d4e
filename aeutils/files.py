"""The files the book ships beside its notebooks, found wherever a notebook runs.

The chapters' results (``results/*.json``), the weights they trained (``weights/*``) and the
run times the performance page shows live in the repository's ``notebooks/`` folder. They
also travel inside the package, as ``aeutils/book/`` (see ``pyproject.toml``): a notebook
opened without the repository, as Colab opens it, reads those of the release it installed.
"""

from pathlib import Path

from aeutils import __version__

REPOSITORY = "autoencoders-book/autoencoders-book"
# The installed package's copy of notebooks/; in a clone (an editable install), notebooks/.
_BOOK = Path(__file__).with_name("book")
PACKAGED = _BOOK if _BOOK.is_dir() else Path(__file__).parent.parent / "notebooks"


def book_file(path, root="."):
    """The local path of ``path``, a file the book ships such as ``"results/01_dense.json"``.

    ``path`` is relative to the book's ``notebooks/`` folder, which is ``root`` on this
    machine: the folder a chapter runs in, unless it says otherwise. The file there if there
    is one (a reader's own run comes first); else the package's own copy.
    """
    for folder in (Path(root), PACKAGED):
        if (folder / path).is_file():
            return folder / path
    raise FileNotFoundError(
        f"{Path(path).as_posix()} is neither in {Path(root).resolve()} nor among the files "
        f"this installation of aeutils ships ({PACKAGED}): run the chapter that writes it, "
        f'or install the book\'s release: pip install "aeutils @ '
        f'git+https://github.com/{REPOSITORY}@v{__version__}"'
    )
