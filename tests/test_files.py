"""A notebook opened alone, as Colab opens it, still finds the results and weights shipped."""

import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from aeutils import data, files, models, storage
from aeutils.files import MANIFEST, MIRROR_VARIABLE, book_file, shipped_digests
from aeutils.results import load_results
from aeutils.training import load_shipped

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.fixture(autouse=True)
def manifest(tmp_path, monkeypatch):
    """A copy of the manifest in place of the package's, which no test may rewrite."""
    copy = tmp_path / "manifest" / MANIFEST.name
    copy.parent.mkdir()
    shutil.copy(MANIFEST, copy)
    monkeypatch.setattr(files, "MANIFEST", copy)
    real = MANIFEST.read_bytes()
    yield copy
    assert MANIFEST.read_bytes() == real, "a test rewrote aeutils/book_files.json"


@pytest.fixture
def alone(tmp_path, monkeypatch):
    """An empty working folder and an empty cache: a notebook opened by itself."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AEUTILS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(MIRROR_VARIABLE, raising=False)
    return tmp_path


def test_manifest_lists_every_shipped_file_with_its_digest():
    listed = json.loads(MANIFEST.read_text())
    assert listed == shipped_digests(NOTEBOOKS), (
        "the shipped files changed: run tools/run_notebooks.py or "
        "aeutils.files.write_manifest('notebooks') and commit aeutils/book_files.json"
    )
    assert "weights/01_dense_autoencoder.weights.h5" in listed
    assert "results/01_dense_autoencoder.json" in listed
    # only what the pages read: the chapters' full-run results, the weights, the times
    chapters = {key for key in listed if re.fullmatch(r"results/\d\d_\w+\.json", key)}
    weights = {key for key in listed if key.startswith("weights/")}
    assert set(listed) - chapters - weights == {f"results/{name}" for name in files.TIMINGS}


def test_half_a_pair_of_weights_files_is_refused(tmp_path):
    weights = NOTEBOOKS / "weights" / "01_dense_autoencoder.weights.h5"
    shutil.copy(weights, tmp_path)  # the curves and checksum file is missing
    with pytest.raises(FileNotFoundError, match="01_dense_autoencoder.json is not"):
        load_shipped(models.build_dense()[0], "01_dense_autoencoder", folder=tmp_path)


def test_sources_are_the_tagged_release_then_a_mirror_first(monkeypatch):
    monkeypatch.delenv(MIRROR_VARIABLE, raising=False)
    urls = files.sources()
    assert all(f"v{files.__version__}" in url and files.REPOSITORY in url for url in urls)
    monkeypatch.setenv(MIRROR_VARIABLE, "file:///somewhere/")
    assert files.sources()[0] == "file:///somewhere" and files.sources()[1:] == urls


def test_a_file_beside_the_notebook_comes_first(monkeypatch):
    monkeypatch.chdir(NOTEBOOKS)
    path = "results/01_dense_autoencoder.json"
    assert book_file(path) == Path(path)


def test_a_missing_file_is_downloaded_checked_and_cached(alone, monkeypatch):
    monkeypatch.setattr(files, "sources", lambda: [NOTEBOOKS.as_uri()])  # no network in tests
    assert load_results("01_dense_autoencoder") == json.loads(
        (NOTEBOOKS / "results" / "01_dense_autoencoder.json").read_text()
    )
    path = book_file("results/01_dense_autoencoder.json")
    assert alone / "cache" in path.parents
    monkeypatch.setattr(files, "sources", lambda: [(alone / "nowhere").as_uri()])  # cached
    assert book_file("results/01_dense_autoencoder.json") == path


def test_shipped_weights_load_in_a_notebook_opened_alone(alone, monkeypatch):
    monkeypatch.setattr(files, "sources", lambda: [NOTEBOOKS.as_uri()])
    model, _, _ = models.build_dense()
    history = load_shipped(model, "01_dense_autoencoder")
    assert len(history.epoch) == 50
    reference, _, _ = models.build_dense()
    reference.load_weights(NOTEBOOKS / "weights" / "01_dense_autoencoder.weights.h5")
    for a, b in zip(model.get_weights(), reference.get_weights()):
        assert (a == b).all()


def test_a_tampered_copy_is_refused(alone, monkeypatch):
    mirror = alone / "mirror"
    shutil.copytree(NOTEBOOKS / "results", mirror / "results")
    path = mirror / "results" / "01_dense_autoencoder.json"
    path.write_text(path.read_text().replace('"test_loss": 0.', '"test_loss": 1.'))
    monkeypatch.setattr(files, "sources", lambda: [mirror.as_uri()])  # no network in tests
    with pytest.raises(OSError, match="no copy could be downloaded") as error:
        book_file("results/01_dense_autoencoder.json")
    assert "has SHA-256" in str(error.value) and MIRROR_VARIABLE in str(error.value)
    assert not any(p.is_file() for p in (alone / "cache").rglob("*"))  # nothing unchecked kept


def test_a_source_that_never_answers_times_out(alone, monkeypatch):
    """A server that accepts the connection and then says nothing must not hang the notebook."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        silent = f"http://127.0.0.1:{server.getsockname()[1]}"
        monkeypatch.setattr(files, "sources", lambda: [silent, NOTEBOOKS.as_uri()])
        monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT", 1)
        path = book_file("results/01_dense_autoencoder.json")  # the second source answers
        assert path.read_bytes() == (NOTEBOOKS / "results" / path.name).read_bytes()
        monkeypatch.setattr(files, "sources", lambda: [silent])
        with pytest.raises(OSError, match="timed out"):
            book_file("results/02_sparse_autoencoder.json")


def test_no_source_gives_a_clear_error(alone, monkeypatch):
    monkeypatch.setattr(files, "sources", lambda: [(alone / "nowhere").as_uri()])
    with pytest.raises(OSError, match="no copy could be downloaded"):
        load_results("02_sparse_autoencoder")


def test_a_file_the_book_does_not_ship_is_named(alone):
    with pytest.raises(FileNotFoundError, match="ships no file of that name"):
        load_results("99_no_such_chapter")
    with pytest.raises(FileNotFoundError, match="no shipped weights for 'nothing'"):
        load_shipped(models.build_dense()[0], "nothing")


@pytest.mark.notebook
def test_the_performance_page_runs_opened_alone(alone, monkeypatch):
    """Opened by itself, as Colab opens it, the page downloads what it reads and shows the same."""
    import nbformat
    from nbclient import NotebookClient

    page = nbformat.read(NOTEBOOKS.parent / "book" / "performance.ipynb", as_version=4)
    stored = [c.outputs for c in page.cells if c.cell_type == "code"]
    monkeypatch.setenv(MIRROR_VARIABLE, NOTEBOOKS.as_uri())  # in place of the release on GitHub
    (alone / "book").mkdir()  # where the page lies, with no ../notebooks beside it
    resources = {"metadata": {"path": str(alone / "book")}}
    NotebookClient(page, timeout=600, resources=resources).execute()
    ran = [c.outputs for c in page.cells if c.cell_type == "code"]

    def shown(outputs):  # what a reader sees: the outputs, not the kernel's cell counter
        return [{k: v for k, v in o.items() if k != "execution_count"} for o in outputs]

    # everything after the setup cell: tables, glued numbers for the prose, the figure
    assert list(map(shown, ran[1:])) == list(map(shown, stored[1:]))
    assert {p.name for p in (alone / "cache").rglob("*.json")} >= set(files.TIMINGS)


def test_the_shipped_files_are_those_of_this_versions_tag():
    """Colab downloads from the tag v<version>: a change to the files needs a new version."""
    import subprocess

    tag = f"v{files.__version__}"
    root = NOTEBOOKS.parent
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}"],
                           cwd=root, capture_output=True)
    if found.returncode != 0:
        pytest.skip(f"{tag} is not tagged yet (tag the release when it is committed)")
    tagged = subprocess.run(["git", "show", f"{tag}:aeutils/book_files.json"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    assert json.loads(tagged) == json.loads(MANIFEST.read_text()), (
        f"the shipped files changed since {tag}: bump aeutils.__version__ and the setup cells"
    )


def test_an_empty_or_blank_mirror_counts_as_unset(monkeypatch):
    monkeypatch.delenv(MIRROR_VARIABLE, raising=False)
    urls = files.sources()
    for value in ("", "  ", "/"):
        monkeypatch.setenv(MIRROR_VARIABLE, value)
        assert files.sources() == urls, repr(value)


def test_a_mirror_may_be_a_folder_path(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(MIRROR_VARIABLE, "~/copy/")
    assert files.sources()[0] == (tmp_path / "copy").as_uri()
    monkeypatch.setenv(MIRROR_VARIABLE, "copy")
    assert files.sources()[0] == (tmp_path / "copy").as_uri()
    monkeypatch.setenv(MIRROR_VARIABLE, "https://example.org/notebooks/")
    assert files.sources()[0] == "https://example.org/notebooks"


def test_a_mirror_folder_serves_a_notebook_opened_alone(alone, monkeypatch):
    monkeypatch.setenv(MIRROR_VARIABLE, str(NOTEBOOKS))
    monkeypatch.setattr(files, "sources", lambda real=files.sources: real()[:1])  # no network
    path = book_file("results/01_dense_autoencoder.json")
    assert path.read_bytes() == (NOTEBOOKS / "results" / "01_dense_autoencoder.json").read_bytes()


def shipped_folder(root, names):
    """A stand-in for notebooks/ holding the files ``names``, each with its own content."""
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"content of {name}\n")
    return root


A, B, C = "results/01_a.json", "weights/01_a.weights.h5", "results/02_b.json"


def test_write_manifest_refuses_a_folder_that_does_not_exist(tmp_path, manifest):
    before = manifest.read_bytes()
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "notebook"))):
        files.write_manifest(tmp_path / "notebook")  # a typo for notebooks
    with pytest.raises(NotADirectoryError, match="not a folder"):
        files.write_manifest(manifest)
    assert manifest.read_bytes() == before


def test_write_manifest_refuses_to_empty_the_manifest(tmp_path, manifest):
    before = manifest.read_bytes()
    (tmp_path / "notebook").mkdir()
    with pytest.raises(ValueError) as error:
        files.write_manifest(tmp_path / "notebook")
    message = str(error.value)
    assert str(tmp_path / "notebook") in message and "results/01_dense_autoencoder.json" in message
    assert "allow_removal=True" in message
    assert manifest.read_bytes() == before


def test_write_manifest_refuses_to_drop_a_file_unless_told(tmp_path, manifest, monkeypatch):
    folder = shipped_folder(tmp_path / "notebooks", [A, B, C])
    files.write_manifest(folder, allow_removal=True)  # a manifest of three stand-ins
    assert set(json.loads(manifest.read_text())) == {A, B, C}
    (folder / C).unlink()
    with pytest.raises(ValueError, match=f"{re.escape(str(folder))}.*{C}") as error:
        files.write_manifest(folder)
    assert A not in str(error.value) and set(json.loads(manifest.read_text())) == {A, B, C}
    written = []
    monkeypatch.setattr(storage, "write_text",
                        lambda path, text, real=storage.write_text: written.append(path)
                        or real(path, text))
    files.write_manifest(folder, allow_removal=True)
    assert json.loads(manifest.read_text()) == shipped_digests(folder) and written == [manifest]
    shipped_folder(folder, ["results/03_c.json"])  # a new file is simply added
    files.write_manifest(folder)
    assert set(json.loads(manifest.read_text())) == {A, B, "results/03_c.json"}


def test_write_manifest_refuses_to_replace_a_damaged_manifest_unless_told(tmp_path, manifest):
    folder = shipped_folder(tmp_path / "notebooks", [A])
    manifest.write_text('{"results/01_a.json": "ab')
    with pytest.raises(ValueError, match=rf"{re.escape(str(manifest))} is damaged \(not valid JSON"):
        files.write_manifest(folder)
    files.write_manifest(folder, allow_removal=True)
    assert set(json.loads(manifest.read_text())) == {A}


def test_a_damaged_manifest_is_named(alone, manifest):
    manifest.write_text("{")
    with pytest.raises(ValueError, match=rf"{re.escape(str(manifest))} is damaged \(not valid JSON"):
        book_file("results/01_dense_autoencoder.json")
