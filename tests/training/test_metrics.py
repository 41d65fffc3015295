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


def test_dev_report_breaks_recall_and_fpr_down_by_dev_file() -> None:
    from primum.training.report import dev_report, format_report
    from primum.training.rows import Example
    from primum.training.rows import make_targets as _targets

    def row(text: str, unkind: float, kind: str, origin: str, **cats: float) -> Example:
        return Example(text, _targets(unkind, prof=0.0, **cats), "own", kind, "dev", 3.0, origin)

    rows = [
        row("old belittle caught", 1.0, "belittling", "kindness_unkind", belittling=1.0),
        row("old belittle caught too", 1.0, "belittling", "kindness_unkind", belittling=1.0),
        row("old civil", 0.0, "civil_disagreement", "kindness_benign"),
        row("new belittle caught", 1.0, "belittling", "kindness_dev3", belittling=1.0),
        row("new belittle missed", 1.0, "belittling", "kindness_dev3", belittling=1.0),
        row("new civil flagged", 0.0, "blunt_disagreement", "kindness_dev3"),
        row("new clinical", 0.0, "clinical", "kindness_dev3"),
    ]
    scores = {"missed": 0.1, "flagged": 0.9, "civil": 0.2, "clinical": 0.05}

    def predict(texts):
        return [next((v for k, v in scores.items() if k in t), 0.95) for t in texts]

    report = dev_report(rows, predict, nudge=0.5, hide=0.99)
    new = report["by_file"]["kindness_dev3"]
    assert new["recall_belittling"] == {"value": 0.5, "n": 2}
    assert new["fpr_civil"] == {"value": 1.0, "n": 1}
    assert new["fpr_clinical"] == {"value": 0.0, "n": 1}
    assert report["by_file"]["kindness_unkind"]["recall_belittling"] == {"value": 1.0, "n": 2}
    assert report["recall"]["belittling"]["recall"] == 0.75
    assert "kindness_dev3: AUC" in format_report(report)


def test_all_benign_rows_together_bound_the_nudge_threshold() -> None:
    from primum.training.report import ALL_BENIGN_FPR

    # the targeted groups alone would allow 0.5; 5 of 200 friendly/venting rows score high
    groups = {
        "clinical": [0.1] * 100,
        "civil": [0.1] * 100,
        "own_all_benign": [0.1] * 195 + [0.6, 0.7, 0.8, 0.9, 0.95],
    }
    nudge = choose_thresholds(groups)["nudge"]
    assert flag_rate(groups["own_all_benign"], nudge) <= ALL_BENIGN_FPR
    assert flag_rate(groups["own_all_benign"], nudge - 0.01) > ALL_BENIGN_FPR  # the lowest such threshold


def test_counter_speech_is_held_to_its_target_like_the_other_benign_groups() -> None:
    # 6 of 100 counter-speech rows score 0.9: over 0.75 x 5%, so the threshold must clear them
    groups = {"clinical": [0.1] * 100, "civil": [0.1] * 100, "counter_speech": [0.1] * 94 + [0.9] * 6}
    nudge = choose_thresholds(groups)["nudge"]
    assert nudge > 0.9
    assert flag_rate(groups["counter_speech"], nudge) <= 0.75 * 0.05
    assert choose_thresholds({k: v for k, v in groups.items() if k != "counter_speech"})["nudge"] < 0.9
