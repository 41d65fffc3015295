"""Catch-up for be-kind: on start and after every new gateway session, score what was missed.

The cog calls :meth:`CatchUp.run` from ``on_ready`` (which discord.py fires after every
IDENTIFY, so after a non-resumable session reset too). Per readable text channel and active
thread it reads the newest ``catch_up.messages`` messages newer than the channel's mark and the
age limit (``GET /channels/{id}/messages?limit=N``), oldest first, and hands each to the
:class:`~primum.services.catch_up.CatchUpService`, which decides what may still be done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
import discord

from primum.inference.protocol import ScorerState
from primum.services.catch_up import CatchUpResult, CatchUpService, CatchUpWindow
from primum.services.kindness import MessageFacts

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)
SCORER_WAIT_S = 300.0


class CatchUp:
    """Runs one catch-up at a time over every guild."""

    def __init__(self, bot: PrimumBot, service: CatchUpService,
                 facts: Callable[[discord.Message], MessageFacts | None]) -> None:
        self.bot = bot
        self.service = service
        self._facts = facts
        self._lock = asyncio.Lock()
        self.runs = 0

    async def run(self, reason: str) -> None:
        """Catch up every guild once the scorer is ready (a failed load leaves it to the next session)."""
        async with self._lock:
            for _ in range(int(SCORER_WAIT_S / 0.2)):  # the model may still be loading
                if self.bot.scorer.state is not ScorerState.LOADING:
                    break
                await asyncio.sleep(0.2)
            if self.bot.scorer.state is not ScorerState.READY:
                log.warning("catch-up skipped: the be-kind scorer is %s", self.bot.scorer.state)
                return
            for guild in list(self.bot.guilds):
                window = await self.service.window(guild.id)
                if window is None:
                    continue
                result = CatchUpResult()
                for channel in _readable(guild):
                    await self._channel(channel, window, result)
                self.service.report(guild.id, reason, result)
            self.runs += 1

    async def _channel(self, channel: discord.TextChannel | discord.Thread, window: CatchUpWindow,
                       result: CatchUpResult) -> None:
        after = discord.Object(max(window.after(channel.id), discord.utils.time_snowflake(window.since)))
        try:
            missed = [m async for m in channel.history(limit=window.limit, after=after, oldest_first=False)]
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as error:
            log.warning("catch-up could not read channel %s: %s", channel.id, error)
            return
        for message in reversed(missed):  # oldest first, as they were posted
            facts = self._facts(message)
            if facts is not None:
                await self.service.handle_missed(window, facts, message.content, result)


def _readable(guild: discord.Guild) -> list[discord.TextChannel | discord.Thread]:
    me = guild.me
    channels: list[discord.TextChannel | discord.Thread] = [*guild.text_channels, *guild.threads]
    readable = []
    for channel in channels:
        perms = channel.permissions_for(me)
        if perms.view_channel and perms.read_message_history:
            readable.append(channel)
    return readable
