"""Replay every calibration conversation through the real bot and print the calibration table.

    python benchmarks/replay_conversations.py                    # the shipped model, both splits
    python benchmarks/replay_conversations.py --split dev        # only the dev split
    python benchmarks/replay_conversations.py --scorer fake      # the keyword fake (plumbing check)
    python benchmarks/replay_conversations.py --json out.json    # also every conversation's verdict
    python benchmarks/replay_conversations.py --nudge-threshold 0.75  # a noisier model: is policy still safe?

Each conversation in ``primum/replay/conversations/{calibration,dev}`` is played on a fresh local
Discord and database at its own pace on an injected clock (see ``primum replay``); one model is
loaded and shared. Definitions of the measures are in ``primum/replay/metrics.py``. Targets (issue
14): civil messages nudged <= 3 %; civil conversations with any de-escalation action <= 3 of 30, a
notice at most; civil conversations slowed down or with a member timed out: 0; escalating threads
de-escalated by the expected message: all; uncivil messages nudged (per-author window) >= 90 %.
Civil conversations in which the moderators were told a message may be a threat are counted on
their own row (not de-escalation, but an action on a member all the same).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from primum.app import make_scorer  # noqa: E402
from primum.replay.corpus import SPLITS, batch_of, load_split  # noqa: E402
from primum.replay.metrics import Verdict, table  # noqa: E402
from primum.replay.runner import SharedScorer, replay  # noqa: E402
from primum.settings import load_settings  # noqa: E402


async def run(splits: list[str], backend: str, limit: int | None,
              nudge_threshold: float | None = None) -> dict[str, list[Verdict]]:
    """Replay the splits with one shared scorer; print a line per conversation as it finishes.

    ``nudge_threshold`` replaces the card's cut-off: set below it, the same model flags more civil
    messages, which stress-tests the de-escalation policy on real conversations (civil members must
    still never be slowed down or timed out).
    """
    from primum.replay.metrics import judge

    settings = load_settings(env={})
    settings = replace(settings, model=replace(settings.model, backend=backend))
    if nudge_threshold is not None:
        settings = replace(settings, kindness=replace(settings.kindness, nudge_threshold=nudge_threshold))
    scorer = SharedScorer(make_scorer(settings))
    found: dict[str, list[Verdict]] = {}
    try:
        for split in splits:
            histories = load_split(split)[:limit]
            for history in histories:
                started = time.monotonic()
                result = await replay(history, settings=settings, scorer=scorer)
                verdict = judge(result)
                found.setdefault(split, []).append(verdict)
                steps = ", ".join(f"{k} {v}" for k, v in verdict.deescalation.items() if v) or "none"
                print(f"  {split:11} {history.name:44} civil nudged {len(verdict.civil_nudged)}/"
                      f"{verdict.civil_messages}  uncivil caught {verdict.uncivil_caught}/{verdict.uncivil_messages}"
                      f"  de-escalation: {steps}  ({time.monotonic() - started:.1f} s)", flush=True)
    finally:
        await scorer.shutdown()
    return found


def main() -> int:
    """Parse arguments, replay, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, action="append", help="only this split (repeatable)")
    parser.add_argument("--scorer", choices=("model", "fake"), default="model")
    parser.add_argument("--limit", type=int, default=None, help="at most this many conversations per split")
    parser.add_argument("--json", metavar="FILE", help="write every verdict as JSON")
    parser.add_argument("--nudge-threshold", type=float, default=None,
                        help="replace the card's nudge cut-off (lower: a noisier model, to stress the policy)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    backend = "fake" if args.scorer == "fake" else "default"
    started = time.monotonic()
    found = asyncio.run(run(args.split or list(SPLITS), backend, args.limit, args.nudge_threshold))
    for split, verdicts in found.items():
        cut = f", nudge threshold {args.nudge_threshold}" if args.nudge_threshold is not None else ""
        print(f"\n{split} split: {len(verdicts)} conversations, scorer {args.scorer}{cut}")
        print("| measure | value |\n|---|---|")
        for measure, value in table(verdicts).rows():
            print(f"| {measure} | {value} |")
        _print_batches(split, verdicts)
    print(f"\n{time.monotonic() - started:.0f} s in all")
    if args.json:
        Path(args.json).write_text(json.dumps({split: [v.__dict__ for v in verdicts]
                                               for split, verdicts in found.items()}, indent=1) + "\n")
    return 0


def _print_batches(split: str, verdicts: list[Verdict]) -> None:
    """The same table per writing batch (``batch_of``), one column each, when the split has several."""
    batches: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        batches.setdefault(batch_of(verdict.name), []).append(verdict)
    if len(batches) < 2:
        return
    names = sorted(batches, key=lambda name: (name != "first", name))
    columns = [dict(table(batches[name]).rows(per_kind=False)) for name in names]
    print(f"\n{split} split by batch")
    print("| measure | " + " | ".join(f"{name} ({len(batches[name])})" for name in names) + " |")
    print("|---|" + "---|" * len(names))
    for measure in columns[0]:
        print(f"| {measure} | " + " | ".join(column[measure] for column in columns) + " |")


if __name__ == "__main__":
    sys.exit(main())
