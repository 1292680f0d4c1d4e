"""Run sizes: how much data and how many epochs a notebook uses, chosen by ``AEUTILS_SIZE``.

- ``full`` (the default): all the data and the chapter's number of epochs; ``train`` stores
  the weights and the training curves under ``weights/``, to ship with the book;
- ``smoke``: a few hundred images and at most two epochs, for the tests;
- ``shipped``: all the data, but ``train`` loads the weights the book ships instead of
  training, so every figure comes out as in the book in seconds.
"""

import os
from dataclasses import dataclass

from aeutils.checks import check_count, env_variable

VARIABLE = "AEUTILS_SIZE"


@dataclass(frozen=True)
class RunSize:
    """How much data and how many epochs a notebook uses: ``train`` and ``test`` cap the
    images, ``max_epochs`` the epochs a chapter asks for (``None``: no cap)."""

    name: str
    train: int | None
    test: int | None
    max_epochs: int | None

    def epochs(self, full):
        """The number of epochs to train for when a full run uses ``full``."""
        check_count(full, "full")
        return full if self.max_epochs is None else min(full, self.max_epochs)


FULL = RunSize("full", train=None, test=None, max_epochs=None)
SMOKE = RunSize("smoke", train=512, test=256, max_epochs=2)
SHIPPED = RunSize("shipped", train=None, test=None, max_epochs=None)
SIZES = {size.name: size for size in (FULL, SMOKE, SHIPPED)}


def run_size():
    """The run size that ``AEUTILS_SIZE`` names (``full`` where it is unset or blank)."""
    for old in ("AEUTILS_SMOKE", "AEUTILS_SHIPPED"):  # the variables of aeutils 0.4.0
        if env_variable(old) not in (None, "0"):
            raise ValueError(f"{old} is gone: set {VARIABLE}={old.split('_')[1].lower()} "
                             f"instead, and unset {old}")
    name = env_variable(VARIABLE) or "full"
    if name not in SIZES:
        raise ValueError(f"{VARIABLE} must be one of {', '.join(SIZES)} (or unset), "
                         f"got {os.environ[VARIABLE]!r}")
    return SIZES[name]
