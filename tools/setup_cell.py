"""Write the setup cell, the first code cell of every page, from the package's version;
and point the site's Colab and Binder buttons (``_config.yml``) at that version's tag.

A page may set environment variables that a backend reads when it starts in code cells
before it, tagged ``before-setup`` (chapter 12 shows JAX one CPU as four devices that way).

    python tools/setup_cell.py          # rewrite every setup cell that differs, and the branch
    python tools/setup_cell.py --check  # exit 1, naming the pages (or _config.yml) that differ

The cell installs ``aeutils`` where it is missing (on Colab, say), at the tag of the version
in ``aeutils/__init__.py``: the one place a version is written. A version bump is that line
and this command. pip leaves the TensorFlow, Keras and NumPy a reader has alone wherever
they satisfy the package's ranges; when the install fails, the cell says what pip said and
what to do. The buttons open the notebooks of the same release: main's may already call
package code that the release lacks.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from aeutils import __version__  # noqa: E402 - the repository's own package
from aeutils.files import REPOSITORY  # noqa: E402
from aeutils.storage import write_text  # noqa: E402

SETUP = f'''\
# The same first cell in every chapter: where aeutils, the book's package, is missing
# (on Colab, say), install the release these notebooks belong to; then report.
import importlib.util
import subprocess
import sys

PACKAGE = "aeutils @ git+https://github.com/{REPOSITORY}@v{__version__}"
if importlib.util.find_spec("aeutils") is None:  # pip keeps the Keras you have if it fits
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", PACKAGE],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        raise RuntimeError(f"pip could not install {{PACKAGE}}:\\n{{pip.stderr[-2000:]}}\\n"
                           "Check the internet connection and run this cell again, or "
                           "install aeutils as the book's README says.")

from aeutils.machine import environment

print(environment())'''
BEFORE_SETUP = "before-setup"  # the tag of a cell that must run before the setup cell
PAGES = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.ipynb"))
CONFIG = ROOT / "_config.yml"


def with_release_branch(config):
    """The text of ``_config.yml`` with ``branch:`` of its ``repository:`` block set to the
    version's tag; any other line, and a comment after the branch, left as they are."""
    text, found = re.subn(r"(?m)^(repository:\n(?:  .*\n)*?  branch:) *[^\s#]*",
                          rf"\g<1> v{__version__}", config)
    if found != 1:
        raise ValueError(f"{CONFIG.name} has {found} 'branch:' lines under repository, not one")
    return text


def setup_cell(cells):
    """The setup cell of a page's ``cells``: its first code cell not tagged ``before-setup``."""
    for cell in cells:
        if (cell.get("cell_type", "code") == "code"
                and BEFORE_SETUP not in cell["metadata"].get("tags", [])):
            return cell
    raise ValueError("the page has no setup cell: every code cell is tagged " + BEFORE_SETUP)


def differing():
    """The pages whose setup cell is not ``SETUP``."""
    def setup(page):
        return "".join(setup_cell(json.loads(page.read_text(encoding="utf-8"))["cells"])["source"])

    return [page for page in PAGES if setup(page) != SETUP]


def main(argv):
    pages = differing()
    config = CONFIG.read_text(encoding="utf-8")
    stale = with_release_branch(config) != config
    if argv == ["--check"]:
        for page in pages:
            print(f"{page.relative_to(ROOT)}: the setup cell differs; run tools/setup_cell.py")
        if stale:
            print(f"{CONFIG.name}: the branch is not v{__version__}; run tools/setup_cell.py")
        return 1 if pages or stale else 0
    if stale:
        write_text(CONFIG, with_release_branch(config))
        print(f"wrote branch v{__version__} into {CONFIG.name}")
    for page in pages:  # the cell's source alone: its outputs are the last run's
        book = json.loads(page.read_text(encoding="utf-8"))
        cell = setup_cell(book["cells"])
        cell["source"] = SETUP.splitlines(keepends=True)
        write_text(page, json.dumps(book, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote the setup cell of {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
