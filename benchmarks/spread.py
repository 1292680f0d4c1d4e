"""What the benchmarks report of repeated measurements: ``spread``."""

import numpy as np


def spread(values):
    """The values, their median, smallest and largest (None if any run measured nothing)."""
    if any(value is None for value in values):
        return None
    return {"values": values, "median": float(np.median(values)), "min": min(values),
            "max": max(values)}
