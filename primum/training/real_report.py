"""Per-source numbers on real human-written dev rows: benign flag rate, AUC, recall, and flag rate by length.

Why a separate report: the project's own dev files are written the way its training rows are, so a
model can look excellent on them while flagging a third of real benign posts (v6 did). These rows
were never trained on or tuned on (the ``dev`` split of each real source; thresholds come from
``calib``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from primum.training.metrics import flag_rate, roc_auc
from primum.training.rows import Example

#: Benign flag-rate ceiling per real source at the nudge threshold (the issue's targets).
REAL_FPR_TARGETS: dict[str, float] = {
    "goemotions": 0.02,
    "ruddit": 0.02,
    "metooma": 0.02,
    "goemotions_labelled": 0.02,
    "gab_hate_corpus": 0.05,
    "stormfront": 0.05,
    "implicit_hate": 0.10,
    "hatexplain": 0.10,
}
#: Word-count buckets for "does a longer benign message trip more often?"
LENGTH_BUCKETS: tuple[tuple[int, int], ...] = ((0, 10), (10, 25), (25, 60), (60, 10_000))


def _bucket_name(lo: int, hi: int) -> str:
    return f">{lo} words" if hi >= 10_000 else f"{lo}-{hi} words"


def real_report(rows: Sequence[Example], scores: Sequence[float], nudge: float) -> dict[str, Any]:
    """Benign FPR, AUC and recall per source, and benign flag rate by length over all real sources."""
    by_source: dict[str, list[tuple[int, float, int]]] = {}
    for row, score in zip(rows, scores, strict=True):
        if row.unkind is None:
            continue
        by_source.setdefault(row.source, []).append((int(row.unkind), score, len(row.text.split())))
    out: dict[str, Any] = {"sources": {}, "benign_by_length": {}}
    for source, items in sorted(by_source.items()):
        benign = [s for y, s, _ in items if y == 0]
        unkind = [s for y, s, _ in items if y == 1]
        out["sources"][source] = {
            "fpr": flag_rate(benign, nudge),
            "n_benign": len(benign),
            "auc": roc_auc([y for y, _, _ in items], [s for _, s, _ in items]),
            "recall": flag_rate(unkind, nudge),
            "n_unkind": len(unkind),
            "target_fpr": REAL_FPR_TARGETS.get(source, math.nan),
        }
    for lo, hi in LENGTH_BUCKETS:
        bucket = [s for items in by_source.values() for y, s, n in items if y == 0 and (lo < n <= hi or n == lo == 0)]
        out["benign_by_length"][_bucket_name(lo, hi)] = {"fpr": flag_rate(bucket, nudge), "n": len(bucket)}
    return out


def real_targets_met(real: dict[str, Any]) -> dict[str, bool]:
    """One checkbox per source with a benign target."""
    met: dict[str, bool] = {}
    for source, v in real["sources"].items():
        target = v["target_fpr"]
        if not math.isnan(target) and v["n_benign"]:
            met[f"real_{source}_benign<={100 * target:.0f}%"] = v["fpr"] <= target
    return met


def format_real(real: dict[str, Any]) -> list[str]:
    """Lines for the human-readable report."""
    lines = ["real text, dev split (never trained or tuned on): benign flagged at nudge, AUC, recall"]
    for source, v in real["sources"].items():
        target = "" if math.isnan(v["target_fpr"]) else f" (target <= {100 * v['target_fpr']:.0f}%)"
        lines.append(
            f"  {source:<20} benign {100 * v['fpr']:5.1f}% of {v['n_benign']}{target}   AUC {v['auc']:.3f}"
            f"   recall {100 * v['recall']:5.1f}% of {v['n_unkind']}"
        )
    lines.append("real benign flagged by length:")
    for name, v in real["benign_by_length"].items():
        lines.append(f"  {name:<20} {100 * v['fpr']:5.1f}%  (n={v['n']})")
    return lines
