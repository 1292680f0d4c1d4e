"""One list of chapters (aeutils.chapters): the README, the table of contents and the tests agree."""

import re
from pathlib import Path

import pytest

from aeutils import models
from aeutils.chapters import CHAPTERS, KINDS, TRAINED

ROOT = Path(__file__).resolve().parent.parent


def test_every_notebook_is_a_chapter_in_the_table_of_contents_in_order():
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert [c.notebook for c in CHAPTERS] == notebooks
    toc = re.findall(r"file: notebooks/(\w+)", (ROOT / "_toc.yml").read_text())
    assert toc == notebooks


def test_the_readme_table_is_the_list_of_chapters():
    rows = re.findall(r"^\| `(\d\d_\w+)` \| (.+) \|$", (ROOT / "README.md").read_text(),
                      re.MULTILINE)
    assert rows == [(c.notebook, c.about) for c in CHAPTERS]


def test_each_trained_model_names_its_builder_and_its_shipped_weights():
    assert set(KINDS) < set(TRAINED) and "convolutional, on four devices" in TRAINED
    for kind, chapter in TRAINED.items():
        assert callable(getattr(models, chapter.builder)), kind
        assert chapter.weights.split(".")[0] == chapter.notebook
        assert (ROOT / "notebooks" / "weights" / f"{chapter.weights}.weights.h5").is_file()
    assert KINDS["dense"].build()[0].count_params() == 50_992


def test_the_tests_cover_every_kind():
    from tests.test_models import BUILDERS
    from tests.test_shipped import CASES

    assert [b.__name__ for b, _, _ in BUILDERS] == [c.builder for c in KINDS.values()]
    assert {c.weights for c in TRAINED.values()} <= set(CASES)


def test_a_chapter_without_a_kind_says_so_when_asked_to_build():
    chapter = next(c for c in CHAPTERS if c.builder is None)
    with pytest.raises(ValueError, match=f"chapter {chapter.notebook} trains no autoencoder"):
        chapter.build()
