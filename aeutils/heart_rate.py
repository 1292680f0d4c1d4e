"""A real series with one labelled anomaly, for chapter 6: ``load_heart_rate``.

The heart rate of a patient with internal bleeding, series 135 of the UCR anomaly archive
prepared for KDD 2021 (KDD-TSAD). The aeon package ships it as two CSV files inside its
wheel; aeon itself does not install beside the book's NumPy, so the files are read from the
wheel, downloaded from PyPI and checked against its SHA-256, then each file against its
own. The files are kept in the cache (``aeutils.downloads.cache_dir``), written atomically; the
wheel (6.4 MB) is fetched only when they are missing, and removed once they are out.
"""

import hashlib
import zipfile

import numpy as np

from aeutils import storage
from aeutils.downloads import (NETWORK_ERRORS, ChecksumError, advice, cache_dir, download,
                               verified)

WHEEL = ("https://files.pythonhosted.org/packages/7d/49/034d8d142106e035fce019d8ee6f04d3ac8842"
         "490cd33f811d4df8e15da3/aeon-1.6.0-py3-none-any.whl")
WHEEL_SHA256 = "d05227086706f80111ac5fee8de4d5d3115bb3bcfd1c786c8629393055816409"
FOLDER = "aeon/datasets/data/KDD-TSAD_135/"  # inside the wheel
FILES = {  # name: SHA-256
    "135_UCR_Anomaly_InternalBleeding16_TRAIN.csv":
        "a531b6f4f556b17c0321d144c3f6b4a7bdf5e8464b2218566181702e77962c2b",
    "135_UCR_Anomaly_InternalBleeding16_TEST.csv":
        "fe26577b94896943e8205d04d56bf2511fe05c008df535a1ec3826adff3597e2",
}


def _fetch(folder):
    """Download the wheel into ``folder`` under a temporary name of this process's, take the
    two files out of it, checked, and remove it."""
    wheel = folder / f"{storage.partial_name()}aeon.whl"
    try:
        download(WHEEL, wheel, WHEEL_SHA256)
        with zipfile.ZipFile(wheel) as archive:
            files = {name: archive.read(FOLDER + name) for name in FILES}
        for name, data in files.items():  # all checked before any is kept
            got = hashlib.sha256(data).hexdigest()
            if got != FILES[name]:
                raise ChecksumError(f"{name} in {WHEEL} has SHA-256 {got}, expected "
                                    f"{FILES[name]}: it was not kept")
        for name, data in files.items():
            with storage.atomic_file(folder / name) as tmp:
                tmp.write_bytes(data)
    finally:
        wheel.unlink(missing_ok=True)


def load_heart_rate():
    """The heart-rate series and its anomaly labels, as float32 values and 0/1 labels.

    Returns ``train, (test, labels)``: ``train``, the 1,200 normal values that begin the
    series; ``test``, the whole series of 7,501 values (it begins with ``train``); and
    ``labels``, 1 at each step of the labelled anomaly and 0 elsewhere.
    """
    folder = cache_dir() / "kdd_tsad_135"
    if not all(verified(folder / name, digest) for name, digest in FILES.items()):
        storage.remove_leftovers(folder)  # what a killed download left
        try:
            _fetch(folder)
        except (*NETWORK_ERRORS, OSError) as error:  # a ChecksumError goes through as it is
            raise RuntimeError(
                f"Could not load the heart-rate series from {WHEEL}: {type(error).__name__}: "
                f"{error}. To fix: {advice(error, folder) or 'try again'}; or copy the files "
                f"{', '.join(FILES)} of aeon 1.6.0 (SHA-256 {', '.join(FILES.values())}) into "
                f"{folder}.") from error
    train, test = (np.loadtxt(folder / name, delimiter=",", skiprows=1) for name in FILES)
    return train[:, 1].astype("float32"), (test[:, 1].astype("float32"),
                                           test[:, 2].astype("int64"))
