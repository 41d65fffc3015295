"""``primum replay FILE``: what Primum would have done in a channel's history, before switching it on."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from primum.cli.support import fail

log = logging.getLogger(__name__)


def _replay(args: argparse.Namespace) -> int:
    from primum.app import make_scorer
    from primum.replay.chart import heat_chart
    from primum.replay.history import HistoryError
    from primum.replay.loader import load_history
    from primum.replay.report import to_json, transcript
    from primum.replay.runner import ReplayError, replay
    from primum.settings import SettingsError, load_settings

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        history = load_history(Path(args.file))
    except HistoryError as error:
        return fail(error, command="primum replay")
    try:
        settings = load_settings()
    except SettingsError as error:
        return fail(f"configuration error: {error}", command="primum replay")
    if args.scorer == "fake":
        settings = replace(settings, model=replace(settings.model, backend="fake"))
    elif settings.model.backend == "fake":
        settings = replace(settings, model=replace(settings.model, backend="default"))

    async def run() -> Any:
        scorer = make_scorer(settings)
        try:
            return await replay(history, settings=settings, scorer=scorer, channel=args.channel)
        finally:
            await scorer.close()

    try:
        result = asyncio.run(run())
    except ReplayError as error:
        return fail(error, code=1, command="primum replay")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    json_path, png_path = out / f"{history.name}.json", out / f"{history.name}.png"
    json_path.write_text(json.dumps(to_json(result), indent=1, ensure_ascii=False, default=str) + "\n",
                         encoding="utf-8")
    png_path.write_bytes(heat_chart(result))
    sys.stdout.write(transcript(result))
    sys.stdout.write(f"\nWrote {json_path} and {png_path}\n")
    return 0


def register(subparsers: Any) -> None:
    """Add ``primum replay`` to the console script."""
    parser = subparsers.add_parser(
        "replay", help="play a channel history through Primum and report what it would have done",
        description="Play a DiscordChatExporter JSON export or a JSONL history through the real bot on a "
                    "local Discord, at the history's own pace on an injected clock, and report every nudge, "
                    "notice, slowmode, cooldown, alert and hide.",
    )
    parser.add_argument("file", help="a DiscordChatExporter .json export or a .jsonl history")
    parser.add_argument("--out", default="replay-out", help="directory for the JSON and PNG (default: replay-out)")
    parser.add_argument("--scorer", choices=("model", "fake"), default="model",
                        help="the shipped be-kind model (default) or the keyword fake (fast, for trying it out)")
    parser.add_argument("--channel", default=None,
                        help="the channel to replay in (default: the export's channel name, else general)")
    parser.set_defaults(func=_replay)
