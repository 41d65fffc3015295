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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from primum.inference.engine import card_thresholds  # noqa: E402
from primum.inference.runtimes import open_engine  # noqa: E402
from primum.settings import DEFAULT_RUNTIME  # noqa: E402

BLIND = ROOT / "benchmarks" / "blind"


#: (file, table title, the column that groups its rows)
SETS = (
    ("functional_tests.csv", "functional test", "functionality"),
    ("physician_benign.csv", "physician benign text", "kind"),
    ("counter_speech.csv", "counter-speech and look-alikes", "kind"),
    ("antisemitism.csv", "antisemitism and its look-alikes", "functionality"),
    ("mockery.csv", "mockery of colleagues and its look-alikes", "kind"),
    ("group_violence.csv", "violence against a group and its look-alikes (held out)", "kind"),
    ("group_violence_seen.csv", "violence against a group, first set (seen while writing the list)", "kind"),
    ("told_to_die.csv", "told to die and its look-alikes (held out)", "kind"),
    ("slurs.csv", "slurs for people and their look-alikes (3 kind rows read)", "kind"),
    ("told_to_die_seen.csv", "told to die, first set (seen while widening the list)", "kind"),
)


def _group(row: dict[str, str], column: str) -> str:
    """A row's group: its ``column``, with its label when the set has one."""
    return f"{row[column]} (label {row['label']})" if "label" in row else row[column]


def _table(title: str, rows: list[dict[str, str]], group_of: Any, engine: Any, threshold: float) -> None:
    """Score ``rows`` and print the share flagged per group (``group_of(row)``) and over all rows."""
    groups: dict[str, list[float]] = defaultdict(list)
    for row, raw in zip(rows, engine.predict_many([r["text"] for r in rows]), strict=True):
        groups[group_of(row)].append(raw.score)
        groups["all" if "label" not in row else f"all label {row['label']}"].append(raw.score)
    print(f"\n| {title} | n | flagged |\n|---|---|---|")
    for name, scores in sorted(groups.items()):
        print(f"| {name} | {len(scores)} | {100 * sum(s >= threshold for s in scores) / len(scores):.1f}% |")


def main() -> int:
    """Score every set and print one table each."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    engine, card = open_engine(threads=2, runtime=DEFAULT_RUNTIME)
    threshold = card_thresholds(card, DEFAULT_RUNTIME).nudge
    print(f"{card['version']} on {DEFAULT_RUNTIME}, nudge {threshold}")
    for file, title, group in SETS:
        with (BLIND / file).open(encoding="utf-8", newline="") as handle:
            _table(title, list(csv.DictReader(handle)), lambda r, g=group: _group(r, g), engine, threshold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
