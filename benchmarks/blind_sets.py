"""Flag rates of the shipped model on the blind evaluation sets (``benchmarks/blind/``).

    python benchmarks/blind_sets.py    # the shipped model at its own nudge threshold (about 1 minute)

The sets were written by people shown no model output (see ``benchmarks/blind/README.md``); they
are measured, never trained or tuned on. Prints, per functionality and per kind of physician text,
the share of messages that would be nudged.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from primum.inference.engine import card_thresholds  # noqa: E402
from primum.inference.runtimes import open_engine  # noqa: E402
from primum.settings import DEFAULT_RUNTIME  # noqa: E402

BLIND = ROOT / "benchmarks" / "blind"


def _rates(groups: dict[str, list[float]], threshold: float) -> dict[str, tuple[int, float]]:
    return {name: (len(s), sum(v >= threshold for v in s) / len(s)) for name, s in sorted(groups.items()) if s}


def main() -> int:
    """Score both sets and print one table each."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    engine, card = open_engine(threads=2, runtime=DEFAULT_RUNTIME)
    threshold = card_thresholds(card, DEFAULT_RUNTIME).nudge
    functional = list(csv.DictReader((BLIND / "functional_tests.csv").open(encoding="utf-8", newline="")))
    physician = list(csv.DictReader((BLIND / "physician_benign.csv").open(encoding="utf-8", newline="")))
    print(f"{card['version']} on {DEFAULT_RUNTIME}, nudge {threshold}\n")
    scores = [s.score for s in engine.predict_many([r["text"] for r in functional])]
    groups: dict[str, list[float]] = defaultdict(list)
    for row, score in zip(functional, scores, strict=True):
        groups[f"{row['functionality']} (label {row['label']})"].append(score)
        groups[f"all label {row['label']}"].append(score)
    print("| functional test | n | flagged |\n|---|---|---|")
    for group, (n, rate) in _rates(groups, threshold).items():
        print(f"| {group} | {n} | {100 * rate:.1f}% |")
    scores = [s.score for s in engine.predict_many([r["text"] for r in physician])]
    groups = defaultdict(list)
    for row, score in zip(physician, scores, strict=True):
        groups[row["kind"]].append(score)
        groups["all"].append(score)
    print("\n| physician benign text | n | flagged |\n|---|---|---|")
    for group, (n, rate) in _rates(groups, threshold).items():
        print(f"| {group} | {n} | {100 * rate:.1f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
