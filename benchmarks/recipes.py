"""The book's training recipe against the classic one, on the same machine, in one run.

    .venv/bin/python benchmarks/recipes.py                   # full size, 3 repeats: about 45 minutes, 2 cores
    AEUTILS_SIZE=smoke .venv/bin/python benchmarks/recipes.py   # a check that everything runs

For the dense (784-32-784) and the convolutional ((4, 4, 8) code) autoencoder it trains the
classic recipe of the Keras blog and the recipe the book recommends, measures the test loss
after every epoch (outside the timed training), and writes, for the book's performance page,
``notebooks/results/benchmark.json`` (``benchmark.smoke.json`` at smoke size): the wall time
to reach the target test loss, the final test loss, seconds per epoch, samples per second,
and the share of the machine's arithmetic peak, measured in the same run with one large
matrix product. Each recipe runs ``--repeats`` times (3 by default), classic and book in
turn, and the ratios of the book's recipe to the classic one are given repeat by repeat,
with their median and spread, so that one noisy epoch cannot make the verdict.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import keras
import numpy as np

from aeutils import storage
from aeutils.chapters import KINDS
from aeutils.data import subset
from aeutils.machine import environment, peak_flops, training_flops
from aeutils.mnist import load_mnist
from aeutils.sizes import run_size

from spread import spread  # benchmarks/spread.py, beside this file

TARGET = 0.10  # test binary cross-entropy
RECIPES = {  # model: recipe: settings; the book's are those its chapters train with
    "dense": {
        "classic": dict(batch_size=256, learning_rate=1e-3, epochs=50, decay=False,
                        steps_per_execution=1),
        "book": dict(batch_size=32, learning_rate=1e-3, epochs=15, decay=True,
                     steps_per_execution=64),
    },
    "convolutional": {
        "classic": dict(batch_size=128, learning_rate=1e-3, epochs=50, decay=False,
                        steps_per_execution=1),
        "book": dict(batch_size=32, learning_rate=2e-3, epochs=20, decay=True,
                     steps_per_execution=64),
    },
}
# Small batches make four to eight times the updates per epoch; for models this small, each
# batch costs more in overhead than in arithmetic, which 64 batches per call to the compiled
# step cut (see benchmarks/epoch_time.py). XLA did not help at batch 32 on a CPU, and slowed
# the convolutional model down. The convolutional model learns slowly: at 1e-3 it needed
# more epochs to reach 0.10.


class TestLoss(keras.callbacks.Callback):
    """Times each epoch's training, then measures the test loss outside the timing."""

    def __init__(self, x_test):
        super().__init__()
        self.x_test, self.seconds, self.losses = x_test, [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)
        predicted = self.model.predict(self.x_test, batch_size=1024, verbose=0)
        loss = keras.losses.binary_crossentropy(self.x_test, predicted)
        self.losses.append(float(np.mean(keras.ops.convert_to_numpy(loss))))
        logs["test_loss"] = self.losses[-1]
        print(
            f"  epoch {epoch + 1}: {self.seconds[-1]:.1f} s, test loss {self.losses[-1]:.4f}",
            flush=True,
        )


def run(model_name, recipe, x_train, x_test, size):
    """Train one model with one recipe; return its measurements."""
    settings = RECIPES[model_name][recipe]
    keras.utils.set_random_seed(0)
    model, _, _ = KINDS[model_name].build()
    shape = (-1, *model.input_shape[1:])  # the model's own input layout
    x_train, x_test = x_train.reshape(shape), x_test.reshape(shape)
    epochs = size.epochs(settings["epochs"])
    steps = epochs * int(np.ceil(len(x_train) / settings["batch_size"]))
    rate = settings["learning_rate"]
    if settings["decay"]:
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(rate), loss="binary_crossentropy",
                  steps_per_execution=settings["steps_per_execution"])
    clock = TestLoss(x_test)
    print(f"{model_name}, {recipe} recipe: {settings}", flush=True)
    model.fit(
        x_train,
        x_train,
        epochs=epochs,
        batch_size=settings["batch_size"],
        shuffle=True,
        callbacks=[clock],
        verbose=0,
    )
    elapsed = np.cumsum(clock.seconds)
    reached = [i for i, loss in enumerate(clock.losses) if loss <= TARGET]
    per_epoch = float(np.median(clock.seconds))
    return {
        "settings": settings,
        "epochs_run": len(clock.losses),
        "test_losses": clock.losses,
        "epoch_seconds": clock.seconds,
        "final_test_loss": clock.losses[-1],
        "seconds_to_target": float(elapsed[reached[0]]) if reached else None,
        "epoch_of_target": reached[0] + 1 if reached else None,
        "total_seconds": float(elapsed[-1]),
        "seconds_per_epoch": per_epoch,
        "samples_per_second": len(x_train) / per_epoch,
        "gflop_per_epoch": training_flops(model, len(x_train)) / 1e9,
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="where to write the results (JSON)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each recipe, in turn (default 3): the ratios are "
                             "reported as median and spread")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        sys.exit(f"--repeats must be at least 1, got {args.repeats}")
    load = os.getloadavg()[0]  # 1-minute load average: about 0 on an otherwise idle machine
    size = run_size()
    folder = Path(__file__).resolve().parent.parent / "notebooks" / "results"
    suffix = "" if size.name == "full" else f".{size.name}"
    out = args.out or folder / f"benchmark{suffix}.json"
    if out.is_dir() or not out.parent.is_dir():  # found now, not after the first model trained
        problem = ("is a folder" if out.is_dir() else f"is in {out.parent}, which "
                   + ("is not a folder" if out.parent.exists() else "does not exist"))
        sys.exit(f"--out {out} {problem}: expected the path of a JSON file in an existing folder")
    (x_train, _), (x_test, _) = load_mnist()
    (x_train,) = subset(size.train, x_train)
    (x_test,) = subset(size.test, x_test)
    peak = peak_flops()
    print(f"{environment()}; matrix-product peak {peak / 1e9:.1f} GFLOP/s", flush=True)
    results = {
        "environment": environment(),
        "size": size.name,
        "target_test_loss": TARGET,
        "peak_gflops": peak / 1e9,
        "load_average_at_start": load,
        "repeats": args.repeats,
        "models": {},
    }
    for model_name in RECIPES:
        runs = {recipe: [] for recipe in RECIPES[model_name]}
        for _ in range(args.repeats):  # classic and book in turn, so that drift hits both
            for recipe in runs:
                r = run(model_name, recipe, x_train, x_test, size)
                r["share_of_peak"] = r["gflop_per_epoch"] / r["seconds_per_epoch"] / (peak / 1e9)
                runs[recipe].append(r)
        pairs = list(zip(runs["book"], runs["classic"]))
        reached = all(b["seconds_to_target"] and c["seconds_to_target"] for b, c in pairs)
        runs["comparison"] = {  # the book's recipe against the classic, repeat by repeat
            "time_to_target_ratio": spread([b["seconds_to_target"] / c["seconds_to_target"]
                                            for b, c in pairs]) if reached else None,
            "final_loss_ratio": spread([b["final_test_loss"] / c["final_test_loss"]
                                        for b, c in pairs]),
        }
        results["models"][model_name] = runs
        # after each model, so that nothing is lost; whole or not at all
        storage.write_text(out, json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
