"""Observe mode and sanction notices: the Discord side of the conversation-level policy.

* Observe reports go to #mod-log with Correct / Wrong buttons (``ObserveService`` decides what).
* A server Primum joins starts in observe mode for a few days; the owner is told.
* Every cooldown and hide case reaches its member by DM (reason, case number, /appeal); closed
  DMs fall back to the mod-log, never to the channel (``SanctionNotices``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.ext import commands

from cogs._channels import MODLOG_NAMES, find_text_channel
from cogs._dm import send_dm
from cogs._observe import VerdictButton, verdict_view
from primum.runtime.tasks import BackgroundTasks
from primum.services.sanctions import SanctionNotices
from primum.storage.cases import CaseRepository

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)

MODLOG_CHANNEL_KEY = "mod_log_channel_id"


class DiscordObservePort:
    """Mod-log posts, owner notes and member DMs, done with discord.py."""

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot

    async def _modlog(self, guild_id: int) -> discord.TextChannel | None:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return None
        configured = await self.bot.guild_settings.get(guild_id, MODLOG_CHANNEL_KEY)
        return find_text_channel(guild, int(configured) if isinstance(configured, int) else None, MODLOG_NAMES)

    async def _send(self, channel: discord.abc.Messageable, content: str, **kwargs: Any) -> discord.Message | None:
        try:
            return await channel.send(content, allowed_mentions=discord.AllowedMentions.none(), **kwargs)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            log.warning("could not post: %s", error)
            return None

    async def post_report(self, guild_id: int, content: str, report_id: int) -> tuple[int, int] | None:
        """A report with its buttons in the mod-log."""
        channel = await self._modlog(guild_id)
        if channel is None:
            return None
        message = await self._send(channel, content, view=verdict_view(report_id))
        return None if message is None else (channel.id, message.id)

    async def post_modlog(self, guild_id: int, content: str) -> bool:
        """A plain mod-log post."""
        channel = await self._modlog(guild_id)
        return channel is not None and await self._send(channel, content) is not None

    async def dm(self, user_id: int, content: str) -> bool:
        """DM someone; False when their DMs are closed or they cannot be reached."""
        return await send_dm(self.bot, user_id, content)

    async def tell_owner(self, guild_id: int, content: str) -> bool:
        """The mod-log when there is one, else a DM to the server's owner."""
        if await self.post_modlog(guild_id, content):
            return True
        guild = self.bot.get_guild(guild_id)
        return guild is not None and guild.owner_id is not None and await self.dm(guild.owner_id, content)

    def names(self, guild_id: int, channel_id: int | None) -> tuple[str, str]:
        """Server and channel names from the cache."""
        guild = self.bot.get_guild(guild_id)
        channel = guild.get_channel_or_thread(channel_id) if guild is not None and channel_id else None
        return (guild.name if guild is not None else "the server",
                f"#{channel.name}" if channel is not None else "a channel")


class Observe(commands.Cog):
    """Observe-mode reports and verdicts, the new-server trial, and sanction DMs."""

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot
        self.port = DiscordObservePort(bot)
        self.notices = SanctionNotices(CaseRepository(bot.db), bot.guild_settings, bot.events, self.port)
        self._tasks = BackgroundTasks("observe", log)

    async def cog_load(self) -> None:
        """Give observe mode its Discord side, register the buttons, listen for new cases."""
        self.bot.observe.port = self.port
        self.bot.add_dynamic_items(VerdictButton)
        self.bot.events.subscribe(self._on_event)

    async def cog_unload(self) -> None:
        """Undo cog_load."""
        self.bot.events.unsubscribe(self._on_event)
        self.bot.remove_dynamic_items(VerdictButton)
        if self.bot.observe.port is self.port:
            self.bot.observe.port = None
        await self._tasks.cancel_all()

    def _on_event(self, event: dict[str, Any]) -> None:
        """A new cooldown or hide case: DM its member (off the emitter, which is synchronous)."""
        if event.get("type") != "case" or event.get("source") == "bot-process" or event.get("amends_id"):
            return
        if event.get("kind") not in {"cooldown", "hide"}:
            return
        case_id = event.get("case_id")
        if isinstance(case_id, int):
            self._tasks.spawn(self.notices.notify(case_id), f"sanction-notice-{case_id}")

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """A new server starts in observe mode for a few days; the owner is told."""
        await self.bot.observe.on_guild_join(guild.id, guild.name)


async def setup(bot: PrimumBot) -> None:
    """Load the Observe cog."""
    await bot.add_cog(Observe(bot))
