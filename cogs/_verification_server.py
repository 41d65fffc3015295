"""Verification's places in a server, and reaching a member there.

Roles and channels come from the server's settings, else from their default names (``Unverified``,
``#verify``…). A member is told by DM (the one :func:`cogs._dm.send_dm`), else by a short note that
mentions them in #verify; approval gives the Verified Physician role and takes Unverified away.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord

from cogs._channels import find_text_channel
from cogs._dm import send_dm
from primum.domain.verification import DEFAULT_NAMES
from primum.services.verification import VerificationService

if TYPE_CHECKING:
    from cogs._verification_card import ReviewCards
    from cogs.verification import Verification

log = logging.getLogger(__name__)

#: How a member was told: by DM, by a note in #verify, or not at all.
Notified = Literal["dm", "channel", "none"]


class VerificationServer:
    """The roles, channels and members verification works with in each server."""

    def __init__(self, client: discord.Client, service: VerificationService) -> None:
        self.client = client
        self.service = service

    @staticmethod
    def role(guild: discord.Guild, role_id: int | None, key: str) -> discord.Role | None:
        """The configured role, else the one with the default name for ``key``."""
        role = guild.get_role(role_id) if role_id else None
        return role or discord.utils.get(guild.roles, name=DEFAULT_NAMES[key])

    @staticmethod
    def channel(guild: discord.Guild, channel_id: int | None, key: str) -> discord.TextChannel | None:
        """The configured text channel, else the one with the default name for ``key``."""
        return find_text_channel(guild, channel_id, (DEFAULT_NAMES[key],))

    async def member(self, guild: discord.Guild, user_id: int) -> discord.Member | None:
        """The member from the cache, else from Discord; None when they left (or Discord fails)."""
        member = guild.get_member(user_id)
        if member is not None:
            return member
        try:
            return await guild.fetch_member(user_id)
        except discord.NotFound:
            return None
        except discord.HTTPException as error:
            log.warning("could not fetch member %s: %s", user_id, error.status)
            return None

    async def notify(self, guild: discord.Guild, user_id: int, dm_text: str, fallback: str,
                     view: discord.ui.View | None = None) -> Notified:
        """DM the member; if DMs are closed, a short note in #verify (``fallback`` after their mention)."""
        if await send_dm(self.client, user_id, dm_text, view=view or discord.utils.MISSING):
            return "dm"
        member = await self.member(guild, user_id)
        if member is None:
            return "none"
        config = await self.service.config(guild.id)
        channel = self.channel(guild, config.verify_channel_id, "verify_channel")
        if channel is None:
            return "none"
        try:
            await channel.send(f"{member.mention}, {fallback}",
                               allowed_mentions=discord.AllowedMentions(users=[member]))
        except discord.HTTPException as error:
            log.warning("could not leave a note in #%s: %s", channel.name, error.status)
            return "none"
        return "channel"

    async def grant(self, guild: discord.Guild, user_id: int) -> bool:
        """Give the Verified Physician role and take Unverified away; False when that was not possible."""
        config = await self.service.config(guild.id)
        member = await self.member(guild, user_id)
        verified = self.role(guild, config.verified_role_id, "verified_role")
        if member is None or verified is None:
            log.warning("cannot grant the verified role in guild %s (member present: %s, role found: %s)",
                        guild.id, member is not None, verified is not None)
            return False
        unverified = self.role(guild, config.unverified_role_id, "unverified_role")
        try:
            await member.add_roles(verified, reason="Primum: physician verification approved")
            if unverified is not None and unverified in member.roles:
                await member.remove_roles(unverified, reason="Primum: physician verification approved")
        except discord.HTTPException as error:
            log.warning("could not change roles after approval: %s", error.status)
            return False
        return True

    async def describe(self, guild: discord.Guild) -> str:
        """The server's verification settings and what they resolve to (for the owners)."""
        config = await self.service.config(guild.id)

        def show(item: discord.abc.Snowflake | None, how: str) -> str:
            return f"<@&{item.id}>" if how == "role" and item else f"<#{item.id}>" if item else "**missing**"

        return "\n".join([
            f"Unverified role: {show(self.role(guild, config.unverified_role_id, 'unverified_role'), 'role')}",
            f"Verified role: {show(self.role(guild, config.verified_role_id, 'verified_role'), 'role')}",
            f"Verify channel: {show(self.channel(guild, config.verify_channel_id, 'verify_channel'), 'ch')}",
            f"Review queue: {show(self.channel(guild, config.review_channel_id, 'review_channel'), 'ch')}",
            f"Mod log: {show(self.channel(guild, config.modlog_channel_id, 'modlog_channel'), 'ch')}",
            f"Residents listed only as 390200000X: **{config.residents.value}**",
            f"E-mail code binding: **{'on' if config.email_binding else 'off'}** "
            f"(domains: {', '.join(config.email_domains) or 'none'})",
            f"Registry re-check every **{config.recheck_days}** days; "
            f"at most {config.max_attempts_per_day} attempts per member per day",
        ])


class VerificationPart:
    """What the member's steps and the review queue share: the cog (their views forward to it), the
    verification service, the server side and the review cards."""

    def __init__(self, cog: Verification) -> None:
        self.cog = cog
        self.bot = cog.bot
        self.service: VerificationService = cog.service
        self.server: VerificationServer = cog.server
        self.cards: ReviewCards = cog.cards
