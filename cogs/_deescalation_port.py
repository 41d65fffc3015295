"""The Discord side of de-escalation: ``DeescalationPort`` implemented with discord.py.

Discord's errors become the service's (:func:`discord_errors`): a missing channel or member is
``TargetGone``, a refusal is ``ActionRefused``, anything else over HTTP is ``ActionFailed``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from cogs._channels import find_text_channel
from primum.domain.ladder_config import SLOWMODE_MAX_SECONDS
from primum.services.deescalation_port import ActionFailed, ActionRefused, TargetGone

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)

#: Where mod alerts go when no channel was chosen with /deescalation alerts.
ALERT_CHANNEL_NAMES = ("mod-alerts", "mod-log", "moderators", "mods")


@contextlib.contextmanager
def discord_errors(*, gone: str, refused: str | None = None) -> Iterator[None]:
    """Raise Discord's errors as the service's: NotFound as TargetGone, Forbidden as ActionRefused.

    Without ``refused`` a Forbidden counts as any other HTTP failure (ActionFailed).
    """
    try:
        yield
    except discord.NotFound as error:
        raise TargetGone(gone) from error
    except discord.Forbidden as error:
        if refused is None:
            raise ActionFailed(f"HTTP {error.status}") from error
        raise ActionRefused(refused) from error
    except discord.HTTPException as error:
        raise ActionFailed(f"HTTP {error.status}") from error


class DiscordDeescalationPort:
    """The Discord side effects of de-escalation, with Discord's errors mapped to the service's."""

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot

    def _guild(self, guild_id: int) -> discord.Guild:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise TargetGone(f"guild {guild_id} is not available")
        return guild

    async def _messageable(self, channel_id: int) -> discord.abc.Messageable | None:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException:
                return None
        return channel if isinstance(channel, discord.abc.Messageable) else None

    async def post(self, guild_id: int, channel_id: int, text: str) -> int | None:
        """Post in a channel; a refusal is logged, not raised (a notice is never worth a crash)."""
        channel = await self._messageable(channel_id)
        if channel is None:
            return None
        try:
            message = await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.Forbidden:
            log.warning("cannot post in channel %s (missing permissions)", channel_id)
            return None
        except discord.HTTPException as error:
            log.warning("posting in channel %s failed: %s", channel_id, error.status)
            return None
        return message.id

    async def current_slowmode(self, guild_id: int, channel_id: int) -> int | None:
        """Ask Discord (not the cache): a moderator may have changed it a moment ago."""
        try:
            channel = await self.bot.fetch_channel(channel_id)
        except discord.NotFound:
            return None
        except discord.Forbidden:
            cached = self.bot.get_channel(channel_id)
            return getattr(cached, "slowmode_delay", None)
        except discord.HTTPException as error:
            raise ActionFailed(f"HTTP {error.status}") from error
        return getattr(channel, "slowmode_delay", None)

    async def set_slowmode(self, guild_id: int, channel_id: int, seconds: int, reason: str) -> None:
        """Edit rate_limit_per_user (0-21600 s)."""
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise TargetGone(f"channel {channel_id} is not a text channel or thread")
        with discord_errors(gone="the channel is gone", refused="Primum lacks the Manage Channels permission there"):
            await channel.edit(slowmode_delay=max(0, min(seconds, SLOWMODE_MAX_SECONDS)), reason=reason[:512])

    async def _member(self, guild: discord.Guild, user_id: int) -> discord.Member:
        with discord_errors(gone="not a member of the server"):
            return await guild.fetch_member(user_id)

    async def timeout_refusal(self, guild_id: int, user_id: int) -> str | None:
        """Discord never times out the owner or administrators, nor anyone at or above Primum's role."""
        guild = self._guild(guild_id)
        if user_id == guild.owner_id:
            return "they own the server"
        member = guild.get_member(user_id)
        if member is None:
            return None  # not cached; timing out will tell
        if member.bot:
            return "they are a bot"
        if member.guild_permissions.administrator:
            return "they are an administrator"
        if guild.me is not None and member.top_role >= guild.me.top_role:
            return "their highest role is not below Primum's"
        return None

    async def timeout_member(self, guild_id: int, user_id: int, until: datetime | None, reason: str) -> None:
        """Set or clear the member's timeout (Discord allows at most 28 days)."""
        member = await self._member(self._guild(guild_id), user_id)
        with discord_errors(gone="not a member of the server",
                            refused="Discord does not allow Primum to time out this member"):
            await member.timeout(until, reason=reason[:512])

    async def timed_out_until(self, guild_id: int, user_id: int) -> datetime | None:
        """The member's timeout end; the cache is kept current by GUILD_MEMBER_UPDATE.

        Many cooldowns can end together after a restart; asking Discord for each member would
        queue them behind the guild's member-route rate limit, so the cache is used when it has them.
        """
        guild = self._guild(guild_id)
        member = guild.get_member(user_id) or await self._member(guild, user_id)
        return member.timed_out_until

    async def alert_moderators(self, guild_id: int, channel_id: int | None, text: str) -> bool:
        """Post in the chosen alert channel, else the first of mod-alerts, mod-log, moderators, mods."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return False
        target = find_text_channel(guild, channel_id, ALERT_CHANNEL_NAMES)
        if target is None:
            return False
        return await self.post(guild_id, target.id, text) is not None
