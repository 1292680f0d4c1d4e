"""One source for the model code: aeutils holds exactly what the chapters mark #@save."""

import ast
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import export  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_package_equals_what_the_notebooks_export():
    texts = export.exported(NOTEBOOKS, ROOT / "aeutils")
    assert texts, "no notebook has a #@save cell"
    for path, text in texts.items():
        assert path.read_text() == text, f"{path.name} differs: run `python tools/export.py`"


def test_dense_chapter_is_the_source_of_build_dense():
    saved = {name: module for nb in NOTEBOOKS for module, name, _ in export.saved_definitions(nb)}
    assert saved["build_dense"] == "models"


@pytest.fixture
def edited_notebook(tmp_path):
    """A copy of the dense chapter whose #@save cell uses a tanh code layer."""
    nb = json.loads((ROOT / "notebooks" / "01_dense_autoencoder.ipynb").read_text())
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if source.startswith("#@save"):
            cell["source"] = source.replace('activation="relu"', 'activation="tanh"')
    path = tmp_path / "edited.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_an_edit_in_a_notebook_is_detected_and_exported(edited_notebook, tmp_path):
    package = tmp_path / "aeutils"
    shutil.copytree(ROOT / "aeutils", package)
    text = export.exported([edited_notebook, *NOTEBOOKS[1:]], package)[package / "models.py"]
    assert text != (package / "models.py").read_text()
    assert 'layers.Dense(code_dim, activation="tanh"' in text
    assert text.count("def build_dense(") == 1  # replaced, not appended


def notebook(tmp_path, *cells):
    """A notebook of code cells with the given sources."""
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": source}
                                          for source in cells]}))
    return path


def test_every_exported_definition_names_its_notebook():
    for name in ("models", "plots", "metrics"):
        path = ROOT / "aeutils" / f"{name}.py"
        text = path.read_text()
        assert export.BEGIN in text and export.END in text, f"{path.name} has no generated section"
        section = text.split(export.BEGIN)[1].split(export.END)[0]
        tree = ast.parse(section)
        lines = section.splitlines()
        for node in tree.body:
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            assert lines[start - 2].startswith("# from notebooks/"), (path.name, lines[start - 1])


def test_a_new_module_is_created_with_the_imports_its_code_needs(tmp_path):
    nb = notebook(tmp_path, "import numpy as np\nfrom keras import ops",
                  "#@save contractive\nSCALE = 2.0\n\ndef scaled(x):\n    return np.asarray(x) * SCALE\n"
                  "\n\nscaled([1])  # shown in the chapter, not exported\n")
    (text,) = export.exported([nb], tmp_path).values()
    assert "import numpy as np\n" in text and "from keras import ops" not in text
    assert "SCALE = 2.0" in text and "scaled([1])" not in text
    assert "# from notebooks/nb.ipynb: edit it there\nSCALE = 2.0" in text
    namespace = {}
    exec(compile(text, "contractive.py", "exec"), namespace)  # the module works as written
    assert namespace["scaled"]([1, 2]).tolist() == [2.0, 4.0]


def test_a_new_definition_joins_the_generated_section_and_the_rest_stays(tmp_path):
    own = "\n\ndef own():\n    return new_plot()\n"
    (tmp_path / "plots.py").write_text(f'"""Plots."""\n\n{export.BEGIN}\n{export.END}\n{own}')
    nb = notebook(tmp_path, "%matplotlib inline\nimport numpy as np",
                  "#@save plots\ndef new_plot():\n    return 1\n")
    (text,) = export.exported([nb], tmp_path).values()
    assert text == ('"""Plots."""\n\n' + export.BEGIN + "\n\n\n# from notebooks/nb.ipynb: "
                    "edit it there\ndef new_plot():\n    return 1\n\n\n" + export.END + "\n" + own)
    (tmp_path / "plots.py").write_text(text)
    assert export.exported([nb], tmp_path) == {tmp_path / "plots.py": text}  # nothing moves


def test_a_module_without_a_generated_section_is_refused(tmp_path):
    (tmp_path / "plots.py").write_text('"""Plots."""\n\n\ndef new_plot():\n    return 0\n')
    nb = notebook(tmp_path, "#@save plots\ndef new_plot():\n    return 1\n")
    with pytest.raises(ValueError, match="plots.py has no generated section"):
        export.exported([nb], tmp_path)


def test_a_section_whose_cells_are_gone_is_emptied(tmp_path):
    (tmp_path / "plots.py").write_text(f"{export.BEGIN}\n\n\ndef old():\n    return 0\n\n\n"
                                      f"{export.END}\n")
    (text,) = export.exported([notebook(tmp_path, "x = 1")], tmp_path).values()
    assert "def old" not in text


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("#@save\nmodel = build()\n", "`model = build()` in a #@save cell would run at import"),
        ("#@save ../elsewhere\ndef f():\n    return 1\n", "must be `#@save` or `#@save <module>`"),
        ("#@saveplots\ndef f():\n    return 1\n", "must be `#@save` or `#@save <module>`"),
        ("#@save\ndef f(:\n", "nb.ipynb: a #@save cell is not Python"),
    ],
    ids=["code run at import", "a path", "no space", "not Python"],
)
def test_a_cell_the_export_cannot_take_is_named(tmp_path, cell, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        export.exported([notebook(tmp_path, cell)], tmp_path)


def test_a_name_the_module_lacks_fails_the_export(tmp_path):
    (tmp_path / "models.py").write_text(f'"""Models."""\n\n{export.BEGIN}\n{export.END}\n')
    nb = notebook(tmp_path, "import numpy as np",
                  "#@save\ndef build():\n    return np.zeros(LIMIT)\n")
    with pytest.raises(ValueError) as error:
        export.exported([nb], tmp_path)
    message = str(error.value)
    assert "models.py would use names it neither defines nor imports" in message
    assert "np (the notebooks import it with `import numpy as np`)" in message
    assert "LIMIT" in message


def test_no_module_of_the_package_borrows_another_ones_private_names():
    """A name with a leading underscore is its module's own business: code that two modules
    need belongs, public, in a module whose name says what it holds."""
    borrowed = []
    for path in sorted((ROOT / "aeutils").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = set()  # the names this module gives the package's other modules
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aeutils"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.endswith("__"):
                        borrowed.append(f"{path.name}: {node.module}.{alias.name}")
                    elif node.module == "aeutils":  # from aeutils import storage
                        modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                modules |= {alias.asname for alias in node.names
                            if alias.asname and alias.name.startswith("aeutils.")}
        borrowed += [f"{path.name}: {node.value.id}.{node.attr}" for node in ast.walk(tree)
                     if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                     and node.value.id in modules and node.attr.startswith("_")
                     and not node.attr.endswith("__")]
    assert borrowed == []
