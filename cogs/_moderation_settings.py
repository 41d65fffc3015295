"""``/mod-settings show|set|unset|report`` (owners) and the weekly owners' report."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import timedelta
from typing import Any, Literal

import discord
from discord import app_commands

from cogs._embeds import settings_embed
from cogs._interactions import defer_first
from cogs._moderation_base import Interaction, ModerationBase
from primum import display
from primum.domain.moderation_policy import ModerationPolicy, PolicyError
from primum.domain.moderation_rules import Rank
from primum.reporting.weekly import load_rows, render_report
from primum.runtime.clock import from_iso, to_iso
from primum.services.names import with_live_names

log = logging.getLogger(__name__)
REPORT_KEY = "moderation_report_sent"
REPORT_EVERY = timedelta(days=7)


class SettingsCommands(ModerationBase):
    """Owners' settings and the weekly report."""

    # --- /mod-settings ----------------------------------------------------------------------------
    settings_group = app_commands.Group(
        name="mod-settings", description="Owners: accountable-moderation settings", guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @settings_group.command(name="show", description="Show this server's moderation settings")
    async def settings_show(self, interaction: Interaction) -> None:
        """Owners see every setting and its value."""
        _, policy, _ = await self._context(interaction, Rank.OWNER)
        rows = display.setting_rows(vars(policy), defaults=vars(ModerationPolicy()))
        embed = settings_embed("Moderation settings", rows, footer="Change with /mod-settings set or unset")
        await self._answer(interaction, "", embed=embed)

    @settings_group.command(name="set", description="Change moderation settings (leave an option out to keep it)")
    @app_commands.describe(
        transparency_channel="Public, redacted log of actions", review_channel="Where appeals and requests go",
        report_channel="Private channel for the weekly report", show_moderator_names="Name moderators publicly",
        two_moderator_rule="Removing a verified physician needs a second moderator",
        conflict_check="Warn and mark when a moderator acts on someone they were arguing with",
        conflict_window_minutes="How far back an argument counts", appeal_reminder_hours="Remind after this long",
    )
    async def settings_set(
        self, interaction: Interaction, transparency_channel: discord.TextChannel | None = None,
        review_channel: discord.TextChannel | None = None, report_channel: discord.TextChannel | None = None,
        show_moderator_names: bool | None = None, two_moderator_rule: bool | None = None,
        conflict_check: bool | None = None, conflict_window_minutes: app_commands.Range[int, 1, 10_080] | None = None,
        appeal_reminder_hours: app_commands.Range[int, 1, 720] | None = None,
    ) -> None:
        """Owners choose; every change is validated as a whole before it is stored."""
        guild, _, owner = await self._context(interaction, Rank.OWNER)
        changes: dict[str, Any] = {
            key: value for key, value in {
                "transparency_channel_id": transparency_channel.id if transparency_channel else None,
                "review_channel_id": review_channel.id if review_channel else None,
                "report_channel_id": report_channel.id if report_channel else None,
                "show_moderator_names": show_moderator_names, "two_moderator_rule": two_moderator_rule,
                "conflict_check": conflict_check, "conflict_window_minutes": conflict_window_minutes,
                "appeal_reminder_hours": appeal_reminder_hours,
            }.items() if value is not None
        }
        try:
            policy = await self.service.update_policy(guild.id, changes, owner.user_id)
        except PolicyError as error:
            await self._answer(interaction, str(error))
            return
        self.bot.events.emit("settings_changed", feature="moderation", guild_id=guild.id, keys=sorted(changes),
                             by=owner.user_id)
        await self._answer(interaction, "Saved. " + ", ".join(f"`{k}` = {getattr(policy, k)}" for k in changes))

    @settings_group.command(name="unset", description="Return a moderation setting to its default")
    async def settings_unset(
        self, interaction: Interaction,
        setting: Literal["transparency_channel_id", "review_channel_id", "report_channel_id", "show_moderator_names",
                         "two_moderator_rule", "conflict_check", "conflict_window_minutes",
                         "appeal_reminder_hours"],
    ) -> None:
        """Owners can always go back to the defaults."""
        guild, _, owner = await self._context(interaction, Rank.OWNER)
        await self.service.update_policy(guild.id, {setting: None}, owner.user_id)
        await self._answer(interaction, f"`{setting}` is back to its default.")

    @settings_group.command(name="report", description="The owners' report now, as chart images")
    async def settings_report(self, interaction: Interaction) -> None:
        """The weekly report on demand (privately)."""
        guild, _, _ = await self._context(interaction, Rank.OWNER)
        await defer_first(interaction)
        files = await self._report_files(guild)
        await self._answer(interaction, "The last 12 weeks:", files=files)

    async def _report_files(self, guild: discord.Guild) -> list[discord.File]:
        rows = await load_rows(self.bot.db, guild.id, self.bot.clock.now() - timedelta(weeks=12))
        known = with_live_names(await self.bot.names.names(guild.id), channels={c.id: c.name for c in guild.channels},
                                members={m.id: m.display_name for m in guild.members})
        charts = await asyncio.to_thread(render_report, rows, names=known.members, channel_names=known.channels)
        return [discord.File(io.BytesIO(png), filename=name) for name, png in charts.items()]

    async def _maybe_weekly_report(self, guild: discord.Guild) -> None:
        policy = await self.service.policy(guild.id)
        if policy.report_channel_id is None:
            return
        channel = guild.get_channel(policy.report_channel_id)
        if not isinstance(channel, discord.TextChannel):
            return
        now = self.bot.clock.now()
        last = await self.bot.guild_settings.get(guild.id, REPORT_KEY)
        if isinstance(last, str) and now - from_iso(last) < REPORT_EVERY:
            return
        await self.bot.guild_settings.set(guild.id, REPORT_KEY, to_iso(now), now=now)
        message = await self._post(channel, "**Weekly moderation report** (last 12 weeks)",
                                   files=await self._report_files(guild))
        if message is not None:
            self.bot.events.emit("report", guild_id=guild.id, channel_id=channel.id, charts=len(message.attachments))
