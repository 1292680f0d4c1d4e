"""Run sizes: full-size training for the book, a smoke size for CI."""

import os
from dataclasses import dataclass

SMOKE_VARIABLE = "AEUTILS_SMOKE"


@dataclass(frozen=True)
class RunSize:
    """How much data and how many epochs a notebook uses.

    ``train`` and ``test`` cap the number of images (``None``: all of them);
    ``max_epochs`` caps the epochs a chapter asks for (``None``: no cap).
    """

    name: str
    train: int | None
    test: int | None
    max_epochs: int | None

    def epochs(self, full):
        """The number of epochs to train for when a full run uses ``full``."""
        return full if self.max_epochs is None else min(full, self.max_epochs)


FULL = RunSize("full", train=None, test=None, max_epochs=None)
SMOKE = RunSize("smoke", train=512, test=256, max_epochs=2)


def run_size():
    """``SMOKE`` when the environment variable ``AEUTILS_SMOKE`` is ``1``, else ``FULL``."""
    value = os.environ.get(SMOKE_VARIABLE, "0")
    if value not in ("0", "1"):
        raise ValueError(f"{SMOKE_VARIABLE} must be 0 or 1, got {value!r}")
    return SMOKE if value == "1" else FULL
