"""Threshold metrics and the shipped-threshold rule."""

import math

import pytest

from primum.training.metrics import at_threshold, flag_rate, roc_auc, threshold_for_fpr
from primum.training.report import choose_thresholds


@pytest.mark.parametrize(
    ("labels", "scores", "expected"),
    [
        ([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], 1.0),
        ([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1], 0.0),
        ([0, 1], [0.5, 0.5], 0.5),
        ([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], 0.75),
    ],
)
def test_roc_auc(labels, scores, expected) -> None:
    assert roc_auc(labels, scores) == pytest.approx(expected)


def test_roc_auc_single_class_is_nan() -> None:
    assert math.isnan(roc_auc([1, 1], [0.2, 0.3]))


def test_at_threshold() -> None:
    m = at_threshold([1, 1, 0, 0, 0], [0.9, 0.4, 0.6, 0.1, 0.2], 0.5)
    assert m.precision == 0.5
    assert m.recall == 0.5
    assert m.fpr == pytest.approx(1 / 3)


@pytest.mark.parametrize(("target", "flagged"), [(0.0, 0), (0.1, 1), (0.25, 2), (1.0, 10)])
def test_threshold_for_fpr_meets_target(target, flagged) -> None:
    negatives = [i / 10 for i in range(10)]
    cut = threshold_for_fpr(negatives, target)
    assert sum(s >= cut for s in negatives) == flagged
    assert flag_rate(negatives, cut) <= target


def test_choose_thresholds_hide_far_above_nudge() -> None:
    groups = {
        "clinical": [i / 1000 for i in range(100)],
        "civil": [0.2, 0.3, 0.92],
        "own_all_benign": [i / 1000 for i in range(100)] + [0.2, 0.3, 0.92],
    }
    th = choose_thresholds(groups)
    assert th["nudge"] >= 0.5
    assert th["hide"] > th["nudge"]
    assert th["hide"] >= th["nudge"] + 0.5 * (1 - th["nudge"])
