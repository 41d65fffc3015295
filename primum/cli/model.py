# ruff: noqa: T201
"""Model subcommands for the ``primum`` console script: train, score, evaluate, calibrate, bench.

Everything heavy is imported inside the handlers so ``primum --help`` and the bot stay fast.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import math
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from primum.settings import MODEL_RUNTIMES

if TYPE_CHECKING:
    from primum.inference.protocol import Thresholds
    from primum.training.train import TrainConfig

RUNTIME_HELP = "torch: int8 linears (default); torch-fp32: full precision; onnx: optional int8 ONNX Runtime"

#: Label spellings accepted in a labelled CSV (case-insensitive).
UNKIND_LABELS = frozenset({"1", "yes", "y", "true", "t", "unkind", "flag", "flagged", "positive", "pos"})
KIND_LABELS = frozenset({"0", "no", "n", "false", "f", "kind", "ok", "benign", "negative", "neg"})
LABELS_HELP = "unkind = 1/yes/true/unkind, kind = 0/no/false/kind"
#: The public datasets ``evaluate --report`` reads (folders under --public-dir).
REPORT_DATASETS = ("convabuse", "toxigen", "jigsaw_bias_madlibs", "davidson")

SCORE_EPILOG = """examples:
  primum score "did they skip pharmacology at your school?" "GSW to the chest"
  echo "rectal exam was guaiac positive" | primum score
  primum score --csv messages.csv > scores.jsonl

"flagged" is what the nudge threshold would do; "hidden" is what the hide threshold would do
and is false while hiding is off (kindness.hide_threshold = "off", the default)."""
EVALUATE_EPILOG = f"""examples:
  primum evaluate labelled.csv             # your own sample: text,label[,category]
  primum evaluate --report                 # the model card's targets (needs ../shared/datasets)
  primum evaluate --report --public-dir /data/datasets

labels: {LABELS_HELP}"""
CALIBRATE_EPILOG = f"""examples:
  primum calibrate labelled.csv --target-fpr 0.02
  primum calibrate labelled.csv --plot calibration.png
  primum calibrate --from-db data/primum.sqlite3   # your moderators' verdicts on "This was a mistake"

labels: {LABELS_HELP}
The output names the threshold; apply it in a server with
  /kind-settings threshold nudge:<value>   or in config: kindness.nudge_threshold = <value>"""

def register(subparsers: Any) -> None:
    """Add the model subcommands to the main parser."""
    train = subparsers.add_parser("train", help="fine-tune the be-kind model (CPU, seeded, < 30 min)")
    train.add_argument("--public-dir", help="public datasets folder (default: ../shared/datasets from the repo)")
    train.add_argument("--data-dir", help="folder of kindness_*.csv files (default: primum/training/data)")
    train.add_argument("--out", help="where to write the model (default: primum/inference/model)")
    train.add_argument("--steps", type=int, help="optimizer steps (default: the shipped model's)")
    train.add_argument("--batch-size", type=int, help="rows per step (default: the shipped model's)")
    train.add_argument("--seed", type=int, help="random seed (default: the shipped model's)")
    train.add_argument("--threads", type=int, help="CPU threads (default 2)")
    train.set_defaults(func=_train)

    score = subparsers.add_parser(
        "score", help="score texts (arguments, --csv, or lines on stdin) as JSON lines",
        description="Score texts with the be-kind model; one JSON object per text.",
        epilog=SCORE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    score.add_argument("texts", nargs="*", metavar="TEXT")
    score.add_argument("--csv", help="CSV file with a 'text' column")
    _model_args(score)
    score.set_defaults(func=_score)

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
    _model_args(evaluate)
    evaluate.set_defaults(func=_evaluate)

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
    _model_args(calibrate)
    calibrate.set_defaults(func=_calibrate)

    bench = subparsers.add_parser("bench", help="throughput, latency and memory on this machine")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument("--threads", type=int, default=None, help="torch threads (default: model.threads)")
    bench.add_argument("--burst-seconds", type=float, default=10.0, help="length of the 20 msg/s burst")
    bench.add_argument("--rate", type=float, default=20.0, help="messages per second in the burst")
    bench.add_argument("--no-reference", action="store_true", help="skip the BERT-base comparison")
    bench.add_argument("--update-card", action="store_true", help="record the result in card.json and MODEL_CARD.md")
    bench.add_argument("--model-dir", help="model folder (default: the shipped model)")
    bench.add_argument("--runtime", choices=MODEL_RUNTIMES, default="torch", help=RUNTIME_HELP)
    bench.set_defaults(func=_bench)


def _model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model-dir", help="model folder (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--runtime", choices=MODEL_RUNTIMES, default="torch", help=RUNTIME_HELP)


def _engine(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from primum.inference.engine import MODEL_DIR

    model_dir = Path(args.model_dir) if getattr(args, "model_dir", None) else MODEL_DIR
    return _load_engine(str(model_dir.resolve()), int(args.threads), getattr(args, "runtime", "torch"))


@functools.lru_cache(maxsize=2)
def _load_engine(model_dir: str, threads: int, runtime: str = "torch") -> tuple[Any, dict[str, Any]]:
    """Load once per process (tests call several subcommands in a row)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from primum.inference.runtimes import open_engine

    return open_engine(Path(model_dir), threads=threads, runtime=runtime)


def _read_csv(path: str) -> list[dict[str, str]]:
    rows = _read_csv_any(path)
    if rows and "text" not in rows[0]:
        raise SystemExit(f"primum: {path} has no 'text' column")
    return rows


def _read_csv_any(path: str) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise SystemExit(f"primum: {path} does not exist") from None
    except IsADirectoryError:
        raise SystemExit(f"primum: {path} is a folder, not a CSV file") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise SystemExit(f"primum: {path} is not a UTF-8 CSV file ({error})") from None
    return rows


def parse_label(raw: str | None) -> int | None:
    """1 for an unkind label, 0 for a kind one, None for anything else (see ``LABELS_HELP``)."""
    value = (raw or "").strip().lower()
    if value in UNKIND_LABELS:
        return 1
    if value in KIND_LABELS:
        return 0
    return None


def _labelled(path: str) -> tuple[list[str], list[int], list[str]]:
    rows = _read_csv(path)
    if rows and "label" not in rows[0]:
        raise SystemExit(f"primum: {path} has no 'label' column")
    texts: list[str] = []
    labels: list[int] = []
    cats: list[str] = []
    unknown: dict[str, int] = {}
    for row in rows:
        label = parse_label(row.get("label"))
        if label is None:
            shown = (row.get("label") or "").strip() or "(empty)"
            unknown[shown] = unknown.get(shown, 0) + 1
            continue
        texts.append(row["text"])
        labels.append(label)
        cats.append((row.get("category") or "").strip() or ("unkind" if label else "none"))
    if unknown:
        listed = ", ".join(f"{value!r} ×{n}" for value, n in sorted(unknown.items())[:5])
        print(f"primum: skipped {sum(unknown.values())} row(s) of {path} with a label it does not know: {listed}"
              f" (accepted: {LABELS_HELP})", file=sys.stderr)
    return texts, labels, cats


def train_config(args: argparse.Namespace) -> TrainConfig:
    """TrainConfig's defaults are the shipped model's recipe; only the options given override them."""
    from primum.training.train import TrainConfig

    given = {"steps": args.steps, "batch_size": args.batch_size, "seed": args.seed, "threads": args.threads,
             "public_dir": args.public_dir, "data_dir": args.data_dir, "out_dir": args.out}
    return TrainConfig(**{k: v for k, v in given.items() if v is not None})


def _train(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from primum.training.train import train

    cfg = train_config(args)
    if not (Path(cfg.public_dir) / "davidson").is_dir():
        print(f"primum: public datasets not found under {cfg.public_dir} (use --public-dir)", file=sys.stderr)
        return 2
    card = train(cfg)
    th = card["thresholds"]
    print(f"wrote {cfg.out_dir} ({card['version']}, nudge {th['nudge']}, hide {th['hide']})")
    return 0


def _inputs(args: argparse.Namespace) -> list[str]:
    if args.csv:
        return [r["text"] for r in _read_csv(args.csv)]
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
    engine, card = _engine(args)
    nudge, hide = configured_thresholds(card_thresholds(card))
    version = runtime_version(str(card["version"]), getattr(args, "runtime", "torch"))
    for raw in engine.predict_many(texts, batch_size=32):
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


def _predict_with_progress(engine: Any, texts: list[str], chunk: int = 256) -> list[float]:
    """Scores in chunks, with a progress line on stderr (the dev split takes minutes on a small CPU)."""
    scores: list[float] = []
    started = time.monotonic()
    for start in range(0, len(texts), chunk):
        scores += [s.score for s in engine.predict_many(texts[start:start + chunk])]
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
        print("primum: give a CSV file or --report", file=sys.stderr)
        return 2
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
        _read_csv(args.file)  # a missing or unreadable file is reported before the model loads
    engine, card = _engine(args)
    th = card_thresholds(card)
    if args.report:
        from primum.training.report import dev_report, format_report
        from primum.training.train import dev_rows_for_eval

        print(f"reading the {'calibration' if args.recalibrate else 'dev'} split from {public} …", file=sys.stderr)
        try:
            rows = dev_rows_for_eval(public, calib=bool(args.recalibrate))
        except (FileNotFoundError, KeyError, ValueError) as error:
            print(f"primum: could not read the public datasets under {public}: {error}", file=sys.stderr)
            return 2
        if args.recalibrate:
            from primum.inference.engine import MODEL_DIR, read_card
            from primum.training.train import calibrate_and_report

            folder = Path(args.model_dir) if args.model_dir else MODEL_DIR
            calibrate_and_report(folder, rows, read_card(folder))
            return 0

        def predict(texts: Iterable[str]) -> list[float]:
            return _predict_with_progress(engine, list(texts))

        report = dev_report(rows, predict, th.nudge, th.hide)
        print(json.dumps(report, indent=2) if args.json else format_report(report))
        if not args.file:
            return 0
    texts, labels, cats = _labelled(args.file)
    raw = engine.predict_many(texts)
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


def _calibrate(args: argparse.Namespace) -> int:
    from primum.inference.engine import card_thresholds
    from primum.training.metrics import at_threshold, threshold_for_fpr

    from_db = args.from_db is not None
    if bool(args.file) == from_db:
        print("primum: calibrate needs a CSV file or --from-db [DATABASE] (one of them)", file=sys.stderr)
        return 2
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
    shipped = card_thresholds(card).nudge
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
    rows = _read_csv_any(args.file)
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
        return [label for label, _ in pairs], [score for _, score in pairs], read_card(_model_dir(args))
    texts, labels, _ = _labelled(args.file)
    engine, card = _engine(args)
    return labels, [r.score for r in engine.predict_many(texts)], card


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

        engine, card = _engine(args)
        examples, count = rescore(examples, lambda texts: [r.score for r in engine.predict_many(texts)],
                                  str(card["version"]))
        print(f"primum: scored {count} verdict(s) again from their kept text", file=sys.stderr)
    card = read_card(_model_dir(args))
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


def _model_dir(args: argparse.Namespace) -> Path:
    from primum.inference.engine import MODEL_DIR

    return Path(args.model_dir) if getattr(args, "model_dir", None) else MODEL_DIR


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


def _bench(args: argparse.Namespace) -> int:
    from primum.inference.bench import run_bench

    threads = args.threads
    if threads is None:
        try:
            from primum.settings import load_settings

            threads = load_settings().model.threads
        except Exception:
            threads = 1
    result = run_bench(
        threads=threads,
        burst_seconds=args.burst_seconds,
        rate=args.rate,
        reference=not args.no_reference,
        model_dir=Path(args.model_dir) if args.model_dir else None,
        runtime=args.runtime,
    )
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:<32} {value}")
    if args.update_card:
        from primum.inference.engine import MODEL_DIR, read_card
        from primum.training.card import write_model_card

        folder = Path(args.model_dir) if args.model_dir else MODEL_DIR
        card = read_card(folder)
        card.setdefault("bench", {})[f"{args.runtime}, {result['threads']} thread(s)"] = result
        (folder / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        write_model_card(folder, card)
    return 0
