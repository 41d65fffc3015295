# ruff: noqa: T201
"""``primum bench``: the be-kind model's throughput, latency and memory on this machine."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from primum.cli.model_inputs import RUNTIME_HELP, model_dir
from primum.settings import DEFAULT_RUNTIME, MODEL_RUNTIMES


def register(subparsers: Any) -> None:
    """Add ``primum bench``."""
    bench = subparsers.add_parser("bench", help="throughput, latency and memory on this machine")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument("--threads", type=int, default=None, help="cores to score on (default: all of this machine's)")
    bench.add_argument("--burst-seconds", type=float, default=10.0, help="length of the 20 msg/s burst")
    bench.add_argument("--rate", type=float, default=20.0, help="messages per second in the burst")
    bench.add_argument("--no-reference", action="store_true", help="skip the BERT-base comparison")
    bench.add_argument("--update-card", action="store_true", help="record the result in card.json and MODEL_CARD.md")
    bench.add_argument("--model-dir", help="model folder (default: the shipped model)")
    bench.add_argument("--runtime", choices=MODEL_RUNTIMES, default=DEFAULT_RUNTIME, help=RUNTIME_HELP)
    bench.set_defaults(func=_bench)


def _bench(args: argparse.Namespace) -> int:
    import os

    from primum.inference.bench import run_bench

    # the whole machine by default: the question is what this host can score (the bot itself uses
    # model.threads, 1 by default, to leave a core for the event loop)
    threads = args.threads or os.cpu_count() or 1
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
        from primum.inference.engine import read_card, write_card
        from primum.training.card import write_model_card

        folder = model_dir(args)
        card = read_card(folder)
        card.setdefault("bench", {})[f"{args.runtime}, {result['threads']} thread(s)"] = result
        write_card(folder, card)
        write_model_card(folder, card)
    return 0
