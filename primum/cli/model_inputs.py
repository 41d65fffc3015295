"""What the model commands share: their model options, loading the engine once, and reading labelled CSVs.

Everything heavy is imported inside the functions so ``primum --help`` and the bot stay fast.
"""

from __future__ import annotations

import argparse
import csv
import functools
import os
import sys
from pathlib import Path
from typing import Any

from primum.settings import DEFAULT_RUNTIME, MODEL_RUNTIMES

RUNTIME_HELP = "onnx: fused int8 ONNX Runtime (default); torch: int8 linears; torch-fp32: full precision"

#: Label spellings accepted in a labelled CSV (case-insensitive).
UNKIND_LABELS = frozenset({"1", "yes", "y", "true", "t", "unkind", "flag", "flagged", "positive", "pos"})
KIND_LABELS = frozenset({"0", "no", "n", "false", "f", "kind", "ok", "benign", "negative", "neg"})
LABELS_HELP = "unkind = 1/yes/true/unkind, kind = 0/no/false/kind"


def model_args(parser: argparse.ArgumentParser) -> None:
    """``--model-dir``, ``--threads`` and ``--runtime``, as score, evaluate and calibrate take them."""
    parser.add_argument("--model-dir", help="model folder (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=2, help="cores to score on")
    parser.add_argument("--runtime", choices=MODEL_RUNTIMES, default=DEFAULT_RUNTIME, help=RUNTIME_HELP)


def model_dir(args: argparse.Namespace) -> Path:
    """``--model-dir``, else the shipped model's folder."""
    from primum.inference.engine import MODEL_DIR

    return Path(args.model_dir) if getattr(args, "model_dir", None) else MODEL_DIR


def engine(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The engine and model card that the options name."""
    return _load_engine(str(model_dir(args).resolve()), int(args.threads), getattr(args, "runtime", DEFAULT_RUNTIME))


@functools.lru_cache(maxsize=2)
def _load_engine(model_dir: str, threads: int, runtime: str = DEFAULT_RUNTIME) -> tuple[Any, dict[str, Any]]:
    """Load once per process (tests call several subcommands in a row)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from primum.inference.runtimes import open_engine

    return open_engine(Path(model_dir), threads=threads, runtime=runtime)


def read_csv(path: str) -> list[dict[str, str]]:
    """The rows of a CSV that must have a ``text`` column."""
    rows = read_csv_any(path)
    if rows and "text" not in rows[0]:
        raise SystemExit(f"primum: {path} has no 'text' column")
    return rows


def read_csv_any(path: str) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV; a missing or unreadable file is one clear line (``SystemExit``)."""
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


def labelled(path: str) -> tuple[list[str], list[int], list[str]]:
    """Texts, labels and categories of a labelled CSV; rows with a label it does not know are skipped, and said."""
    rows = read_csv(path)
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
        print(f"primum: skipped {sum(unknown.values())} row(s) of {path} with a label it does not know: {listed}"  # noqa: T201
              f" (accepted: {LABELS_HELP})", file=sys.stderr)
    return texts, labels, cats
