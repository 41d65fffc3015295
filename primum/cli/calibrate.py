# ruff: noqa: T201
"""``primum calibrate``: the nudge threshold that meets a target false-positive rate on labelled examples."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from primum.cli.model_inputs import LABELS_HELP, engine, labelled, model_args, model_dir, parse_label, read_csv_any
from primum.cli.support import fail
from primum.settings import DEFAULT_RUNTIME

CALIBRATE_EPILOG = f"""examples:
  primum calibrate labelled.csv --target-fpr 0.02
  primum calibrate labelled.csv --plot calibration.png
  primum calibrate --from-db data/primum.sqlite3   # your moderators' verdicts on "This was a mistake"

labels: {LABELS_HELP}
The output names the threshold; apply it in a server with
  /kind-settings threshold nudge:<value>   or in config: kindness.nudge_threshold = <value>"""


def register(subparsers: Any) -> None:
    """Add ``primum calibrate``."""
    calibrate = subparsers.add_parser(
        "calibrate", help="threshold meeting a target false-positive rate",
        epilog=CALIBRATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    calibrate.add_argument("file", nargs="?",
                           help=f"CSV with text,label (or score,label) columns; labels: {LABELS_HELP}")
    calibrate.add_argument(
        "--from-db", nargs="?", const="", metavar="DATABASE",
        help="use the moderators' verdicts stored in a Primum database (default: bot.database_path) instead "
             "of a CSV: observe mode's Correct/Wrong and the verdicts on 'This was a mistake' reports; "
             "their stored scores and labels, no text needed",
    )
    calibrate.add_argument("--guild", type=int, help="with --from-db: only this server's verdicts")
    calibrate.add_argument("--this-model-only", action="store_true",
                           help="with --from-db: only verdicts on scores from the model in use")
    calibrate.add_argument("--rescore", action="store_true",
                           help="with --from-db: score again, with the model in use, the verdicts whose message "
                                "text was kept (owners opt in with /kind-reports text)")
    calibrate.add_argument("--target-fpr", type=float, default=0.02)
    calibrate.add_argument("--plot", help="write precision/recall/FPR vs threshold to this PNG")
    model_args(calibrate)
    calibrate.set_defaults(func=_calibrate)


def _calibrate(args: argparse.Namespace) -> int:
    from primum.inference.engine import card_thresholds
    from primum.training.metrics import at_threshold, threshold_for_fpr

    from_db = args.from_db is not None
    if bool(args.file) == from_db:
        return fail("calibrate needs a CSV file or --from-db [DATABASE] (one of them)")
    if from_db:
        loaded = _db_examples(args)
        if loaded is None:
            return 2
        labels, scores, card, source = loaded
    else:
        labels, scores, card = _csv_examples(args)
        source = args.file
    if not any(y == 0 for y in labels):
        if from_db:
            print(f"primum: calibration needs verdicts of 'Wrong' (civil) or 'was a mistake' in {source}; "
                  f"{len(labels)} labelled example(s) so far", file=sys.stderr)
        else:
            print(f"primum: calibration needs kind rows (label 0) in {source}; labels: {LABELS_HELP}",
                  file=sys.stderr)
        return 2
    cut = threshold_for_fpr([s for s, y in zip(scores, labels, strict=True) if y == 0], args.target_fpr)
    m = at_threshold(labels, scores, cut)
    shipped = card_thresholds(card, getattr(args, "runtime", None) or DEFAULT_RUNTIME).nudge
    apply = apply_command(cut)
    print(json.dumps({
        "target_fpr": args.target_fpr, "threshold": round(cut, 6), "fpr": m.fpr, "recall": m.recall,
        "precision": m.precision, "n_pos": m.n_pos, "n_neg": m.n_neg, "model_version": card["version"],
        "shipped_threshold": shipped, "apply": apply,
    }))
    if args.plot:
        _plot(labels, scores, cut, args.target_fpr, args.plot, shipped=shipped)
        print(f"wrote {args.plot}", file=sys.stderr)
    print(f"to use this threshold: {apply}", file=sys.stderr)
    return 0


def _csv_examples(args: argparse.Namespace) -> tuple[list[int], list[float], dict[str, Any]]:
    """Labels and scores from a CSV: its ``score`` column when it has no ``text``, else the model's scores."""
    rows = read_csv_any(args.file)
    if rows and "text" not in rows[0] and "score" in rows[0]:
        from primum.inference.engine import read_card

        pairs: list[tuple[int, float]] = []
        for number, row in enumerate(rows, start=2):
            label = parse_label(row.get("label"))
            if label is None or not (row.get("score") or "").strip():
                continue
            try:
                pairs.append((label, float(row["score"])))
            except ValueError:
                raise SystemExit(f"primum: {args.file} line {number}: score {row['score']!r} is not a number") from None
        return [label for label, _ in pairs], [score for _, score in pairs], read_card(model_dir(args))
    texts, labels, _ = labelled(args.file)
    model, card = engine(args)
    return labels, [r.score for r in model.predict_many(texts)], card


def _db_examples(args: argparse.Namespace) -> tuple[list[int], list[float], dict[str, Any], str] | None:
    """Labels and scores from the labelled examples in a Primum database (read only, not migrated)."""
    import asyncio

    from primum.cli.calibration_db import load_labelled
    from primum.inference.engine import read_card
    from primum.storage import DatabaseError

    if args.from_db:
        path = Path(args.from_db)
    else:
        from primum.settings import load_settings

        path = load_settings().database_path
    if not path.is_file():
        print(f"primum: database {path} does not exist", file=sys.stderr)
        return None
    try:
        examples, sources = asyncio.run(load_labelled(path, args.guild))
    except (DatabaseError, RuntimeError) as error:
        print(f"primum: {error}", file=sys.stderr)
        return None
    if args.rescore:
        from primum.cli.calibration_db import rescore

        model, card = engine(args)
        examples, count = rescore(examples, lambda texts: [r.score for r in model.predict_many(texts)],
                                  str(card["version"]))
        print(f"primum: scored {count} verdict(s) again from their kept text", file=sys.stderr)
    card = read_card(model_dir(args))
    version = str(card["version"])
    others = sorted({e.model_version for e in examples if not e.model_version.startswith(version)})
    kept = [e for e in examples if e.model_version.startswith(version)] if args.this_model_only else examples
    if others and not args.this_model_only:
        print(f"primum: some verdicts are on scores from other model versions ({', '.join(others)}); scores of "
              f"different models need not compare (--this-model-only keeps {version}'s)", file=sys.stderr)
    if not kept:
        print(f"primum: {path} holds no verdicts for model {version} yet ({', '.join(sources)})", file=sys.stderr)
        return None
    return [e.label for e in kept], [e.score for e in kept], card, f"{path} ({', '.join(sources)})"


def apply_command(cut: float) -> str:
    """How an owner applies a calibrated nudge threshold: in one server, or for every server."""
    value = f"{cut:.2f}"
    return (f"/kind-settings threshold action:nudge value:{value}  (one server), or "
            f"kindness.nudge_threshold = {value} in your PRIMUM_CONFIG file (every server)")


def _plot(labels: list[int], scores: list[float], cut: float, target: float, path: str, *,
          shipped: float | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from primum.training.metrics import at_threshold

    grid = [i / 200 for i in range(1, 200)]
    ms = [at_threshold(labels, scores, t) for t in grid]
    fig, ax = plt.subplots(figsize=(8, 5.2))
    ax.plot(grid, [m.precision for m in ms], label="precision", linewidth=2)
    ax.plot(grid, [m.recall for m in ms], label="recall", linewidth=2)
    ax.plot(grid, [m.fpr for m in ms], label="false-positive rate", linewidth=2)
    ax.axhline(target, color="grey", linestyle=":", label=f"target FPR {target:g}")
    ax.axvline(cut, color="black", linestyle="--", label=f"calibrated threshold {cut:.2f}")
    if shipped is not None:
        ax.axvline(shipped, color="tab:purple", linestyle="-.", label=f"shipped threshold {shipped:.2f}")
    ax.set_xlabel("nudge threshold (score at or above it is nudged)")
    ax.set_ylabel("rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    # Below the axes, so no curve hides under it.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False)
    ax.set_title(f"be-kind model on your sample: {sum(labels)} unkind, {len(labels) - sum(labels)} kind rows")
    fig.text(0.5, 0.01, f"apply: /kind-settings threshold action:nudge value:{cut:.2f}", ha="center",
             fontsize=9, family="monospace")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)
