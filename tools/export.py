"""Copy the code of the chapters' ``#@save`` cells into ``aeutils``, or check that it is there.

A code cell whose first line is ``#@save`` (or ``#@save plots`` to name another module
than ``models``) is the one source of a function or class: this script writes each
top-level definition of such a cell into ``aeutils/<module>.py``, replacing the
definition of the same name or appending it.

    python tools/export.py          # write the package
    python tools/export.py --check  # exit 1, listing what differs
"""

import ast
import json
import sys
from pathlib import Path

from aeutils.storage import write_text

ROOT = Path(__file__).resolve().parent.parent


def saved_definitions(notebook):
    """Yield ``(module, name, source)`` for each definition in the notebook's ``#@save`` cells."""
    for cell in json.loads(Path(notebook).read_text())["cells"]:
        source = "".join(cell["source"])
        first, _, body = source.partition("\n")
        if cell["cell_type"] != "code" or not first.startswith("#@save"):
            continue
        module = first.removeprefix("#@save").strip() or "models"
        lines = body.splitlines()
        for node in ast.parse(body).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                yield module, node.name, "\n".join(lines[start - 1 : node.end_lineno])


def _replace(text, name, source):
    """``text`` with the top-level definition ``name`` replaced by ``source``, or appended."""
    lines = text.splitlines()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            return "\n".join(lines[: start - 1] + source.splitlines() + lines[node.end_lineno :]) + "\n"
    return text.rstrip("\n") + "\n\n\n" + source + "\n"


def exported(notebooks, package):
    """The package's modules as the notebooks' ``#@save`` cells say they should be: {path: text}."""
    texts = {}
    for notebook in notebooks:
        for module, name, source in saved_definitions(notebook):
            path = Path(package) / f"{module}.py"
            if path not in texts:
                texts[path] = path.read_text()
            texts[path] = _replace(texts[path], name, source)
    return texts


def main(argv):
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    texts = exported(notebooks, ROOT / "aeutils")
    stale = [path for path, text in texts.items() if path.read_text() != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(ROOT)} differs from the notebooks' #@save cells; "
                  "run `python tools/export.py`")
        return 1 if stale else 0
    for path in stale:
        write_text(path, texts[path])  # whole or not at all
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
