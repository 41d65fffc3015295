"""Run Primum as its own process against a local Discord (so a demo or test can SIGKILL it).

Configured by environment: ``PRIMUM_LOCAL_DISCORD`` (the local Discord's http URL),
``PRIMUM_LOCAL_DISCORD_TOKEN``, ``PRIMUM_DATABASE``, ``PRIMUM_EVENTS`` (JSON-lines file),
``PRIMUM_MODEL_BACKEND`` and optionally ``PRIMUM_CONFIG``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import discord.gateway
import discord.http
import yarl

from primum.app import PrimumBot, make_scorer
from primum.localdiscord.client import fast_client_kwargs, no_identify_delay
from primum.runtime.events import EventSink
from primum.runtime.logging_setup import setup_logging
from primum.settings import load_settings
from primum.storage import Database


async def _main() -> int:
    url = os.environ["PRIMUM_LOCAL_DISCORD"].rstrip("/")
    host = yarl.URL(url)
    discord.http.Route.BASE = f"{url}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://{host.host}:{host.port}/ws/")
    settings = load_settings(env=dict(os.environ))
    events = EventSink(Path(os.environ["PRIMUM_EVENTS"]))
    db = await Database.open(settings.database_path)
    bot = PrimumBot(settings=settings, db=db, scorer=make_scorer(settings), events=events, **fast_client_kwargs())
    bot.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    try:
        async with bot:
            await bot.start(os.environ["PRIMUM_LOCAL_DISCORD_TOKEN"])
    finally:
        await db.close()
        events.close()
    return 0


def main() -> int:
    """Entry point for ``python -m primum.demo.bot_process``."""
    setup_logging(os.environ.get("LOG_LEVEL", "WARNING"))
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # voice-support notices are noise here
    return asyncio.run(_main())


if __name__ == "__main__":
    sys.exit(main())
