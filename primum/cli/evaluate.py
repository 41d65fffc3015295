# ruff: noqa: T201
"""``primum evaluate``: ROC AUC and the metrics at the shipped thresholds, on your sample or the model card's."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from primum.cli.model_inputs import LABELS_HELP, engine, labelled, model_args, model_dir, read_csv
from primum.cli.support import fail

#: The public datasets ``evaluate --report`` reads (folders under --public-dir).
REPORT_DATASETS = ("convabuse", "toxigen", "jigsaw_bias_madlibs", "davidson")

EVALUATE_EPILOG = f"""examples:
  primum evaluate labelled.csv             # your own sample: text,label[,category]
  primum evaluate --report                 # the model card's targets (needs ../shared/datasets)
  primum evaluate --report --public-dir /data/datasets

labels: {LABELS_HELP}"""


def register(subparsers: Any) -> None:
    """Add ``primum evaluate``."""
    evaluate = subparsers.add_parser(
        "evaluate", help="ROC AUC and metrics at the shipped thresholds",
        epilog=EVALUATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument("file", nargs="?", help=f"CSV with text,label[,category]; labels: {LABELS_HELP}")
    evaluate.add_argument("--report", action="store_true", help="the target metrics on the training dev split")
    evaluate.add_argument("--public-dir", help="public datasets folder for --report")
    evaluate.add_argument(
        "--recalibrate", action="store_true",
        help="with --report: choose the thresholds again on the dev split and rewrite the model card",
    )
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    model_args(evaluate)
    evaluate.set_defaults(func=_evaluate)


def _predict_with_progress(model: Any, texts: list[str], chunk: int = 256) -> list[float]:
    """Scores in chunks, with a progress line on stderr (the dev split takes minutes on a small CPU)."""
    scores: list[float] = []
    started = time.monotonic()
    for start in range(0, len(texts), chunk):
        scores += [s.score for s in model.predict_many(texts[start:start + chunk])]
        done = len(scores)
        elapsed = time.monotonic() - started
        left = elapsed / done * (len(texts) - done)
        print(f"\r  scored {done:,}/{len(texts):,} texts, about {left:.0f} s left   ",
              end="", file=sys.stderr, flush=True)
    if texts:
        print(file=sys.stderr)
    return scores


def _fmt(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.2f}%"


def _evaluate(args: argparse.Namespace) -> int:
    from primum.inference.engine import card_thresholds
    from primum.training.metrics import at_threshold, flag_rate, roc_auc

    if not args.file and not args.report:
        return fail("give a CSV file or --report")
    if args.report:
        from primum.training.rows import DEFAULT_PUBLIC_DIR

        public = Path(args.public_dir) if args.public_dir else DEFAULT_PUBLIC_DIR
        missing = [name for name in REPORT_DATASETS if not (public / name).is_dir()]
        if missing:
            print(f"primum: --report needs the public datasets, and {public} lacks {', '.join(missing)}.\n"
                  "  Put them there (primum/inference/model/MODEL_CARD.md names each one)\n"
                  "  or name the folder that holds them with --public-dir;\n"
                  "  to measure the model on your own sample instead: primum evaluate labelled.csv",
                  file=sys.stderr)
            return 2
    if args.file and not args.report:
        read_csv(args.file)  # a missing or unreadable file is reported before the model loads
    model, card = engine(args)
    th = card_thresholds(card, args.runtime)
    if args.report:
        from primum.training.calibration import dev_rows_for_eval
        from primum.training.report import dev_report, format_report

        print(f"reading the {'calibration' if args.recalibrate else 'dev'} split from {public} …", file=sys.stderr)
        try:
            rows = dev_rows_for_eval(public, calib=bool(args.recalibrate))
        except (FileNotFoundError, KeyError, ValueError) as error:
            return fail(f"could not read the public datasets under {public}: {error}")
        if args.recalibrate:
            from primum.inference.engine import read_card
            from primum.training.calibration import calibrate_and_report

            folder = model_dir(args)
            calibrate_and_report(folder, rows, read_card(folder))
            return 0

        def predict(texts: Iterable[str]) -> list[float]:
            return _predict_with_progress(model, list(texts))

        report = dev_report(rows, predict, th.nudge, th.hide)
        print(json.dumps(report, indent=2) if args.json else format_report(report))
        if not args.file:
            return 0
    texts, labels, cats = labelled(args.file)
    raw = model.predict_many(texts)
    scores = [r.score for r in raw]
    result: dict[str, Any] = {"n": len(texts), "auc": roc_auc(labels, scores)}
    for name, cut in (("nudge", th.nudge), ("hide", th.hide)):
        if cut is None:
            continue
        m = at_threshold(labels, scores, cut)
        result[name] = {"threshold": cut, "precision": m.precision, "recall": m.recall, "fpr": m.fpr}
    result["flag_rate_by_category"] = {
        cat: {"flag_rate": flag_rate([s for s, c in zip(scores, cats, strict=True) if c == cat], th.nudge),
              "n": sum(1 for c in cats if c == cat)}
        for cat in sorted(set(cats))
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{args.file}: {result['n']} rows, ROC AUC {result['auc']:.4f}")
    for name in ("nudge", "hide"):
        if name in result:
            v = result[name]
            print(f"at {name} {v['threshold']}: precision {_fmt(v['precision'])} recall {_fmt(v['recall'])}"
                  f" FPR {_fmt(v['fpr'])}")
    for cat, v in result["flag_rate_by_category"].items():
        print(f"  {cat:<20} flagged {_fmt(v['flag_rate'])} (n={v['n']})")
    return 0
