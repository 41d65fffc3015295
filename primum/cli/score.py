# ruff: noqa: T201
"""``primum score``: texts scored by the be-kind model, one JSON line each, with what the bot would do."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from primum.cli.model_inputs import engine, model_args, read_csv
from primum.settings import DEFAULT_RUNTIME

if TYPE_CHECKING:
    from primum.inference.protocol import Thresholds

SCORE_EPILOG = """examples:
  primum score "did they skip pharmacology at your school?" "GSW to the chest"
  echo "rectal exam was guaiac positive" | primum score
  primum score --csv messages.csv > scores.jsonl

"flagged" is what the nudge threshold would do; "hidden" is what the hide threshold would do
and is false while hiding is off (kindness.hide_threshold = "off", the default)."""


def register(subparsers: Any) -> None:
    """Add ``primum score``."""
    score = subparsers.add_parser(
        "score", help="score texts (arguments, --csv, or lines on stdin) as JSON lines",
        description="Score texts with the be-kind model; one JSON object per text.",
        epilog=SCORE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    score.add_argument("texts", nargs="*", metavar="TEXT")
    score.add_argument("--csv", help="CSV file with a 'text' column")
    model_args(score)
    score.set_defaults(func=_score)


def _inputs(args: argparse.Namespace) -> list[str]:
    if args.csv:
        return [r["text"] for r in read_csv(args.csv)]
    if args.texts:
        return list(args.texts)
    if sys.stdin.isatty():
        print("primum score: reading texts from the terminal, one a line; end with Ctrl-D "
              "(or give texts as arguments, --csv FILE, or pipe lines in; see primum score --help)",
              file=sys.stderr)
    return [line.rstrip("\n") for line in sys.stdin if line.strip()]


def _score(args: argparse.Namespace) -> int:
    from primum.inference.engine import card_thresholds
    from primum.inference.runtimes import runtime_version

    texts = _inputs(args)
    model, card = engine(args)
    runtime = getattr(args, "runtime", DEFAULT_RUNTIME)
    nudge, hide = configured_thresholds(card_thresholds(card, runtime))
    version = runtime_version(str(card["version"]), runtime)
    for raw in model.predict_many(texts, batch_size=32):
        print(json.dumps({
            "score": round(raw.score, 6),
            "categories": {k: round(v, 6) for k, v in raw.categories.items()},
            "flagged": raw.score >= nudge,
            "hidden": hide is not None and raw.score >= hide,
            "model_version": version,
        }))
    return 0


def configured_thresholds(card: Thresholds) -> tuple[float, float | None]:
    """The nudge and hide cut-offs the bot would use: config over the model card; hide is None while off."""
    try:
        from primum.settings import load_settings

        kindness = load_settings().kindness
    except Exception:  # no or broken config: the shipped defaults (nudge from the card, hiding off)
        return float(card.nudge), None
    nudge = card.nudge if kindness.nudge_threshold is None else kindness.nudge_threshold
    return float(nudge), kindness.hide_threshold
