"""Keras' three backends side by side: the same models, recipe and machine, in one run.

    .venv/bin/python benchmarks/backends.py                     # full size, 3 repeats: about 20 minutes, 2 cores
    AEUTILS_SIZE=smoke .venv/bin/python benchmarks/backends.py  # a check that everything runs

It trains the first epochs of chapter 1's dense and chapter 4's convolutional autoencoder
exactly as the chapters do (the book's recipe, through ``aeutils.training.train``, with the
test loss measured by ``fit`` after every epoch) on TensorFlow, JAX and PyTorch. Each run is a
fresh Python process, since Keras picks its backend when it is first imported; the backends
take turns within each repeat, so that a slow spell of the machine hits all of them. It writes
``notebooks/results/backends.json`` (``backends.smoke.json`` at smoke size): for each model
and backend, every repeat's epoch times and test losses, the seconds to a test loss of 0.10,
and the medians with their spread.
"""

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from spread import spread  # benchmarks/spread.py, beside this file

BACKENDS = ("tensorflow", "jax", "torch")
TARGET = 0.10  # test binary cross-entropy, as in benchmarks/recipes.py
RECIPES = {  # the chapters' settings; the cosine runs over the chapter's whole run
    "dense": dict(learning_rate=1e-3, epochs=15, batch_size=32),  # chapter 1
    "convolutional": dict(learning_rate=2e-3, epochs=20, batch_size=32),  # chapter 4
}
EPOCHS = 4  # trained of each run: past the target on TensorFlow, and three epochs after the first
RESULT = "result: "  # how a run's process marks its one line of JSON


def one_run(model_name):
    """Train ``model_name`` on this process's backend; print its measurements as JSON."""
    import keras

    from aeutils.chapters import KINDS
    from aeutils.data import subset
    from aeutils.machine import environment
    from aeutils.mnist import load_mnist
    from aeutils.recipes import cosine_adam, steps_per_call
    from aeutils.sizes import run_size
    from aeutils.training import train

    settings, size = RECIPES[model_name], run_size()
    (x_train, _), (x_test, _) = load_mnist()
    (x_train,) = subset(size.train, x_train)
    (x_test,) = subset(size.test, x_test)
    keras.utils.set_random_seed(0)
    model, _, _ = KINDS[model_name].build()
    shape = (-1, *model.input_shape[1:])  # the model's own input layout
    x_train, x_test = x_train.reshape(shape), x_test.reshape(shape)
    steps = math.ceil(len(x_train) / settings["batch_size"])
    model.compile(optimizer=cosine_adam(settings["learning_rate"],
                                        size.epochs(settings["epochs"]), steps),
                  loss="binary_crossentropy", steps_per_execution=steps_per_call())
    history = train(model, x_train, epochs=size.epochs(EPOCHS),
                    batch_size=settings["batch_size"], validation_data=(x_test, x_test))
    seconds, losses = history.history["seconds"], history.history["val_loss"]
    reached = [epoch for epoch, loss in enumerate(losses) if loss <= TARGET]
    print(RESULT + json.dumps({
        "environment": environment(),
        "steps_per_execution": steps_per_call(),
        "epoch_seconds": seconds,
        "test_losses": losses,
        "first_epoch_seconds": seconds[0],  # with tracing and compiling the training step
        "seconds_per_epoch": float(np.median(seconds[1:] or seconds)),  # after the first
        "seconds_to_target": float(np.sum(seconds[:reached[0] + 1])) if reached else None,
        "epoch_of_target": reached[0] + 1 if reached else None,
    }), flush=True)


def run_in_new_process(backend, model_name):
    """One run of ``model_name`` on ``backend``, in a fresh Python; its measurements."""
    done = subprocess.run([sys.executable, __file__, "--one", model_name],
                          env={**os.environ, "KERAS_BACKEND": backend},
                          capture_output=True, text=True)
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        sys.exit(f"{model_name} on {backend} failed:\n{done.stderr}")
    return json.loads(done.stdout.rpartition(RESULT)[2])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="where to write the results (JSON)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each model on each backend, in turn (default 3)")
    parser.add_argument("--one", choices=RECIPES, help=argparse.SUPPRESS)  # a run's process
    args = parser.parse_args(argv)
    if args.one:
        return one_run(args.one)
    if args.repeats < 1:
        sys.exit(f"--repeats must be at least 1, got {args.repeats}")
    from aeutils import storage
    from aeutils.sizes import run_size

    size = run_size().name  # refuses a run size it does not know, before any training
    folder = Path(__file__).resolve().parent.parent / "notebooks" / "results"
    out = args.out or folder / ("backends.json" if size == "full" else f"backends.{size}.json")
    if out.is_dir() or not out.parent.is_dir():  # found now, not after the first run
        sys.exit(f"--out {out}: expected the path of a JSON file in an existing folder")
    load = os.getloadavg()[0]  # 1-minute load average: about 0 on an otherwise idle machine
    runs = {model: {backend: [] for backend in BACKENDS} for model in RECIPES}
    for _ in range(args.repeats):
        for model_name in RECIPES:
            for backend in BACKENDS:
                print(f"{model_name} on {backend}", flush=True)
                runs[model_name][backend].append(run_in_new_process(backend, model_name))
    results = {
        "size": size,
        "target_test_loss": TARGET,
        "epochs": EPOCHS,
        "recipes": RECIPES,
        "repeats": args.repeats,
        "load_average_at_start": load,
        "models": {model: {backend: {
            "runs": model_runs,
            "seconds_per_epoch": spread([r["seconds_per_epoch"] for r in model_runs]),
            "first_epoch_seconds": spread([r["first_epoch_seconds"] for r in model_runs]),
            "seconds_to_target": spread([r["seconds_to_target"] for r in model_runs]),
        } for backend, model_runs in by_backend.items()} for model, by_backend in runs.items()},
    }
    storage.write_text(out, json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
