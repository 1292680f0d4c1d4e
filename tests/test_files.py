"""A notebook opened alone, as Colab opens it, still finds the results and weights shipped."""

import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from aeutils import data, files, models
from aeutils.files import MANIFEST, MIRROR_VARIABLE, book_file, shipped_digests
from aeutils.results import load_results
from aeutils.training import load_shipped

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


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
