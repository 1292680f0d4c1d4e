"""Serve the live latent-space explorer on the pages of chapters that saved one.

A chapter's full run writes ``notebooks/explorer/<chapter>.json`` (``aeutils.explorer``) and
records its SHA-256 as ``explorer_sha256`` in ``notebooks/results/<chapter>.json``. The build
checks the one against the other (a mismatch stops it), copies the file to
``_static/explorer/``, and loads ``_static/latent_explorer.js`` on that chapter's page only.
"""

import hashlib
import json
import shutil
from pathlib import Path

from sphinx.errors import ExtensionError

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def checked_explorers(notebooks=NOTEBOOKS):
    """``{chapter: path}`` of every full run's explorer file, each checked against its record."""
    found = {}
    for path in sorted((notebooks / "explorer").glob("*.json")):
        chapter = path.name.removesuffix(".json")
        if "." in chapter:  # a smoke or shipped run's file: not the book's
            continue
        record = json.loads((notebooks / "results" / f"{chapter}.json").read_text())
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if record.get("explorer_sha256") != digest:
            raise ExtensionError(
                f"{path} has SHA-256 {digest}, but results/{chapter}.json records "
                f"{record.get('explorer_sha256')}: rerun the chapter at full size, which "
                "writes both")
        found[chapter] = path
    return found


def _copy(app, exception):
    if exception is None and app.builder.format == "html":
        folder = Path(app.outdir) / "_static" / "explorer"
        folder.mkdir(parents=True, exist_ok=True)
        for chapter, path in app.latent_explorers.items():
            shutil.copyfile(path, folder / path.name)


def _add_script(app, pagename, templatename, context, doctree):
    chapter = pagename.rpartition("/")[2]
    if chapter in app.latent_explorers:
        app.add_js_file("latent_explorer.js", **{"data-explorer": chapter, "defer": "defer"})


def _find(app):
    app.latent_explorers = checked_explorers()


def setup(app):
    app.connect("builder-inited", _find)
    app.connect("html-page-context", _add_script)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
