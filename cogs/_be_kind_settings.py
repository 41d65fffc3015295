"""``/kind-settings``: what an owner can change about be-kind, each change validated and answered.

A mixin of the :class:`~cogs.be_kind.BeKind` cog (which acknowledges every command first, so each
command here answers with :func:`~cogs._interactions.answer`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cogs._checks import owners_only
from cogs._embeds import settings_embed
from cogs._interactions import answer
from primum import display
from primum.domain.durations import parse_duration
from primum.domain.observe import parse_mode
from primum.domain.policy import ACTIONABLE, ThresholdError, parse_threshold
from primum.domain.privacy import KEPT_TEXT_RETENTION
from primum.domain.templates import PLACEHOLDERS, TemplateError
from primum.services.kindness import KindnessService
from primum.services.report_review import KEEP_TEXT_KEY

if TYPE_CHECKING:
    from primum.app import PrimumBot

OWNERS_ONLY = "Only the server's owners (Manage Server) can change be-kind settings."


async def _complete(current: str, options: list[str]) -> list[app_commands.Choice[str]]:
    lowered = current.lower()
    return [app_commands.Choice(name=o, value=o) for o in options if lowered in o.lower()][:25]


class KindSettingsCommands(commands.Cog):
    """The ``/kind-settings`` group (owners; hidden from others by default_member_permissions).

    Not loaded on its own: :class:`~cogs.be_kind.BeKind` inherits it.
    """

    bot: PrimumBot
    service: KindnessService

    settings_group = app_commands.Group(
        name="kind-settings", description="Be-kind settings for this server's owners", guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    # --- /kind-settings (owners) -------------------------------------------------------------------------

    @settings_group.command(name="show", description="Show this server's be-kind settings")
    @owners_only(OWNERS_ONLY)
    async def show(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Everything an owner can change, with where each value comes from."""
        assert interaction.guild is not None
        policy = await self.service.policy(interaction.guild.id)
        observe = await self._observe_line(interaction.guild.id)
        verdict_text = bool(await self.bot.guild_settings.get(interaction.guild.id, KEEP_TEXT_KEY))
        await answer(interaction, "", embed=self._settings_embed(policy, observe, verdict_text))

    def _settings_embed(self, policy: Any, observe: str, verdict_text: bool) -> discord.Embed:
        base = policy.thresholds_for([])
        o = policy.overrides

        def cut(value: float | None) -> str:
            return "off" if value is None else f"{value:.2f}"

        rows = [(name.replace("_", " ").capitalize(), f"nudge {cut(base[name].nudge)} · hide {cut(base[name].hide)}")
                for name in ACTIONABLE]
        overrides = [f"{display.channel(cid)} nudge {'off' if level.off else f'{level.value:.2f}'}"
                     for cid, level in o.channel_nudge.items()]
        overrides += [f"{display.channel(cid)} hide {'off' if level.off else f'{level.value:.2f}'}"
                      for cid, level in o.channel_hide.items()]
        rows += [
            ("Channel overrides", display.bullet_lines(overrides)),
            ("Exempt channels", ", ".join(display.channel(c) for c in sorted(policy.exemptions.channel_ids))
             or "none"),
            ("Exempt roles", ", ".join(display.role(r) for r in sorted(policy.exemptions.role_ids)) or "none"),
            ("Nudge window", f"one nudge per author per {display.duration_words(policy.nudge_window)}"),
            ("Outcome window", f"an edit counts for {display.duration_words(policy.outcome_window)}"),
            ("Mod-log", display.channel(policy.modlog_channel_id) if policy.modlog_channel_id
             else "#mod-log (found by name)"),
            ("Text in the mod-log", f"on, kept {display.duration_words(timedelta(days=policy.modlog_text_days))}"
             if policy.modlog_text_days else "off"),
            ("Model", f"{self.bot.scorer.version} ({self.bot.scorer.state})"),
            ("Documented hate codes", "on (nudge)" if policy.coded_hate else "off (/kind-settings codes)"),
            ("Observe mode", observe.removeprefix("Observe mode: ")),
            ("Text with report verdicts", f"kept {display.duration_words(KEPT_TEXT_RETENTION)} (/kind-reports text)"
             if verdict_text else "not kept (/kind-reports text)"),
        ]
        return settings_embed("Be-kind settings", rows, footer="Change with /kind-settings threshold, exempt, "
                              "window, template, codes or modlog")

    @settings_group.command(name="threshold",
                            description="Set the nudge or hide threshold (server, channel, category)")
    @app_commands.describe(
        action="nudge: a private note; hide: delete and return the text to its author",
        value="0.05–1 (e.g. 0.8), 'off' (hide only) or 'default'",
        channel="Only in this channel (and its threads)",
        category="Only for this kind of unkindness",
    )
    @owners_only(OWNERS_ONLY)
    async def threshold(
        self, interaction: discord.Interaction[PrimumBot], action: Literal["nudge", "hide"], value: str,
        channel: discord.TextChannel | discord.Thread | discord.CategoryChannel | None = None,
        category: str | None = None,
    ) -> None:
        """Thresholds resolve category → channel → server → default; the most specific wins."""
        assert interaction.guild is not None
        try:
            level = parse_threshold(value, allow_off=action == "hide")
            await self.service.policies.set_threshold(
                interaction.guild.id, action, level, actor_id=interaction.user.id,
                channel_id=channel.id if channel is not None else None, category=category,
            )
        except (ThresholdError, ValueError) as error:
            await answer(interaction, f"Not changed: {error}")
            return
        where = channel.mention if channel is not None else (f"category {category}" if category else "this server")
        shown = "default" if not level.is_set else ("off" if level.off else f"{level.value:.2f}")
        self.bot.events.emit("kindness_setting", guild_id=interaction.guild.id, key=f"{action}_threshold",
                             value=shown, scope=where, actor_id=interaction.user.id)
        await answer(interaction, f"{action.capitalize()} threshold for {where}: **{shown}**.")

    @threshold.autocomplete("value")
    async def _threshold_values(self, interaction: discord.Interaction[PrimumBot],
                                current: str) -> list[app_commands.Choice[str]]:
        model = self.bot.scorer.thresholds
        options = ["default", f"{model.nudge:.2f}", "0.60", "0.70", "0.80", "0.90", "off"]
        return await _complete(current, options)

    @threshold.autocomplete("category")
    async def _categories(self, interaction: discord.Interaction[PrimumBot],
                          current: str) -> list[app_commands.Choice[str]]:
        return await _complete(current, list(ACTIONABLE))

    @settings_group.command(name="exempt", description="Exempt a channel or role from scoring (or undo it)")
    @app_commands.describe(channel="A channel not to score (e.g. #venting)", role="A role not to score",
                           exempt="True to exempt, False to score again")
    @owners_only(OWNERS_ONLY)
    async def exempt(
        self, interaction: discord.Interaction[PrimumBot],
        channel: discord.TextChannel | discord.CategoryChannel | None = None,
        role: discord.Role | None = None, exempt: bool = True,
    ) -> None:
        """Exempt channels and roles are never scored (a #venting channel may allow strong words)."""
        assert interaction.guild is not None
        if channel is None and role is None:
            await answer(interaction, "Name a channel or a role.")
            return
        done = []
        if channel is not None:
            await self.service.policies.set_exempt(interaction.guild.id, "channel", channel.id, exempt,
                                          actor_id=interaction.user.id)
            done.append(channel.mention)
        if role is not None:
            await self.service.policies.set_exempt(interaction.guild.id, "role", role.id, exempt,
                                                   actor_id=interaction.user.id)
            done.append(role.mention)
        await answer(interaction, f"{', '.join(done)}: {'exempt from scoring' if exempt else 'scored again'}.")

    @settings_group.command(name="window", description="One nudge per author per window; how long outcomes count")
    @app_commands.describe(which="nudge: per-author window; outcome: how long an edit still counts",
                           duration="e.g. 30s, 10m, 2h, or 'default'")
    @owners_only(OWNERS_ONLY)
    async def window(self, interaction: discord.Interaction[PrimumBot], which: Literal["nudge", "outcome"],
                     duration: str) -> None:
        """Durations are validated (0s–7d for nudges, 10s–7d for outcomes)."""
        assert interaction.guild is not None
        try:
            parsed = None if duration.strip().lower() == "default" else parse_duration(
                duration, minimum=timedelta(seconds=0 if which == "nudge" else 10))
        except ThresholdError as error:
            await answer(interaction, f"Not changed: {error}")
            return
        await self.service.policies.set_window(interaction.guild.id, which, parsed, actor_id=interaction.user.id)
        shown = display.duration_words(parsed) if parsed is not None else "default"
        await answer(interaction, f"{which.capitalize()} window: **{shown}**.")

    @window.autocomplete("duration")
    async def _durations(self, interaction: discord.Interaction[PrimumBot],
                         current: str) -> list[app_commands.Choice[str]]:
        return await _complete(current, ["default", "30s", "5m", "10m", "30m", "1h", "1d"])

    @settings_group.command(name="template", description="Change a message Primum sends (or 'default')")
    @app_commands.describe(name="Which message", text="The new text with {placeholders}, or 'default'")
    @owners_only(OWNERS_ONLY)
    async def template(self, interaction: discord.Interaction[PrimumBot], name: str,
                       text: app_commands.Range[str, 1, 1500]) -> None:
        """Templates are validated: only the placeholders that message offers are allowed."""
        assert interaction.guild is not None
        try:
            now_used = await self.service.policies.set_template(
                interaction.guild.id, name, None if text.strip().lower() == "default" else text,
                actor_id=interaction.user.id,
            )
        except (TemplateError, ValueError) as error:
            await answer(interaction, f"Not changed: {error}")
            return
        await answer(interaction, f"Template **{name}** is now:\n>>> {now_used}"[:2000])

    @template.autocomplete("name")
    async def _template_names(self, interaction: discord.Interaction[PrimumBot],
                              current: str) -> list[app_commands.Choice[str]]:
        return await _complete(current, sorted(PLACEHOLDERS))

    @settings_group.command(name="codes", description="Documented hate codes (e.g. the ((( ))) echo): nudge or not")
    @app_commands.describe(state="on (default): a message using a documented antisemitic code is nudged; off: "
                           "only the model decides")
    @owners_only(OWNERS_ONLY)
    async def codes(self, interaction: discord.Interaction[PrimumBot], state: Literal["on", "off"]) -> None:
        """Off suits a server that quotes and studies such codes all day; a lift never hides anyway."""
        assert interaction.guild is not None
        await self.service.policies.set_coded_hate(interaction.guild.id, state == "on", actor_id=interaction.user.id)
        await answer(interaction, f"Documented hate codes: **{state}**.")

    @settings_group.command(name="modlog", description="Where be-kind cases go, and whether they include text")
    @app_commands.describe(channel="The mod-log channel", text_days="0: never include text; 1–90: include it "
                           "and keep it that many days")
    @owners_only(OWNERS_ONLY)
    async def modlog(self, interaction: discord.Interaction[PrimumBot], channel: discord.TextChannel | None = None,
                     text_days: app_commands.Range[int, 0, 90] | None = None) -> None:
        """Text in the mod-log is opt-in and expires."""
        assert interaction.guild is not None
        notes = []
        if channel is not None:
            await self.service.policies.set_modlog_channel(interaction.guild.id, channel.id,
                                                           actor_id=interaction.user.id)
            notes.append(f"mod-log: {channel.mention}")
        if text_days is not None:
            await self.service.policies.set_modlog_text(interaction.guild.id, text_days, actor_id=interaction.user.id)
            notes.append(f"text in the mod-log: {f'on, kept {text_days} day(s)' if text_days else 'off'}")
        await answer(interaction, "; ".join(notes) or "Nothing changed.")

    async def _observe_line(self, guild_id: int) -> str:
        current = await self.bot.observe.settings(guild_id)
        server = {True: "on", False: "off", None: "default"}[current.mode]
        trial = f", new-server trial until <t:{int(current.until.timestamp())}:f>" if current.until else ""
        channels = ", ".join(f"<#{cid}> {'on' if mode else 'off'}" for cid, mode in current.channels.items()
                             if mode is not None)
        return (f"Observe mode: server {server}{trial}" + (f"; channels: {channels}" if channels else "")
                + f"; text with reports: {'kept' if current.keep_text else 'not kept'}")

    @settings_group.command(name="observe", description="Observe mode: decide as usual, only report to the mod-log")
    @app_commands.describe(mode="on: only report what Primum would do; off: act; default: inherit",
                           channel="Only this channel (and its threads)",
                           keep_text="Keep message text with observe reports (off by default)")
    @owners_only(OWNERS_ONLY)
    async def observe(self, interaction: discord.Interaction[PrimumBot], mode: Literal["on", "off", "default"],
                      channel: discord.TextChannel | discord.CategoryChannel | None = None,
                      keep_text: bool | None = None) -> None:
        """Switch observe mode for the server or one channel; reports carry Correct / Wrong buttons."""
        assert interaction.guild is not None
        value = parse_mode(mode)
        await self.bot.observe.set_mode(interaction.guild.id, value, actor_id=interaction.user.id,
                                        channel_id=channel.id if channel is not None else None)
        if keep_text is not None:
            await self.bot.observe.set_keep_text(interaction.guild.id, keep_text, actor_id=interaction.user.id)
        where = channel.mention if channel is not None else "this server"
        shown = {True: "on: Primum only reports to the mod-log", False: "off: Primum acts",
                 None: "back to the default"}[value]
        text = f"Observe mode for {where}: **{shown}**."
        if keep_text is not None:
            text += f" Message text with reports: **{'kept' if keep_text else 'not kept'}**."
        await answer(interaction, text)

    @settings_group.command(name="reports", description="Nudges members reported as mistakes (/kind-reports list)")
    @owners_only(OWNERS_ONLY)
    async def reports(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """The same pages as ``/kind-reports list``: one verdict per report (cogs/report_review.py)."""
        review = self.bot.get_cog("ReportReview")
        if review is None:
            await answer(interaction, "Report review is not running.")
            return
        await review.show_page(interaction, 0)  # type: ignore[attr-defined]
