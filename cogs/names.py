"""Names for reports: remember channel names and moderators' display names as Primum sees them.

Thin adapter over :class:`primum.services.names.NameBook`: when a server becomes available, a
channel is created or renamed, a moderator's display name changes, or a moderator uses a command,
the names go to ``known_names`` so that the offline ``primum report`` (and the weekly report, for
channels and moderators no longer in the server) can show names instead of ids. Other members'
names are never kept; ``/privacy forget`` removes a moderator's.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs._checks import MODERATOR_PERMISSIONS, OWNER_PERMISSIONS
from primum.storage import DatabaseError

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)

#: Commands after which the caller's name is not remembered (a forget must not be undone at once).
NOT_AFTER = ("privacy",)


def is_moderator(member: discord.Member) -> bool:
    """The server's owner, or a member with an owner's or a moderator's permissions."""
    perms = member.guild_permissions
    return member.guild.owner_id == member.id or any(
        getattr(perms, name) for name in (*OWNER_PERMISSIONS, *MODERATOR_PERMISSIONS))


def _channels(guild: discord.Guild) -> list[tuple[int, str]]:
    return [(channel.id, channel.name) for channel in guild.channels]


def _moderators(members: Iterable[discord.Member]) -> list[tuple[int, str]]:
    return [(member.id, member.display_name) for member in members if not member.bot and is_moderator(member)]


class Names(commands.Cog):
    """Keeps the names reports show (channels, moderators) current; answers no commands."""

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot

    async def _remember(self, guild_id: int, *, channels: list[tuple[int, str]] | None = None,
                        moderators: list[tuple[int, str]] | None = None) -> None:
        """Write through; a busy or broken database costs the names, never the event."""
        try:
            if channels:
                await self.bot.names.saw_channels(guild_id, channels)
            if moderators:
                await self.bot.names.saw_moderators(guild_id, moderators)
        except (DatabaseError, sqlite3.Error) as error:
            log.warning("could not remember names in guild %s: %s", guild_id, error)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """At start-up (and after an outage): every channel, every moderator."""
        await self._remember(guild.id, channels=_channels(guild), moderators=_moderators(guild.members))

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """A new server: the same as when one becomes available."""
        await self.on_guild_available(guild)

    @commands.Cog.listener()
    async def on_guild_channel_create(self, channel: discord.abc.GuildChannel) -> None:
        """A new channel."""
        await self._remember(channel.guild.id, channels=[(channel.id, channel.name)])

    @commands.Cog.listener()
    async def on_guild_channel_update(self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel) -> None:
        """A renamed channel."""
        if before.name != after.name:
            await self._remember(after.guild.id, channels=[(after.id, after.name)])

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        """A moderator renamed, or a member who became one."""
        if (before.display_name != after.display_name or before.roles != after.roles) and is_moderator(after):
            await self._remember(after.guild.id, moderators=_moderators([after]))

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: discord.Interaction[Any],
                                        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu
                                        ) -> None:
        """A moderator who acts is named in the reports of what they did."""
        user = interaction.user
        if not isinstance(user, discord.Member) or not is_moderator(user):
            return
        if command.qualified_name.split(" ")[0] in NOT_AFTER:
            return
        await self._remember(user.guild.id, moderators=_moderators([user]))


async def setup(bot: PrimumBot) -> None:
    """Load the Names cog."""
    await bot.add_cog(Names(bot))
