"""Reconstruction metrics."""

import numpy as np
import pytest

from aeutils.metrics import digits_table, judge_digits, psnr


def test_psnr_of_known_errors():
    clean = np.zeros((2, 28, 28, 1))
    assert psnr(clean, clean + 0.1) == pytest.approx(20.0)  # MSE 0.01 -> 20 dB
    assert psnr(clean, np.stack([clean[0] + 0.1, clean[1] + 0.01])) == pytest.approx(30.0)
    assert psnr(clean.reshape(2, 784), clean + 0.1) == pytest.approx(20.0)  # shapes may differ
    assert psnr(clean, clean) == pytest.approx(120.0)  # capped, not infinite


def test_judge_digits_of_known_verdicts():
    sure, torn = np.eye(10)[[3, 3, 7, 7]], np.full((4, 10), 0.1)  # two digits; no opinion
    verdict = judge_digits(np.concatenate([sure, torn]))
    # torn rows go to digit 0 (argmax of a tie): shares 1/2, 1/4, 1/4 -> entropy 1.5 bits
    assert verdict == {"mean_confidence": pytest.approx(0.55), "confident_share": 0.5,
                       "class_entropy_bits": pytest.approx(1.5), "digits_covered": 3}


@pytest.mark.parametrize(("probabilities", "message"), [
    (np.eye(10)[0], r"probabilities must have shape \(n, 10\), one row of ten per image, got \(10,\)"),
    (np.zeros((0, 10)), r"probabilities must have shape \(n, 10\), one row of ten per image, got \(0, 10\)"),
    (np.eye(10)[[1, 2]] * 3, r"probabilities must be softmax outputs, rows of ten in \[0, 1\] that sum to 1"),
    (np.full((2, 10), np.nan), r"probabilities must be softmax outputs"),
])
def test_judge_digits_refuses_what_is_not_softmax_outputs(probabilities, message):
    with pytest.raises(ValueError, match=message):
        judge_digits(probabilities)


def test_digits_table_shows_the_verdicts_in_the_columns_every_one_holds():
    sure = judge_digits(np.eye(10)[[3, 3, 7, 7]])
    table = digits_table({"asked": {"as_asked": 0.5, **sure}, "drawn": sure})
    assert table.splitlines() == [
        "| images | mean confidence | confidence above 0.9 | entropy of digits (bits) "
        "| digits (1% or more) |",
        "|:--|--:|--:|--:|--:|",
        "| asked | 1.00 | 100% | 1.00 | 2 |",
        "| drawn | 1.00 | 100% | 1.00 | 2 |",
    ]
    both = digits_table({"asked": {"as_asked": 0.5, **sure}}).splitlines()
    assert both[0].startswith("| images | classified as asked | mean confidence |")
    assert both[2] == "| asked | 50.0% | 1.00 | 100% | 1.00 | 2 |"


@pytest.mark.parametrize("verdicts", [{}, [("drawn", {})], {"drawn": 0.5}, {"drawn": {}},
                                      {0: {"mean_confidence": 1.0}}, {"drawn": {"x": 1}}])
def test_digits_table_refuses_what_is_not_judge_digits_verdicts(verdicts):
    with pytest.raises(ValueError, match=r"verdicts must be \{images: judge_digits\(...\)\}"):
        digits_table(verdicts)
