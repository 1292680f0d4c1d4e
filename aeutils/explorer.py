"""A decoder and its codes, saved for the live latent-space explorer on the book's site.

The site's ``book/_static/latent_explorer.js`` runs the decoder in the reader's browser: a
pad shows the codes coloured by digit, and the point under the pointer is decoded live. It
reads the file that ``save_explorer`` writes, which also holds the Keras decoder's own
outputs for a few points of the pad, so that a test can compare the two.
"""

import base64
import hashlib
import json
from pathlib import Path

import keras
import numpy as np

from aeutils.checks import check_file_name
from aeutils.sizes import RunSize
from aeutils.storage import write_text

PAD = 320  # the pad's width and height, in CSS pixels
ACTIVATIONS = ("relu", "sigmoid", "linear")  # the ones the page's script computes


def _packed(array, dtype="<f4"):
    """``array`` as base64 of its little-endian bytes: compact, and one fetch for the page."""
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def pad_code(x, y, extent):
    """The code at the centre of pixel ``(x, y)`` of the pad (``y`` counts down), whose axes
    span ``extent``: what the page decodes while the pointer is on that pixel."""
    low, high = extent
    return [low + (x + 0.5) / PAD * (high - low), high - (y + 0.5) / PAD * (high - low)]


def save_explorer(name, decoder, codes, labels, size, folder="explorer", checks=12):
    """Write the decoder's weights, the 2-D ``codes`` and their ``labels`` for the explorer.

    ``decoder`` must be a ``keras.Sequential`` of ``Dense`` layers with biases, from 2
    numbers to the 784 pixels of a 28x28 image. The file also holds the decoder's outputs at
    ``checks`` pixels of the pad, drawn at random. A full run writes ``{folder}/{name}.json``,
    other sizes ``{name}.{size}.json``, atomically. Returns its SHA-256, which the chapter
    records with its results and the site checks before it serves it.
    """
    check_file_name(name, "name")
    if not isinstance(size, RunSize):
        raise TypeError(f"size must be a RunSize such as run_size(), got {type(size).__name__}")
    if not isinstance(decoder, keras.Sequential):
        raise TypeError(f"decoder must be a keras.Sequential of Dense layers, got "
                        f"{type(decoder).__name__} {decoder.name!r}")
    layers = []
    for layer in decoder.layers:
        activation = getattr(getattr(layer, "activation", None), "__name__", None)
        if (not isinstance(layer, keras.layers.Dense) or not layer.use_bias
                or activation not in ACTIVATIONS):
            raise ValueError(f"decoder layer {layer.name} is a {type(layer).__name__} with "
                             f"activation {activation}: expected Dense layers with biases and "
                             f"one of the activations {ACTIVATIONS}")
        kernel, bias = (np.asarray(w) for w in layer.get_weights())
        layers.append({"activation": activation, "shape": list(kernel.shape),
                       "kernel": _packed(kernel), "bias": _packed(bias)})
    if decoder.input_shape != (None, 2) or decoder.output_shape != (None, 784):
        raise ValueError(f"decoder must map 2 numbers to 784 pixels, got {decoder.input_shape} "
                         f"to {decoder.output_shape}")
    codes, labels = np.asarray(codes, "float32"), np.asarray(labels)
    if codes.ndim != 2 or codes.shape[1] != 2 or labels.shape != (len(codes),):
        raise ValueError(f"codes must be (n, 2) and labels (n,), got {codes.shape} and "
                         f"{labels.shape}")
    limit = float(np.ceil(np.percentile(np.abs(codes), 99.5) * 2) / 2)  # to half a unit
    extent = [-limit, limit]
    pixels = np.random.default_rng(0).integers(0, PAD, size=(checks, 2))
    check_codes = np.array([pad_code(x, y, extent) for x, y in pixels], "float32")
    record = {
        "name": name, "size": size.name, "pad": PAD, "extent": extent, "layers": layers,
        "codes": _packed(codes), "labels": _packed(labels, "u1"),
        "checks": {"pixels": pixels.tolist(), "codes": check_codes.tolist(),
                   "images": _packed(decoder.predict(check_codes, verbose=0))},
    }
    text = json.dumps(record, separators=(",", ":")) + "\n"
    suffix = "" if size.name == "full" else f".{size.name}"
    write_text(Path(folder) / f"{name}{suffix}.json", text)
    return hashlib.sha256(text.encode()).hexdigest()
