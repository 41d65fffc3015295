"""``primum run``: the real bot with a token, the demo on the local Discord without one."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from primum.cli.support import fail

log = logging.getLogger("primum.bot")

RUN_EPILOG = """Where the token comes from:
  DISCORD_TOKEN is read from the environment or from a .env file in the current folder
  (cp .env.example .env, then fill it in). Other secrets and overrides live there too:
  PRIMUM_DATABASE, PRIMUM_CONFIG (a TOML file merged over config/defaults.toml), LOG_LEVEL.

Without a token:
  primum run plays the demo instead: a local Discord on this machine, a seeded physician
  server and a scripted conversation (the same as `primum demo`). Nothing connects to discord.com.

examples:
  primum run                          # the bot with DISCORD_TOKEN, else the demo
  DISCORD_TOKEN=... primum run        # the token from the environment
  PRIMUM_CONFIG=prod.toml primum run  # override config/defaults.toml"""


def run_from_settings() -> int:
    """Load settings and logging, then run the bot (``primum.app``) or, with no token, the demo."""
    from primum.runtime.logging_setup import setup_logging
    from primum.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        return fail(f"configuration error: {error}")
    setup_logging(settings.log_level)
    if not settings.has_token:
        log.info("no DISCORD_TOKEN set: running the demo against the local Discord")
        from primum.cli.demo import run_demo_cli

        return run_demo_cli([])
    from primum.app import run_with_token

    return run_with_token(settings)


def _run(_: argparse.Namespace) -> int:
    return run_from_settings()


def register(sub: Any) -> None:
    """Add ``primum run``."""
    run = sub.add_parser("run", help="run the bot (the demo when no DISCORD_TOKEN is set)",
                         description="Run Primum: connect to Discord with DISCORD_TOKEN, or play the demo without one.",
                         epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.set_defaults(func=_run)
