"""A new chapter from the template: listed everywhere by one command, and it runs at once."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def repository_copy(folder):
    """The repository's files as a fresh clone (plus work not yet committed) would have them."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    return folder


@pytest.mark.notebook
def test_a_chapter_from_the_template_is_listed_and_runs(tmp_path):
    copy = repository_copy(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(copy), "AEUTILS_SIZE": "smoke"}
    new = [sys.executable, "tools/new_chapter.py", "13_contractive_autoencoder", "a new kind"]
    before = {p: p.read_bytes() for p in (copy / "aeutils" / "chapters.py", copy / "README.md")}
    for bad in (["13_x", ""], ["13_x", "one \\ two"], ["13 x", "fine"], ["01_again", "fine"]):
        refused = subprocess.run(new[:2] + bad, cwd=copy, env=env, capture_output=True, text=True)
        assert refused.returncode != 0, bad
        assert "must" in refused.stderr or "exists already" in refused.stderr, refused.stderr
    assert before == {p: p.read_bytes() for p in before}  # nothing written
    subprocess.run(new, cwd=copy, env=env, check=True, capture_output=True)
    again = subprocess.run(new, cwd=copy, env=env, capture_output=True, text=True)
    assert again.returncode != 0 and "exists already" in again.stderr
    checks = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_chapters.py",
         "--nbval", "--nbval-current-env", "notebooks/13_contractive_autoencoder.ipynb"],
        cwd=copy, env=env, capture_output=True, text=True)
    assert checks.returncode == 0, checks.stdout[-3000:]
    assert "failed" not in checks.stdout and " passed" in checks.stdout
    assert (copy / "notebooks" / "results" / "13_contractive_autoencoder.smoke.json").is_file()
