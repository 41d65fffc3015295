"""Threshold metrics without scikit-learn: ROC AUC, precision/recall/FPR, threshold for a target FPR."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Area under the ROC curve (Mann-Whitney with tie handling); NaN if one class is missing."""
    pairs = sorted(zip(scores, labels, strict=True))
    n_pos = sum(1 for y in labels if y == 1)
    n_neg = len(labels) - n_pos
    if not n_pos or not n_neg:
        return math.nan
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j + 1) / 2  # 1-based average rank of the tie group
        rank_sum += avg_rank * sum(1 for k in range(i, j) if pairs[k][1] == 1)
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


@dataclass(frozen=True)
class AtThreshold:
    """Confusion-matrix rates at one threshold (flag when score >= threshold)."""

    threshold: float
    precision: float
    recall: float
    fpr: float
    n_pos: int
    n_neg: int


def at_threshold(labels: Sequence[int], scores: Sequence[float], threshold: float) -> AtThreshold:
    """Precision, recall and false-positive rate when flagging at ``threshold``."""
    tp = sum(1 for y, s in zip(labels, scores, strict=True) if y == 1 and s >= threshold)
    fp = sum(1 for y, s in zip(labels, scores, strict=True) if y == 0 and s >= threshold)
    n_pos = sum(1 for y in labels if y == 1)
    n_neg = len(labels) - n_pos
    return AtThreshold(
        threshold=threshold,
        precision=tp / (tp + fp) if tp + fp else math.nan,
        recall=tp / n_pos if n_pos else math.nan,
        fpr=fp / n_neg if n_neg else math.nan,
        n_pos=n_pos,
        n_neg=n_neg,
    )


def flag_rate(scores: Sequence[float], threshold: float) -> float:
    """Fraction of scores at or above the threshold."""
    return sum(1 for s in scores if s >= threshold) / len(scores) if scores else math.nan


def threshold_for_fpr(negative_scores: Sequence[float], target_fpr: float) -> float:
    """Lowest threshold whose false-positive rate on these negatives is at most ``target_fpr``."""
    ranked = sorted(negative_scores, reverse=True)
    allowed = math.floor(target_fpr * len(ranked) + 1e-9)
    if allowed >= len(ranked):
        return 0.0
    # flag strictly above the (allowed+1)-th highest negative
    return min(1.0, math.nextafter(ranked[allowed], math.inf))
