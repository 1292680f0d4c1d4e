"""Run sizes and results files."""

import json

import keras
import numpy as np
import pytest

from aeutils.models import build_dense
from aeutils.results import load_results, save_results
from aeutils.shipped import load_shipped, save_shipped
from aeutils.sizes import FULL, SHIPPED, SMOKE, run_size


def test_one_variable_selects_the_run_size(monkeypatch):
    monkeypatch.delenv("AEUTILS_SIZE", raising=False)
    assert run_size() is FULL and FULL.epochs(50) == 50 and FULL.train is None
    monkeypatch.setenv("AEUTILS_SIZE", "smoke")
    assert run_size() is SMOKE and SMOKE.epochs(50) == 2 and SMOKE.epochs(1) == 1
    monkeypatch.setenv("AEUTILS_SIZE", "shipped")
    assert run_size() is SHIPPED
    monkeypatch.setenv("AEUTILS_SIZE", " ")  # set but blank counts as unset
    assert run_size() is FULL
    monkeypatch.setenv("AEUTILS_SIZE", "1")
    with pytest.raises(ValueError, match=r"AEUTILS_SIZE must be one of full, smoke, shipped "
                                         r"\(or unset\), got '1'"):
        run_size()


@pytest.mark.parametrize("old", ["AEUTILS_SMOKE", "AEUTILS_SHIPPED"])
def test_the_variables_of_older_releases_are_refused_not_ignored(monkeypatch, old):
    """A reader who follows older instructions must not get a full run unawares."""
    monkeypatch.delenv("AEUTILS_SIZE", raising=False)
    monkeypatch.setenv(old, "1")
    with pytest.raises(ValueError, match=f"{old} is gone: set AEUTILS_SIZE="):
        run_size()
    monkeypatch.setenv(old, "0")  # switched off: harmless
    assert run_size() is FULL


def test_smoke_results_never_replace_full_ones(tmp_path):
    full = save_results("01_x", FULL, folder=tmp_path, test_loss=0.1)
    smoke = save_results("01_x", SMOKE, folder=tmp_path, test_loss=0.5)
    assert full.name == "01_x.json" and smoke.name == "01_x.smoke.json"
    record = json.loads(full.read_text())
    assert record["size"] == "full" and record["test_loss"] == 0.1
    assert {"hardware", "versions", "date"} <= record.keys()


def test_numpy_numbers_in_lists_are_stored_as_numbers(tmp_path):
    path = save_results("01_x", SMOKE, folder=tmp_path, losses=[np.float32(0.5), np.int64(2)])
    assert json.loads(path.read_text())["losses"] == [0.5, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["01_x.smoke.json"]  # no temporary file left


def test_a_half_written_results_file_is_named_with_what_to_do(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "01_x.json").write_text('{"test_loss": 0.1')
    with pytest.raises(ValueError, match=r"01_x.json is damaged \(not valid JSON") as error:
        load_results("01_x", root=tmp_path)
    assert "remove it to use the book's own copy, or rerun the chapter" in str(error.value)


def trained(folder):
    keras.utils.set_random_seed(0)
    autoencoder, _, _ = build_dense()
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    x = np.full((8, 784), 0.5, dtype="float32")
    history = autoencoder.fit(x, x, epochs=2, verbose=0)
    save_shipped(autoencoder, "01_x", history, folder=folder)
    return autoencoder


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda record: record.pop("sha256"), "KeyError: 'sha256'"),
        (lambda record: record["history"].pop("loss"), "with a loss"),
        (lambda record: record["history"]["val_loss"].append(0.1), "one value per epoch"),
        (lambda record: record.update(history=[0.1]), "AttributeError"),
    ],
    ids=["no sha256", "no loss", "curves of different lengths", "curves not a dict"],
)
def test_a_damaged_weights_record_is_named_before_any_weight_is_loaded(tmp_path, damage, message):
    trained(tmp_path)
    path = tmp_path / "01_x.json"
    record = json.loads(path.read_text())
    record["history"]["val_loss"] = list(record["history"]["loss"])
    damage(record)
    path.write_text(json.dumps(record))
    fresh, _, _ = build_dense()
    before = [w.copy() for w in fresh.get_weights()]
    with pytest.raises(ValueError, match=f"01_x.json is damaged .*{message}") as error:
        load_shipped(fresh, "01_x", folder=tmp_path)
    assert "remove it and its weights file" in str(error.value)
    for got, want in zip(fresh.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_shipped_weights_round_trip_with_no_temporary_file_left(tmp_path):
    model = trained(tmp_path)
    fresh, _, _ = build_dense()
    history = load_shipped(fresh, "01_x", folder=tmp_path)
    assert history.epoch == [0, 1]
    for got, want in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01_x.json", "01_x.weights.h5"]


def test_train_returns_the_seconds_it_took(monkeypatch):
    from aeutils.training import train

    keras.utils.set_random_seed(0)
    autoencoder, _, _ = build_dense()
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    # the clock, read before training, at the start and end of each epoch, and after training
    ticks = iter([100.0, 101.0, 104.0, 104.5, 110.5, 112.5])
    monkeypatch.setattr("aeutils.training.perf_counter", lambda: next(ticks))
    history = train(autoencoder, np.full((8, 784), 0.5, dtype="float32"), epochs=2, batch_size=8)
    assert history.seconds == 12.5 and len(history.history["loss"]) == 2
    assert history.history["seconds"] == [3.0, 6.0]  # each epoch's, for loss against time


def two_inputs():
    """A small model of two inputs, as a conditional autoencoder takes: images and labels."""
    images, labels = keras.Input(shape=(784,)), keras.Input(shape=(10,))
    hidden = keras.layers.Dense(16, activation="relu")(keras.layers.Concatenate()([images, labels]))
    model = keras.Model([images, labels], keras.layers.Dense(784, activation="sigmoid")(hidden))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def images_and_labels(n=32):
    rng = np.random.default_rng(0)
    return (rng.random((n, 784)) > 0.7).astype("float32"), np.eye(10, dtype="float32")[rng.integers(0, 10, n)]


def test_train_takes_a_model_of_several_inputs():
    from aeutils.training import train

    keras.utils.set_random_seed(0)
    x, labels = images_and_labels()
    model = two_inputs()
    history = train(model, [x, labels], x, epochs=2, batch_size=8,
                    validation_data=([x[:8], labels[:8]], x[:8]))
    assert len(history.history["loss"]) == 2 and len(history.history["val_loss"]) == 2


@pytest.mark.parametrize(("inputs", "targets", "message"), [
    (lambda x, l: [x, l], None, r"y: a model of several inputs needs its targets"),
    (lambda x, l: x, lambda x: x, r"x must be a list of 2 arrays, one per input"),
    (lambda x, l: [x], lambda x: x, r"x must be a list of 2 arrays, one per input"),
    (lambda x, l: [x, l * 2], lambda x: x, r"x\[1\] must lie in \[0, 1\]"),
    (lambda x, l: [x, l[:5]], lambda x: x, r"the arrays of x must hold as many samples, got \[32, 5\]"),
])
def test_bad_inputs_of_a_model_of_several_inputs_are_named(inputs, targets, message):
    from aeutils.training import train

    x, labels = images_and_labels()
    with pytest.raises(ValueError, match=message):
        train(two_inputs(), inputs(x, labels), None if targets is None else targets(x),
              epochs=1, batch_size=8)
