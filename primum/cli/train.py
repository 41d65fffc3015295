# ruff: noqa: T201
"""``primum train``: fine-tune the be-kind model with the shipped recipe, or the options given."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from primum.cli.support import fail

if TYPE_CHECKING:
    from primum.training.train import TrainConfig


def register(subparsers: Any) -> None:
    """Add ``primum train``."""
    train = subparsers.add_parser("train", help="fine-tune the be-kind model in two stages (CPU, seeded, < 40 min)")
    train.add_argument("--public-dir", help="public datasets folder (default: ../shared/datasets from the repo)")
    train.add_argument("--data-dir", help="folder of kindness_*.csv files (default: primum/training/data)")
    train.add_argument("--out", help="where to write the model (default: primum/inference/model)")
    train.add_argument("--steps", type=int,
                       help="first-stage optimizer steps (default: the shipped model's; the second stage's are fixed)")
    train.add_argument("--batch-size", type=int, help="rows per step (default: the shipped model's)")
    train.add_argument("--seed", type=int, help="random seed (default: the shipped model's)")
    train.add_argument("--threads", type=int, help="CPU threads (default 2)")
    train.add_argument("--first-stage-only", action="store_true",
                       help="train only the first stage (the shipped model adds a second, short stage on top)")
    train.add_argument("--lexical-only", action="store_true",
                       help="refit only the n-gram model for the encoder already in --out, then recalibrate (~15 min)")
    train.set_defaults(func=_train)


def train_config(args: argparse.Namespace) -> TrainConfig:
    """TrainConfig's defaults are the shipped model's recipe; only the options given override them."""
    from primum.training.train import TrainConfig

    given = {"steps": args.steps, "batch_size": args.batch_size, "seed": args.seed, "threads": args.threads,
             "public_dir": args.public_dir, "data_dir": args.data_dir, "out_dir": args.out}
    return TrainConfig(**{k: v for k, v in given.items() if v is not None})


def _train(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from primum.training.train import train, train_lexical, train_shipped

    cfg = train_config(args)
    if not (Path(cfg.public_dir) / "davidson").is_dir():
        return fail(f"public datasets not found under {cfg.public_dir} (use --public-dir)")
    if args.lexical_only and not (Path(cfg.out_dir) / "card.json").is_file():
        return fail(f"--lexical-only needs a trained encoder in {cfg.out_dir} (its card.json is missing)")
    stages = train if args.first_stage_only else train_shipped
    card = train_lexical(cfg) if args.lexical_only else stages(cfg)
    th = card["thresholds"]
    print(f"wrote {cfg.out_dir} ({card['version']}, nudge {th['nudge']}, hide {th['hide']})")
    return 0
