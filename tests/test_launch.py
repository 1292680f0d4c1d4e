"""Every notebook runs where readers open it: the setup cell, launch links, dark-mode figures."""

import base64
import importlib.util
import io
import json
import re
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import yaml

import aeutils
from aeutils import files
from tools.setup_cell import BEFORE_SETUP, SETUP, setup_cell, with_release_branch

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAGES = NOTEBOOKS + sorted((ROOT / "book").glob("*.ipynb"))  # all with launch buttons
HTML = ROOT / "_build" / "html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def test_every_notebook_opens_with_the_setup_cell_of_its_version():
    first = {path.name: "".join(setup_cell(code_cells(path))["source"]) for path in PAGES}
    setup = SETUP
    assert all(source == setup for source in first.values()), \
        "a setup cell differs: run tools/setup_cell.py"
    assert 'find_spec("aeutils") is None' in setup and "print(environment())" in setup
    # it installs the package at the tag of its version, from the repository the book names:
    # the package carries the shipped results and weights of that release
    url = CONFIG["repository"]["url"]
    assert f"{url.removeprefix('https://')}@v{aeutils.__version__}" in setup
    assert url == f"https://github.com/{files.REPOSITORY}"
    # and the site's Colab and Binder buttons open the notebooks of that same release: those
    # of main may call package code newer than the release the setup cell installs
    assert CONFIG["repository"]["branch"] == f"v{aeutils.__version__}", \
        "the launch buttons open another release: run tools/setup_cell.py"
    assert all(
        "nbval-ignore-output" in setup_cell(code_cells(p))["metadata"].get("tags", [])
        for p in PAGES
    )


def test_only_environment_variables_are_set_before_the_setup_cell():
    """A chapter may set environment variables that a backend reads when it starts (chapter
    12's devices) in cells tagged before the setup cell; nothing else may come first."""
    before = []
    for path in PAGES:
        cells = code_cells(path)
        before += cells[:cells.index(setup_cell(cells))]
    assert before, "no page has a cell before its setup cell: drop BEFORE_SETUP"
    for cell in before:
        assert BEFORE_SETUP in cell["metadata"].get("tags", [])
        for line in "".join(cell["source"]).splitlines():
            assert (not line or line.startswith(("#", "import os", 'os.environ["', "  "))), line


def test_the_release_branch_is_written_into_the_repository_block_only():
    tag = f"v{aeutils.__version__}"
    config = ("deploy:\n  branch: gh-pages\nrepository:\n  url: x\n  extra:\n    branch: keep\n"
              "  branch: main  # the launch buttons'\nhtml:\n  branch: keep\n")
    assert with_release_branch(config) == config.replace("  branch: main", f"  branch: {tag}")
    with pytest.raises(ValueError, match="has 0 'branch:' lines under repository, not one"):
        with_release_branch("repository:\n  url: x\nhtml:\n  branch: main\n")


def test_the_setup_cell_is_the_first_code_cell_not_tagged_before_it():
    cells = [{"metadata": {"tags": [BEFORE_SETUP]}, "source": "a"}, {"metadata": {}, "source": "b"}]
    assert setup_cell(cells)["source"] == "b"
    with pytest.raises(ValueError, match="no setup cell"):
        setup_cell(cells[:1])


def test_the_setup_cell_says_what_failed_when_the_install_fails(tmp_path, monkeypatch,
                                                              github_from):
    """Where aeutils is missing and the release cannot be fetched, the reader is told why."""
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "aeutils" else find_spec(name, *args))
    github_from(tmp_path / "no-such-mirror")  # never the real network
    with pytest.raises(RuntimeError) as error:
        exec(SETUP, {})
    message = str(error.value)
    assert message.startswith(f"pip could not install aeutils @ git+https://github.com/"
                              f"{files.REPOSITORY}@v{aeutils.__version__}:\n")
    assert "git" in message.split("\n", 1)[1]  # what pip said: the clone failed
    assert message.endswith("Check the internet connection and run this cell again, or install "
                            "aeutils as the book's README says.")


def test_no_notebook_reads_a_file_outside_its_folder():
    for path in PAGES:
        for cell in code_cells(path):
            source = "".join(cell["source"])
            if path.parent.name == "book":  # it names the notebooks' folder, for load_results
                source = source.replace('NOTEBOOKS = "../notebooks"', "")
                uses = len(re.findall(r"\bNOTEBOOKS\b", source))
                roots = len(re.findall(r"load_results\([^()]*, NOTEBOOKS\)", source))
                assert uses == roots, f"{path.name}: NOTEBOOKS not only as load_results' root"
            assert "../" not in source, f"{path.name}: {source[:80]}"
            # no file opened by name; chapter 09's codecs read back an in-memory buffer
            assert "open(" not in source.replace("Image.open(buffer)", ""), path.name
            # the shipped results and weights come through aeutils, which finds them on Colab
            assert not re.search(r"[\"'](results|weights)\b", source), f"{path.name}: {source[:80]}"


def launch_links(page):
    return re.findall(r'href="([^"]*(?:mybinder\.org|colab\.research|_sources)[^"]*)"', page)


@pytest.mark.site
@pytest.mark.skipif(not HTML.exists(), reason="the book is not built: run `make book`")
def test_launch_and_download_links_point_at_notebooks_in_the_repository():
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    branch = CONFIG["repository"]["branch"]
    tracked = set(
        subprocess.run(
            ["git", "ls-files", "notebooks", "book"], cwd=ROOT, capture_output=True, text=True,
            check=True,
        ).stdout.split()
    )
    for path in PAGES:
        target = path.relative_to(ROOT).as_posix()
        assert target in tracked, f"{target} is not in the repository"
        links = launch_links((HTML / target).with_suffix(".html").read_text())
        assert sorted(links) == sorted(
            [
                f"../_sources/{target}",
                f"https://colab.research.google.com/github/{repo}/blob/{branch}/{target}",
                f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/{target}",
            ]
        )
        assert (HTML / "_sources" / target).is_file()  # the download button's file


def test_figures_have_an_opaque_background_for_dark_mode():
    for path in PAGES:
        for cell in code_cells(path):
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                if png:
                    image = plt.imread(io.BytesIO(base64.b64decode(png)))
                    assert image.shape[2] == 3 or image[..., 3].min() == 1.0, path.name
