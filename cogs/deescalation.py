"""De-escalation: heat from be-kind scores, a ladder of small reversible steps, restart-safe timers.

Thin adapter: scored messages (from the be-kind cog's ``message_scored`` event) and slash commands
go to ``DeescalationService``; this module only turns Discord objects into ids and performs the
Discord side effects the service asks for (``DiscordDeescalationPort``).
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs._checks import has_any_permission, owners_only, require
from cogs._deescalation_port import ALERT_CHANNEL_NAMES, DiscordDeescalationPort
from cogs._embeds import settings_embed
from cogs._interactions import answer, defer_first
from cogs._ranks import refuse_target
from primum import display
from primum.domain.ladder_config import (
    CONFIG_KEYS,
    SLOWMODE_MAX_SECONDS,
    TIMEOUT_MAX_MINUTES,
    LadderConfig,
    LadderConfigError,
)
from primum.domain.scored import ScoredMessage
from primum.reporting.charts import render_async
from primum.runtime.tasks import BackgroundTasks
from primum.services.deescalation import DeescalationService
from primum.services.heat_view import describe, render_chart

if TYPE_CHECKING:
    from primum.app import PrimumBot

#: Labels where a key alone would read ambiguously ("Slowmode" for both its wait and its length).
LADDER_LABELS = {"slowmode_seconds": "Slowmode wait per message", "slowmode_minutes": "Slowmode lasts",
                 "cooldown_minutes": "Cooldown lasts", "steps": "Steps in use"}

log = logging.getLogger(__name__)

MODERATORS_ONLY = "Only moderators can use this command."
OWNERS_ONLY = "Only the server's owners can change de-escalation settings."

Interaction = discord.Interaction["PrimumBot"]


def _can_cool_down(interaction: Interaction) -> bool:
    """Who may use the cool-down commands and /heat: Timeout Members or Administrator.

    Narrower than :func:`cogs._checks.is_moderator` on purpose: Manage Server or Manage Messages alone
    do not let a member time others out or slow channels down.
    """
    return has_any_permission(interaction, ("moderate_members", "administrator"))


def _channel_id(interaction: Interaction, channel: discord.TextChannel | None) -> int:
    """The channel a command names, else the one it was used in."""
    channel_id = channel.id if channel is not None else interaction.channel_id
    assert channel_id is not None
    return channel_id


class Deescalation(commands.Cog):
    """Cools down heated exchanges in small, reversible, timed steps; moderators can step in."""

    cooldown = app_commands.Group(
        name="cooldown", description="Timed slowmode and member cooldowns (moderators)", guild_only=True,
        default_permissions=discord.Permissions(moderate_members=True),
    )
    settings_group = app_commands.Group(
        name="deescalation", description="De-escalation ladder settings (owners)", guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot
        self.service = DeescalationService(
            db=bot.db, guild_settings=bot.guild_settings, events=bot.events, clock=bot.clock,
            defaults=bot.settings.deescalation, observe=bot.observe,
        )
        self.service.port = DiscordDeescalationPort(bot)
        self._tasks = BackgroundTasks("de-escalation", log)

    # --- lifecycle ----------------------------------------------------------------------------
    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        """Acknowledge every command first: a 429/5xx or a busy database must not cost the answer."""
        await defer_first(interaction)
        return True

    async def cog_load(self) -> None:
        """Re-hydrate the timers once connected (never wait for the gateway in cog_load itself)."""
        self._tasks.spawn(self._after_ready(), "deescalation-start")

    async def cog_unload(self) -> None:
        """Stop the timers; pending actions stay in the database for the next start."""
        await self._tasks.cancel_all()
        await self.service.stop()

    def abandon(self) -> None:
        """Drop timers and tasks at once, as a crash would (the demo's kill_bot may call this)."""
        self._tasks.abandon()
        self.service.scheduler.abandon()

    async def _after_ready(self) -> None:
        await self.bot.wait_until_ready()
        await self.service.start()

    # --- events -------------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_message_scored(self, scored: ScoredMessage) -> None:
        """Every scored guild message feeds heat and may move the ladder one rung."""
        await self.service.on_scored(scored)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        """Leaving and rejoining does not end a cooldown."""
        await self.service.on_member_join(member.guild.id, member.id)

    # --- moderator commands -------------------------------------------------------------------
    @cooldown.command(name="channel", description="Timed slowmode for a channel; it lifts itself")
    @app_commands.describe(
        reason="Why (recorded, and shown in the audit log)",
        minutes="How long the slowmode lasts (default from the ladder settings)",
        seconds="Seconds each member must wait between messages (1-21600)",
        channel="Which channel (default: this one)",
    )
    @require(_can_cool_down, MODERATORS_ONLY)
    async def cooldown_channel(
        self, interaction: Interaction, reason: app_commands.Range[str, 3, 400],
        minutes: app_commands.Range[float, 0.05, 1440.0] | None = None,
        seconds: app_commands.Range[int, 1, SLOWMODE_MAX_SECONDS] | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """A moderator slows a channel down for a while, with a mandatory reason."""
        assert interaction.guild is not None
        channel_id = _channel_id(interaction, channel)
        config = await self.service.config_for(interaction.guild.id, channel_id)
        result = await self.service.slowmode_channel(
            interaction.guild.id, channel_id, seconds=seconds or config.slowmode_seconds,
            duration=timedelta(minutes=minutes or config.slowmode_minutes), reason=reason,
            actor_id=interaction.user.id,
        )
        await answer(interaction, result.message)

    @cooldown.command(name="member", description="A short timeout for one member; it ends by itself")
    @app_commands.describe(member="Who", reason="Why (recorded, and shown in the audit log)",
                           minutes="How long (default from the ladder settings; at most 28 days)")
    @require(_can_cool_down, MODERATORS_ONLY)
    async def cooldown_member(
        self, interaction: Interaction, member: discord.Member, reason: app_commands.Range[str, 3, 400],
        minutes: app_commands.Range[float, 0.05, float(TIMEOUT_MAX_MINUTES)] | None = None,
    ) -> None:
        """A moderator cools one member down; owners and administrators cannot be, and we say so."""
        assert interaction.guild is not None
        refusal = refuse_target(interaction, member)
        if refusal is not None:
            await answer(interaction, refusal)
            return
        config = await self.service.config_for(interaction.guild.id, interaction.channel_id)
        result = await self.service.cooldown_member(
            interaction.guild.id, member.id, timedelta(minutes=minutes or config.cooldown_minutes), reason=reason,
            actor_id=interaction.user.id, channel_id=interaction.channel_id,
        )
        await answer(interaction, result.message)

    @cooldown.command(name="lift", description="End Primum's slowmode (a channel) or cooldown (a member) early")
    @app_commands.describe(reason="Why (recorded)", member="Lift this member's cooldown",
                           channel="Lift this channel's slowmode (default: this one, when no member is given)")
    @require(_can_cool_down, MODERATORS_ONLY)
    async def cooldown_lift(
        self, interaction: Interaction, reason: app_commands.Range[str, 3, 400],
        member: discord.Member | None = None, channel: discord.TextChannel | None = None,
    ) -> None:
        """Lift early; the reason and who lifted it are recorded."""
        assert interaction.guild is not None
        refusal = refuse_target(interaction, member) if member is not None else None
        if refusal is not None:
            await answer(interaction, refusal)
            return
        if member is not None:
            result = await self.service.lift_member(interaction.guild.id, member.id, reason=reason,
                                                    actor_id=interaction.user.id)
        else:
            channel_id = _channel_id(interaction, channel)
            result = await self.service.lift_channel(interaction.guild.id, channel_id, reason=reason,
                                                     actor_id=interaction.user.id)
        await interaction.followup.send(result.message, ephemeral=True)

    @app_commands.command(name="heat", description="How heated a channel is, with a small chart")
    @app_commands.describe(channel="Which channel (default: this one)")
    @app_commands.guild_only()
    @app_commands.default_permissions(moderate_members=True)
    @require(_can_cool_down, MODERATORS_ONLY)
    async def heat(self, interaction: Interaction, channel: discord.TextChannel | None = None) -> None:
        """Show the channel's heat and the last 30 minutes as a PNG (drawn off the event loop)."""
        assert interaction.guild is not None
        channel_id = _channel_id(interaction, channel)
        view = await self.service.heat_view(interaction.guild.id, channel_id)
        names = {}
        for member_id, _ in view.members:
            member = interaction.guild.get_member(member_id)
            if member is not None:
                names[member_id] = member.display_name
        png = await render_async(render_chart, view)
        await interaction.followup.send(describe(view, names), file=discord.File(io.BytesIO(png), "heat.png"),
                                        ephemeral=True)

    # --- owner settings -----------------------------------------------------------------------
    @settings_group.command(name="config", description="Change one ladder setting for the server or a channel")
    @app_commands.describe(setting="Which setting", value="New value (numbers; steps as a comma list)",
                           channel="Only for this channel (default: the whole server)")
    @app_commands.choices(setting=[app_commands.Choice(name=key, value=key) for key in CONFIG_KEYS])
    @owners_only(OWNERS_ONLY)
    async def config(
        self, interaction: Interaction, setting: str, value: app_commands.Range[str, 1, 200],
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Validate and store one override; the answer names what is allowed when it is not."""
        assert interaction.guild is not None
        try:
            config = await self.service.configure(interaction.guild.id, {setting: value},
                                                  actor_id=interaction.user.id,
                                                  channel_id=channel.id if channel is not None else None)
        except LadderConfigError as error:
            await answer(interaction, f"Not changed: {error}")
            return
        where = channel.mention if channel is not None else "the whole server"
        shown = config.as_json()[setting]
        await answer(interaction, f"`{setting}` is now `{shown}` for {where}.")

    @settings_group.command(name="show", description="The ladder settings in effect")
    @app_commands.describe(channel="For this channel (default: the server)")
    @owners_only(OWNERS_ONLY)
    async def show(self, interaction: Interaction, channel: discord.TextChannel | None = None) -> None:
        """List every setting and its value in effect."""
        assert interaction.guild is not None
        config = await self.service.config_for(interaction.guild.id, channel.id if channel is not None else None)
        rows = display.setting_rows(config.as_json(), descriptions=CONFIG_KEYS, defaults=LadderConfig().as_json(),
                                    labels=LADDER_LABELS, show_keys=True)
        alert = await self.service.alert_channel(interaction.guild.id)
        alerts = (display.channel(alert) if alert
                  else "the first of #" + ", #".join(ALERT_CHANNEL_NAMES) + " (found by name)")
        where = channel.mention if channel is not None else "the whole server"
        # the alert channel goes in the description: the 25 settings fill Discord's 25 embed fields
        embed = settings_embed("De-escalation settings", rows,
                               description=f"In effect for {where}. Alerts go to {alerts}.",
                               footer="Change with /deescalation config; back to defaults with /deescalation reset")
        await answer(interaction, "", embed=embed)

    @settings_group.command(name="reset", description="Back to the defaults (for the server or one channel)")
    @owners_only(OWNERS_ONLY)
    async def reset(self, interaction: Interaction, channel: discord.TextChannel | None = None) -> None:
        """Drop the overrides at one scope."""
        assert interaction.guild is not None
        existed = await self.service.reset_config(interaction.guild.id, actor_id=interaction.user.id,
                                                  channel_id=channel.id if channel is not None else None)
        await answer(interaction, "Back to the defaults." if existed else "There were no overrides.")

    @settings_group.command(name="alerts", description="Where moderator alerts go")
    @app_commands.describe(channel="The channel (leave empty to go back to #mod-alerts / #mod-log)")
    @owners_only(OWNERS_ONLY)
    async def alerts(self, interaction: Interaction, channel: discord.TextChannel | None = None) -> None:
        """Choose the alert channel."""
        assert interaction.guild is not None
        await self.service.set_alert_channel(interaction.guild.id, channel.id if channel is not None else None,
                                             actor_id=interaction.user.id)
        where = channel.mention if channel is not None else "#" + " / #".join(ALERT_CHANNEL_NAMES)
        await answer(interaction, f"Moderator alerts go to {where}.")


async def setup(bot: PrimumBot) -> None:
    """Load the Deescalation cog."""
    await bot.add_cog(Deescalation(bot))
