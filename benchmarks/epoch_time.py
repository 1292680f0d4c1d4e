"""Where the time of a training epoch goes, model by model, on this machine.

    .venv/bin/python benchmarks/epoch_time.py                      # about 10 minutes, 2 cores
    AEUTILS_SIZE=smoke .venv/bin/python benchmarks/epoch_time.py   # a check that it runs

For the book's dense, convolutional, denoising and LSTM autoencoders it times training steps
under each setting that a reader can change without changing the model: the batch size, the
number of batches per call to the compiled step (``steps_per_execution``) and XLA
(``jit_compile``); and the forward pass alone (``predict``, batch 256, 32 batches a call), which
splits the time between the forward pass and the backward pass with the update. A training
time is the median over epochs of 10,000 images (after a first epoch, which compiles), timed
from the epoch's first batch to its end, so without the set-up of each call to ``fit``;
every time is given as seconds per 60,000 images, one epoch of MNIST. It writes
``notebooks/results/epoch_time.json`` (``epoch_time.smoke.json`` at smoke size), which the
performance page shows.
"""

import json
import time
from pathlib import Path

import keras
import numpy as np

from aeutils import storage
from aeutils.chapters import KINDS
from aeutils.machine import environment, peak_flops, training_flops
from aeutils.mnist import load_mnist
from aeutils.sizes import run_size


MODELS = ["dense", "convolutional", "denoising", "sequence-to-sequence"]
BATCH_SIZES = [32, 128, 256]
SETTINGS = [(1, False), (32, False), (1, True), (32, True)]  # (steps_per_execution, XLA)
EPOCH = 60_000  # images in one epoch of MNIST


class EpochClock(keras.callbacks.Callback):
    """The wall time of each epoch, from its first batch to its end (no set-up of ``fit``)."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def training_seconds(model, data, batch_size, repeats):
    """Median seconds of a training epoch over ``data`` after a first one that compiles,
    scaled to 60,000 images."""
    clock = EpochClock()
    model.fit(data, data, batch_size=batch_size, epochs=1 + repeats, callbacks=[clock],
              verbose=0)
    return float(np.median(clock.seconds[1:])) * EPOCH / len(data)


def forward_seconds(model, data, repeats):
    """Median seconds of the forward pass alone over 60,000 images, after one that compiles."""
    data = np.concatenate([data] * (EPOCH // len(data)))[:EPOCH]
    model.predict(data[:1024], batch_size=256, verbose=0)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict(data, batch_size=256, verbose=0)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * EPOCH / len(data)


def measure(kind, x, repeats):
    """{setting: seconds per epoch} for one model."""
    found = {}
    for batch_size in BATCH_SIZES:
        for steps, xla in SETTINGS:
            keras.utils.set_random_seed(0)
            model, _, _ = KINDS[kind].build()
            model.compile(optimizer="adam", loss="binary_crossentropy", jit_compile=xla,
                          steps_per_execution=steps)
            data = x.reshape(-1, *model.input_shape[1:])
            seconds = training_seconds(model, data, batch_size, repeats)
            key = f"batch {batch_size}, {steps} per call, XLA {'on' if xla else 'off'}"
            found[key] = seconds
            print(f"{kind}: {key}: {seconds:.1f} s per epoch", flush=True)
    keras.utils.set_random_seed(0)
    model, _, _ = KINDS[kind].build()
    model.compile(steps_per_execution=32)  # as little overhead per batch as training's best
    data = x.reshape(-1, *model.input_shape[1:])
    forward = forward_seconds(model, data, repeats)
    print(f"{kind}: forward pass alone, batch 256: {forward:.1f} s per epoch", flush=True)
    return {"seconds_per_epoch": found, "forward_only_batch_256": forward,
            "gflop_per_epoch": training_flops(model, EPOCH) / 1e9}


def main():
    size = run_size()
    samples, repeats = (10_000, 3) if size.name == "full" else (512, 1)
    (x_train, _), _ = load_mnist()
    x = x_train[:samples]
    peak = peak_flops()
    results = {"environment": environment(), "size": size.name, "samples": samples,
               "repeats": repeats, "peak_gflops": peak / 1e9, "models": {}}
    for kind in MODELS:
        results["models"][kind] = measure(kind, x, repeats)
    suffix = "" if size.name == "full" else f".{size.name}"
    out = Path(__file__).resolve().parent.parent / "notebooks" / "results" / f"epoch_time{suffix}.json"
    storage.write_text(out, json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
