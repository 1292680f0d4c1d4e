"""Start a new chapter from the book's template, and list it everywhere the book lists chapters.

    python tools/new_chapter.py 13_contractive_autoencoder "a Jacobian penalty on the code"

It writes ``notebooks/<name>.ipynb`` (the setup cell of every chapter, the sections of a
chapter, a small dense autoencoder to replace, which already runs at smoke size) and adds the
chapter to ``aeutils/chapters.py``, ``_toc.yml`` and the README's table. It refuses a name
that exists or does not look like ``NN_words``, and changes no file before every check passed.
The chapter is listed last in ``_toc.yml``: move its line into the part where it belongs.
"""

import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from aeutils.storage import write_text  # noqa: E402 - the repository's own package
from tools.setup_cell import SETUP  # noqa: E402

SECTIONS = [  # (cell type, source, tags); {title} and {name} are filled in
    ("markdown", "# {title}\n\nOne paragraph: what this kind of autoencoder does that the "
     "others do not.\n\nIn this chapter you will learn to:\n\n- ...\n\nThe outputs on this "
     "page come from a full run of the notebook; [How to use this book](../book/how_to_use.md) "
     "says how long each chapter takes and how to load the book's trained weights instead of "
     "training.", ()),
    ("markdown", "## Setup\n\nThe first cell is the same in every chapter: where `aeutils`, the "
     "book's package, is missing (on Colab, say) it installs it, then it prints the versions "
     "and the device of this run.", ()),
    ("setup", "", ("nbval-ignore-output",)),
    ("code", "import math\n\nimport keras\nimport matplotlib.pyplot as plt\nfrom keras import "
     "layers\n\nfrom aeutils.data import subset\nfrom aeutils.mnist import load_mnist\n"
     "from aeutils.plots import plot_history, plot_rows\nfrom aeutils.recipes import "
     "cosine_adam, steps_per_call\nfrom aeutils.results import save_results\n"
     "from aeutils.sizes import run_size\nfrom aeutils.training import train\n\n"
     "keras.utils.set_random_seed(0)  # the same initial weights and batches on every run\n"
     "size = run_size()  # full, unless AEUTILS_SIZE says smoke or shipped\n"
     "print(f\"run size: {{size.name}}\")", ("nbval-ignore-output",)),
    ("markdown", "## Data", ()),
    ("code", "(x_train, y_train), (x_test, y_test) = load_mnist(flat=True)\n"
     "x_train, y_train = subset(size.train, x_train, y_train)\n"
     "x_test, y_test = subset(size.test, x_test, y_test)\n"
     "print(f\"training images: {{x_train.shape}}, test images: {{x_test.shape}}\")",
     ("nbval-ignore-output",)),
    ("markdown", "## The model\n\nThe model in plain Keras; `#@save` exports it to "
     "`aeutils.models` (`python tools/export.py`).", ()),
    ("code", "autoencoder = keras.Sequential([\n    keras.Input(shape=(784,)),\n"
     "    layers.Dense(32, activation=\"relu\"),\n    layers.Dense(784, activation=\"sigmoid\"),\n"
     "])", ()),
    ("markdown", "## Training", ()),
    ("code", "epochs, batch_size = size.epochs(15), 32  # the book's recipe, from chapter 1\n"
     "steps_per_epoch = math.ceil(len(x_train) / batch_size)\n"
     "autoencoder.compile(optimizer=cosine_adam(1e-3, epochs, steps_per_epoch),\n"
     "                    loss=\"binary_crossentropy\", steps_per_execution=steps_per_call())\n"
     "history = train(autoencoder, x_train, epochs=epochs, batch_size=batch_size,\n"
     "                validation_data=(x_test, x_test), name=\"{name}\", size=size)\n"
     "print(f\"{{epochs}} epochs in {{history.seconds:.0f}} s\")", ("nbval-ignore-output",)),
    ("code", "plot_history(history)\nplt.show()", ("nbval-ignore-output",)),
    ("markdown", "What to look at: ...\n\n## Evaluation", ()),
    ("code", "test_loss = autoencoder.evaluate(x_test, x_test, verbose=0)\n"
     "print(f\"test binary cross-entropy: {{test_loss:.4f}}\")\n"
     "plot_rows({{\"original\": x_test, \"reconstructed\": autoencoder.predict(x_test, "
     "verbose=0)}})\nplt.show()",
     ("nbval-ignore-output",)),
    ("markdown", "What to look at: ...", ()),
    ("code", "# Bookkeeping: this run's numbers, for the comparison chapter\n"
     "save_results(\"{name}\", size, recipe=\"book\", test_loss=test_loss, epochs=epochs,\n"
     "             seconds_per_epoch=history.seconds / epochs)",
     ("hide-cell", "nbval-ignore-output")),
    ("markdown", "## Strengths and limits\n\n- **Strengths**: ...\n- **Limits**: ...\n\n"
     "## Summary\n\n- ...\n\n## Exercises\n\n" + "\n\n".join(
         f"**Exercise {i} (topic).** ...\n\n<details>\n<summary>Solution</summary>\n\n...\n\n"
         "</details>" for i in (1, 2, 3)) + "\n\n## This chapter in one cell\n\nThe whole "
     "chapter in plain Keras, NumPy and matplotlib, without the book's package.", ()),
    ("code", "# This chapter in one cell: ...\nimport keras\n\n(x_train, _), (x_test, _) = "
     "keras.datasets.mnist.load_data()", ("skip-execution", "nbval-skip")),
]


def notebook(name, title):
    """The template, filled in, with the setup cell of every page (``tools/setup_cell.py``)."""
    first = nbformat.read(ROOT / "notebooks" / "01_dense_autoencoder.ipynb", as_version=4)
    cells = []
    for kind, source, tags in SECTIONS:
        source = SETUP if kind == "setup" else source.format(name=name, title=title)
        cell = (nbformat.v4.new_markdown_cell if kind == "markdown"
                else nbformat.v4.new_code_cell)(source)
        if tags:
            cell.metadata["tags"] = list(tags)
        cells.append(cell)
    book = nbformat.v4.new_notebook(cells=cells, metadata=first.metadata)
    return nbformat.writes(book) + "\n"


def listed(text, pattern, line, where):
    """``text`` with ``line`` inserted after the last line that matches ``pattern``."""
    last = list(re.finditer(pattern, text, re.MULTILINE))
    if not last:
        raise SystemExit(f"cannot find where to list the chapter in {where}")
    end = last[-1].end()
    return text[:end] + "\n" + line + text[end:]


def main(name, about):
    if not re.fullmatch(r"\d\d_[a-z0-9_]+", name):
        raise SystemExit(f"name must look like 13_contractive_autoencoder, got {name!r}")
    path = ROOT / "notebooks" / f"{name}.ipynb"
    if path.exists() or list(ROOT.glob(f"notebooks/{name[:2]}_*.ipynb")):
        raise SystemExit(f"a chapter numbered {name[:2]} exists already")
    if not about.strip() or "|" in about or "\n" in about or "\\" in about:
        raise SystemExit(f"about must be one line of text, without | or \\, got {about!r}")
    title = " ".join(name[3:].split("_")).capitalize()
    files = {
        ROOT / "aeutils" / "chapters.py": (r"^    Chapter\(.*(?:\n {8}.*)*\),$",
                                           f"    Chapter({json.dumps(name)}, {json.dumps(about)}),"),
        ROOT / "_toc.yml": (r"^\s*- file: notebooks/\w+$", f"      - file: notebooks/{name}"),
        ROOT / "README.md": (r"^\| `\d\d_\w+` \| .* \|$", f"| `{name}` | {about} |"),
    }
    listed_already = [file.name for file in files if f"notebooks/{name}" in file.read_text()
                      or f"`{name}`" in file.read_text() or f'"{name}"' in file.read_text()]
    if listed_already:
        raise SystemExit(f"{name} is listed already in {', '.join(listed_already)}")
    changed = {file: listed(file.read_text(), *entry, file.name)
               for file, entry in files.items()}
    for file, text in changed.items():
        write_text(file, text)
    write_text(path, notebook(name, title))  # last: its existence says the listings are done
    print(f"wrote {path.relative_to(ROOT)}; listed it in " + ", ".join(f.name for f in changed))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
