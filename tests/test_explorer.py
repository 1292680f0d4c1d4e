"""The live explorer's data: what the VAE chapter saves, and what the site's build serves."""

import base64
import hashlib
import importlib.util
import json
from pathlib import Path

import keras
import numpy as np
import pytest

from aeutils import models
from aeutils.explorer import PAD, pad_code, save_explorer
from aeutils.shipped import load_shipped
from aeutils.sizes import FULL, SMOKE

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CHAPTER = "07_variational_autoencoder"


def unpack(text, dtype="<f4"):
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def decode(record, codes):
    """The decoder as the page's script computes it: its Dense layers, in 64-bit floats."""
    values = np.asarray(codes, "float64")
    for layer in record["layers"]:
        kernel = unpack(layer["kernel"]).reshape(layer["shape"]).astype("float64")
        values = values @ kernel + unpack(layer["bias"])
        values = {"relu": lambda v: np.maximum(v, 0), "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
                  "linear": lambda v: v}[layer["activation"]](values)
    return values


def load_extension():
    spec = importlib.util.spec_from_file_location(
        "latent_explorer", ROOT / "book" / "_ext" / "latent_explorer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_saved_decoder_computes_what_keras_computes(tmp_path):
    keras.utils.set_random_seed(0)
    _, _, decoder = models.build_vae()
    codes = np.random.default_rng(0).normal(size=(50, 2))
    digest = save_explorer("vae", decoder, codes, np.arange(50) % 10, SMOKE, folder=tmp_path)
    path = tmp_path / "vae.smoke.json"  # a smoke run never replaces the book's file
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    record = json.loads(path.read_text())
    assert record["pad"] == PAD and np.allclose(unpack(record["codes"]).reshape(-1, 2), codes)
    assert list(unpack(record["labels"], "u1")) == list(np.arange(50) % 10)
    checks = record["checks"]
    assert checks["codes"] == [pytest.approx(pad_code(x, y, record["extent"]), abs=1e-6)
                               for x, y in checks["pixels"]]
    keras_images = unpack(checks["images"]).reshape(-1, 784)
    assert np.abs(decode(record, checks["codes"]) - keras_images).max() < 1e-5


def test_pad_codes_span_the_extent_with_y_pointing_up():
    assert pad_code(0, 0, [-2, 2]) == pytest.approx([-2 + 2 / PAD, 2 - 2 / PAD])
    assert pad_code(PAD - 1, PAD - 1, [-2, 2]) == pytest.approx([2 - 2 / PAD, -2 + 2 / PAD])


def test_a_decoder_the_page_cannot_compute_is_refused_by_name(tmp_path):
    codes, labels = np.zeros((4, 2)), np.zeros(4)
    _, _, decoder = models.build_convolutional()
    with pytest.raises(ValueError, match="decoder layer .* is a Conv2D .* expected Dense"):
        save_explorer("conv", decoder, codes, labels, FULL, folder=tmp_path)
    no_bias = keras.Sequential([keras.Input((2,)), keras.layers.Dense(784, use_bias=False)])
    with pytest.raises(ValueError, match="expected Dense layers with biases"):
        save_explorer("no_bias", no_bias, codes, labels, FULL, folder=tmp_path)
    inputs = keras.Input((2,))
    functional = keras.Model(inputs, keras.layers.Dense(784)(inputs), name="functional")
    with pytest.raises(TypeError, match="keras.Sequential of Dense layers, got Functional"):
        save_explorer("functional", functional, codes, labels, FULL, folder=tmp_path)
    assert not list(tmp_path.iterdir())


def test_the_books_explorer_holds_the_shipped_decoder_and_matches_its_record():
    path = NOTEBOOKS / "explorer" / f"{CHAPTER}.json"
    record = json.loads(path.read_text())
    results = json.loads((NOTEBOOKS / "results" / f"{CHAPTER}.json").read_text())
    assert results["explorer_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["size"] == "full" and len(unpack(record["labels"], "u1")) == 10_000
    vae, _, decoder = models.build_vae()
    load_shipped(vae, CHAPTER)
    for layer, saved in zip(decoder.layers, record["layers"], strict=True):
        kernel, bias = layer.get_weights()
        assert np.array_equal(unpack(saved["kernel"]).reshape(kernel.shape), kernel)
        assert np.array_equal(unpack(saved["bias"]), bias)


def test_the_build_serves_only_explorers_whose_checksum_matches(tmp_path):
    extension = load_extension()
    (tmp_path / "explorer").mkdir()
    (tmp_path / "results").mkdir()
    (tmp_path / "explorer" / "07_vae.json").write_text("{}\n")
    (tmp_path / "explorer" / "07_vae.smoke.json").write_text("{}\n")  # not the book's: left out
    digest = hashlib.sha256(b"{}\n").hexdigest()
    (tmp_path / "results" / "07_vae.json").write_text(json.dumps({"explorer_sha256": digest}))
    assert extension.checked_explorers(tmp_path) == {"07_vae": tmp_path / "explorer" / "07_vae.json"}
    (tmp_path / "explorer" / "07_vae.json").write_text("{ }\n")  # changed after the run
    from sphinx.errors import ExtensionError

    with pytest.raises(ExtensionError, match="07_vae.json has SHA-256 .* but results/07_vae.json"):
        extension.checked_explorers(tmp_path)
