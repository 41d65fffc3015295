"""The target metrics on the dev split (never trained on), and the shipped-threshold choice."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from primum.inference.protocol import ACTIONABLE_CATEGORIES
from primum.training.augment import VARIANTS, evasion_variants
from primum.training.metrics import at_threshold, flag_rate, roc_auc, threshold_for_fpr
from primum.training.real_data import REAL_SOURCE_NAMES
from primum.training.real_report import format_real, real_report, real_targets_met
from primum.training.rows import LABELS, Example

Predict = Callable[[Sequence[str]], list[float]]

#: Benign groups of our own dev rows and the FPR each must stay under (the issue's targets).
FPR_TARGETS = {"clinical": 0.02, "civil": 0.03, "identity_statement_madlibs": 0.02, "counter_speech": 0.05}
CIVIL_KINDS = {"civil_disagreement", "blunt_disagreement"}
#: How ``targets_met`` names each FPR target (the names the model card has always used).
TARGET_LABELS = {"fpr_clinical": "clinical", "fpr_civil": "civil", "identity_statements": "identity_statement_madlibs",
                 "counter_speech": "counter_speech"}


def category_of(row: Example) -> str:
    """The actionable category a labelled-unkind own row belongs to ("none" if benign or unknown)."""
    for name, value in zip(LABELS[1:], row.targets[1:], strict=True):
        if name in ACTIONABLE_CATEGORIES and value == 1.0:
            return name
    return "none"


def benign_groups(rows: Sequence[Example], scores: Sequence[float]) -> dict[str, list[float]]:
    """Dev negatives grouped the way the targets are stated."""
    groups: dict[str, list[float]] = {}
    for row, score in zip(rows, scores, strict=True):
        if row.unkind != 0.0:
            continue
        if row.source == "own":
            kind = "civil" if row.kind in CIVIL_KINDS else row.kind
            groups.setdefault(kind, []).append(score)
            groups.setdefault("own_all_benign", []).append(score)
        elif row.source == "madlibs":
            groups.setdefault("identity_statement_madlibs", []).append(score)
        else:
            groups.setdefault(f"{row.source}_negative", []).append(score)
    return groups


#: Recall each actionable category must reach at the nudge threshold (the issue's target).
RECALL_TARGET = 0.85

#: All our benign dev rows together (friendly, venting, counter-speech ... as well as the targeted
#: groups) stay under the strictest target, so no untargeted kind of kind message pays for recall.
ALL_BENIGN_FPR = 0.02


def choose_thresholds(
    groups: dict[str, list[float]], margin: float = 0.75, extra_targets: dict[str, float] | None = None
) -> dict[str, float]:
    """Nudge: the lowest threshold keeping every targeted group under ``margin`` x its FPR target
    and our benign rows overall under ``ALL_BENIGN_FPR``. Hide: far stricter, ~0 FPR on all benign text.

    ``extra_targets``: more group names and their FPR ceilings (the real sources' calib rows).
    """
    targets = {**FPR_TARGETS, **(extra_targets or {})}
    candidates = [
        threshold_for_fpr(groups[name], target * margin) for name, target in targets.items() if name in groups
    ]
    if "own_all_benign" in groups:
        candidates.append(threshold_for_fpr(groups["own_all_benign"], ALL_BENIGN_FPR))
    nudge = max([0.5, *candidates])
    everything = [s for scores in groups.values() for s in scores]
    hide = max(nudge + 0.6 * (1.0 - nudge), threshold_for_fpr(everything, 0.001))
    # round up, never down: rounding down could let one more benign score through
    return {"nudge": math.ceil(nudge * 10_000) / 10_000, "hide": math.ceil(min(hide, 0.995) * 10_000) / 10_000}


def dev_report(
    rows: Sequence[Example],
    predict: Predict,
    nudge: float,
    hide: float | None,
    seed: int = 0,
    scores: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Every target metric on the dev rows at the given thresholds."""
    dev = [r for r in rows if r.split == "dev" and r.unkind is not None]
    dev_scores = list(scores) if scores is not None else predict([r.text for r in dev])
    labels = [int(r.unkind or 0) for r in dev]
    report: dict[str, Any] = {"n_dev": len(dev), "thresholds": {"nudge": nudge, "hide": hide}}
    report["auc_all_dev"] = roc_auc(labels, dev_scores)
    own = [(r, s) for r, s in zip(dev, dev_scores, strict=True) if r.source == "own"]
    report["auc_own_dev"] = roc_auc([int(r.unkind or 0) for r, _ in own], [s for _, s in own])
    for source in ("convabuse", "toxigen", "madlibs", "davidson"):
        pairs = [(r, s) for r, s in zip(dev, dev_scores, strict=True) if r.source == source]
        if pairs:
            ys, ss = [int(r.unkind or 0) for r, _ in pairs], [s for _, s in pairs]
            m = at_threshold(ys, ss, nudge)
            report[f"{source}_dev"] = {"auc": roc_auc(ys, ss), "recall": m.recall, "fpr": m.fpr, "n": len(pairs)}
    groups = benign_groups(dev, dev_scores)
    report["fpr"] = {name: {"fpr": flag_rate(s, nudge), "n": len(s)} for name, s in sorted(groups.items())}
    if hide is not None:
        report["fpr_at_hide"] = {name: flag_rate(s, hide) for name, s in sorted(groups.items())}
    own_unkind = [(r, s) for r, s in own if r.unkind == 1.0]
    recall: dict[str, Any] = {}
    for cat in ACTIONABLE_CATEGORIES:
        cs = [s for r, s in own_unkind if category_of(r) == cat]
        recall[cat] = {"recall": flag_rate(cs, nudge), "n": len(cs)}
    all_unkind = [s for _, s in own_unkind]
    recall["all"] = {"recall": flag_rate(all_unkind, nudge), "n": len(all_unkind)}
    if hide is not None:
        recall["all_at_hide"] = {"recall": flag_rate(all_unkind, hide), "n": len(all_unkind)}
    report["recall"] = recall
    report["by_file"] = _by_file(own, nudge)
    texts = [r.text for r, _ in own_unkind]
    variants = [evasion_variants(t, seed) for t in texts]
    evasion: dict[str, Any] = {"plain_recall": recall["all"]["recall"]}
    if texts:
        flat = [v[name] for v in variants for name in VARIANTS]
        flat_scores = predict(flat)
        per = {name: flat_scores[i :: len(VARIANTS)] for i, name in enumerate(VARIANTS)}
        evasion.update({name: flag_rate(s, nudge) for name, s in per.items()})
        evasion["all_variants"] = flag_rate(flat_scores, nudge)
        evasion["gap_points"] = 100 * (evasion["plain_recall"] - evasion["all_variants"])
        evasion["worst_gap_points"] = 100 * (evasion["plain_recall"] - min(flag_rate(s, nudge) for s in per.values()))
    report["evasion"] = evasion
    real = [(r, s) for r, s in zip(dev, dev_scores, strict=True) if r.source in REAL_SOURCE_NAMES]
    report["real"] = real_report([r for r, _ in real], [s for _, s in real], nudge)
    report["targets_met"] = {**_targets_met(report), **real_targets_met(report["real"])}
    return report


def _by_file(own: Sequence[tuple[Example, float]], nudge: float) -> dict[str, dict[str, Any]]:
    """Recall per category and civil/clinical FPR for each of our dev files.

    Why: the files were written at different times; the newest, written after all training data,
    is the fairest check, and a model that only does well on the oldest one has not generalised.
    """
    out: dict[str, dict[str, Any]] = {}
    for origin in sorted({r.origin for r, _ in own}):
        pairs = [(r, s) for r, s in own if r.origin == origin]
        entry: dict[str, Any] = {}
        for cat in ACTIONABLE_CATEGORIES:
            cs = [s for r, s in pairs if r.unkind == 1.0 and category_of(r) == cat]
            if cs:
                entry[f"recall_{cat}"] = {"value": flag_rate(cs, nudge), "n": len(cs)}
        for group, kinds in (("civil", CIVIL_KINDS), ("clinical", {"clinical"})):
            gs = [s for r, s in pairs if r.unkind == 0.0 and r.kind in kinds]
            if gs:
                entry[f"fpr_{group}"] = {"value": flag_rate(gs, nudge), "n": len(gs)}
        labels = [int(r.unkind or 0) for r, _ in pairs]
        entry["auc"] = roc_auc(labels, [s for _, s in pairs])
        out[origin] = entry
    return out


def _targets_met(report: dict[str, Any]) -> dict[str, bool]:
    fpr = report["fpr"]

    def ok(value: float, limit: float, upper: bool = True) -> bool:
        return not math.isnan(value) and (value <= limit if upper else value >= limit)

    met = {
        f"{label}<={100 * FPR_TARGETS[group]:.0f}%": ok(fpr.get(group, {}).get("fpr", math.nan), FPR_TARGETS[group])
        for label, group in TARGET_LABELS.items()
    }
    met["evasion_gap<=5pts"] = ok(report["evasion"].get("gap_points", math.nan), 5.0)
    for cat in ACTIONABLE_CATEGORIES:
        recall = report["recall"][cat]["recall"]
        met[f"recall_{cat}>={100 * RECALL_TARGET:.0f}%"] = ok(recall, RECALL_TARGET, upper=False)
    return met


def format_report(report: dict[str, Any]) -> str:
    """Human-readable report for ``primum evaluate --report``."""
    th = report["thresholds"]
    lines = [
        f"dev rows: {report['n_dev']}   thresholds: nudge={th['nudge']} hide={th['hide']}",
        f"ROC AUC: all dev {report['auc_all_dev']:.4f}   own dev {report['auc_own_dev']:.4f}",
        "false-positive rate at nudge (benign dev groups):",
    ]
    for name, v in report["fpr"].items():
        lines.append(f"  {name:<28} {100 * v['fpr']:6.2f}%  (n={v['n']})")
    lines.append("recall at nudge (own dev unkind rows; then per dev file):")
    for name, v in report["recall"].items():
        lines.append(f"  {name:<28} {100 * v['recall']:6.2f}%  (n={v['n']})")
    for origin, entry in report.get("by_file", {}).items():
        parts = [f"AUC {entry['auc']:.4f}"] + [
            f"{name} {100 * v['value']:.1f}% (n={v['n']})" for name, v in entry.items() if name != "auc"
        ]
        lines.append(f"  {origin}: " + ", ".join(parts))
    lines.append("evasion recall at nudge:")
    for name, v in report["evasion"].items():
        unit = " pts" if name.endswith("points") else "%"
        lines.append(f"  {name:<28} {v if unit == ' pts' else 100 * v:6.2f}{unit}")
    for source in ("convabuse", "toxigen", "madlibs", "davidson"):
        if f"{source}_dev" in report:
            v = report[f"{source}_dev"]
            lines.append(
                f"public {source:<10} AUC {v['auc']:.4f} recall {100 * v['recall']:.1f}% FPR {100 * v['fpr']:.1f}%"
                f" (n={v['n']})"
            )
    if "real" in report:
        lines.extend(format_real(report["real"]))
    lines.append("targets:")
    for name, passed in report["targets_met"].items():
        lines.append(f"  [{'x' if passed else ' '}] {name}")
    return "\n".join(lines)
