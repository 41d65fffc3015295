"""``/standing``: members see what Primum has on record about them, privately, and how to appeal."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from cogs._moderation_base import Interaction, ModerationBase, when
from cogs._pages import send_pages
from primum import display
from primum.domain.appeals import Appeal
from primum.domain.cases import CaseHistory, CaseStatus, case_label
from primum.domain.moderation_policy import ModerationPolicy

log = logging.getLogger(__name__)


class StandingCommands(ModerationBase):
    """``/standing``: a member's own nudges, cooldowns, cases and appeals."""

    @app_commands.command(name="standing", description="What Primum has on record about you, and how to appeal")
    @app_commands.guild_only()
    async def standing(self, interaction: Interaction) -> None:
        """Show members their own nudges, cooldowns and cases, privately: nothing is hidden from them."""
        guild = interaction.guild
        assert guild is not None
        policy = await self.service.policy(guild.id)
        standing = await self.service.standing(guild.id, interaction.user.id)
        lines = [f"**Your standing in {guild.name}**"]
        if standing.nudges:
            lines.append("Recent be-kind nudges (private, no penalty):")
            for nudge in standing.nudges:
                outcome = nudge.outcome or "open"
                lines.append(f"• <t:{int(nudge.created_at.timestamp())}:d> in <#{nudge.channel_id}>: "
                             f"{nudge.category.replace('_', ' ')} → {outcome}")
        else:
            lines.append("No recent be-kind nudges.")
        timed_out = getattr(interaction.user, "timed_out_until", None)
        cooldowns = [f"• until <t:{int(c.expires_at.timestamp())}:t> ({c.reason})" for c in standing.cooldowns]
        if not cooldowns and timed_out is not None and timed_out > self.bot.clock.now():
            cooldowns.append(f"• timed out until <t:{int(timed_out.timestamp())}:t>")
        lines.append("Active cooldowns:" if cooldowns else "No active cooldowns.")
        lines.extend(cooldowns)
        if standing.cases:
            lines.append("Cases about you:")
            for history in standing.cases:
                lines.append(self._member_case_line(history, standing.appeals.get(history.number), policy, guild))
            lines.append("To appeal a case: `/appeal case:<number>`. A moderator who took no part in it decides, "
                         "and you'll get the decision and the reason by DM.")
        else:
            lines.append("No moderation cases about you.")
        self.bot.events.emit("command", name="standing", user_id=interaction.user.id)
        await send_pages(interaction, lines)

    def _member_case_line(self, history: CaseHistory, appeal: Appeal | None, policy: ModerationPolicy,
                          guild: discord.Guild) -> str:
        current = history.current
        who = ("Primum" if history.original.actor_id is None
               else self._name(guild, history.original.actor_id) if policy.show_moderator_names else "a moderator")
        bits = [f"• **#{history.number}** {case_label(history.original)} {when(history.original)} by {who}",
                f"reason: {current.reason}"]
        if current.duration_s:
            bits.append(f"for {display.duration_words(current.duration_s)}")
        if current.status is not CaseStatus.ACTIVE:
            bits.append(f"now **{current.status.value}**")
        if appeal is not None:
            bits.append(f"appeal: {appeal.status.value}")
        return " · ".join(bits)
