"""Small operations on arrays of images that several chapters share: subsets and noise."""

import numpy as np

from aeutils.checks import check_count, check_images, check_number, check_seed


def subset(n, *arrays):
    """The first ``n`` items of each array (all of them when ``n`` is None).

    The arrays must have the same length, so that images stay with their labels.
    """
    if n is not None:
        check_count(n, "n", minimum=0)
    if not arrays:
        raise ValueError("subset needs at least one array after n")
    for index, a in enumerate(arrays, start=1):
        if isinstance(a, (str, bytes)) or not hasattr(a, "__len__"):
            raise TypeError(f"array {index} after n must be an array or list, "
                            f"got {type(a).__name__} {a!r:.40}")
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"the arrays must have the same length, got lengths {lengths}")
    return tuple(a[:n] for a in arrays)


def add_noise(x, stddev=0.5, seed=0):
    """``x`` plus Gaussian noise of standard deviation ``stddev``, clipped to [0, 1]."""
    x = check_images(x)
    check_number(stddev, "stddev")
    rng = np.random.default_rng(check_seed(seed))
    noisy = x + rng.normal(0.0, stddev, size=x.shape).astype(x.dtype)
    return np.clip(noisy, 0.0, 1.0)
