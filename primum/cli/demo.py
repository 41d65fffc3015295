"""``primum demo``: watch Primum moderate a simulated physician server, end to end (no token, no network)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any


def _demo_command(args: argparse.Namespace) -> int:
    from primum.demo.interactive import run_interactive
    from primum.demo.runner import run_demo
    from primum.demo.scenarios import discover_scenarios

    if args.list:
        for name, scenario in discover_scenarios().items():
            print(f"{name:16} {scenario.title}")  # noqa: T201
        return 0
    if args.interactive:
        return asyncio.run(run_interactive(out=sys.stdout, backend=args.model))
    names = [args.scenario] if args.scenario else []
    events_path = Path(args.events) if args.events else None
    keep_db = Path(args.keep_db) if args.keep_db else None
    return asyncio.run(run_demo(names, events_path=events_path, out=sys.stdout, backend=args.model,
                                keep_db=keep_db))


def run_demo_cli(argv: list[str]) -> int:
    """``primum run`` without a token: the full demo with default options."""
    parser = argparse.ArgumentParser(prog="primum demo")
    _add_demo_arguments(parser)
    return _demo_command(parser.parse_args(argv))


def _add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", help="play one scenario (see --list); default: all")
    parser.add_argument("--events", metavar="FILE", help="write every bot action as JSON lines")
    parser.add_argument("--interactive", action="store_true", help="type as a member and watch the bot react")
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    parser.add_argument("--model", choices=("default", "fake"), default="default",
                        help="be-kind scorer: the shipped model (default) or the keyword fake")
    parser.add_argument("--keep-db", metavar="PATH",
                        help="keep the demo's database for `primum report`: the file PATH with --scenario, "
                             "else a folder PATH with one NAME.sqlite3 per scenario")
    parser.set_defaults(func=_demo_command)


DEMO_EPILOG = """examples:
  primum demo                                   # every scenario, with the shipped model
  primum demo --list                            # scenario names
  primum demo --scenario kindness --events out/events.jsonl
  primum demo --scenario kindness --keep-db demo.sqlite3
  primum report --db demo.sqlite3 --out report/  # then the owners' charts from the demo's data
  primum demo --interactive                     # type as a member; /kind test text:you are an idiot

No token and no network are needed: a local Discord runs on this machine."""


def register(subparsers: Any) -> None:
    """Add ``primum demo`` to the console script."""
    parser = subparsers.add_parser("demo", help="watch Primum moderate a simulated physician server",
                                   epilog=DEMO_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_demo_arguments(parser)
