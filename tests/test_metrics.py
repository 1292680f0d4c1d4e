"""Reconstruction metrics."""

import numpy as np
import pytest

from aeutils.metrics import psnr


def test_psnr_of_known_errors():
    clean = np.zeros((2, 28, 28, 1))
    assert psnr(clean, clean + 0.1) == pytest.approx(20.0)  # MSE 0.01 -> 20 dB
    assert psnr(clean, np.stack([clean[0] + 0.1, clean[1] + 0.01])) == pytest.approx(30.0)
    assert psnr(clean.reshape(2, 784), clean + 0.1) == pytest.approx(20.0)  # shapes may differ
    assert psnr(clean, clean) == pytest.approx(120.0)  # capped, not infinite
