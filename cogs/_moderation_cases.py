"""``/case show|list|amend``: moderators read the case log and amend it (the original stays on record)."""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands

from cogs._moderation_base import Interaction, ModerationBase, when
from cogs._pages import send_pages
from primum import display
from primum.domain.cases import CHANNEL_KINDS, Case, InvalidInput, case_label, parse_kind
from primum.domain.moderation_rules import Rank
from primum.services.moderation import Refused

log = logging.getLogger(__name__)


class CaseCommands(ModerationBase):
    """The case log for moderators."""

    # --- /case ------------------------------------------------------------------------------------
    case_group = app_commands.Group(
        name="case", description="Moderators: the case log", guild_only=True,
        default_permissions=discord.Permissions(moderate_members=True),
    )

    @case_group.command(name="show", description="Show a case and its full history")
    @app_commands.describe(case="The case number")
    async def case_show(self, interaction: Interaction, case: app_commands.Range[int, 1]) -> None:
        """Moderators see everything on a case, amendments included, in order."""
        guild, _, _ = await self._context(interaction, Rank.MODERATOR)
        history = await self.service.case_log.history(case, guild.id)
        if history is None:
            await self._answer(interaction, f"There is no case #{case} here.")
            return
        appeal = await self.service.appeals.for_case(history.number)
        lines = [f"**Case #{history.number}** · {case_label(history.original)} · target "
                 f"{self._target(history.original)} · now **{history.current.status.value}**"]
        for row in history.rows:
            label = "original" if not row.is_amendment else f"amendment (row {row.id})"
            line = f"• {label} {when(row)} by {self._name(guild, row.actor_id)}: {row.reason}"
            if row.duration_s:
                line += f" · {display.duration_words(row.duration_s)}"
            if row.evidence_url:
                line += f" · evidence: <{row.evidence_url}>"
            if row.conflict:
                line += " · ⚠ moderator was arguing with the member"
            if "confirmed_by" in row.details:
                line += f" · confirmed by {self._name(guild, int(row.details['confirmed_by']))}"
            lines.append(line)
        if appeal is not None:
            lines.append(f"Appeal #{appeal.id}: {appeal.status.value}"
                         + (f" by {self._name(guild, appeal.decided_by)}" if appeal.decided_by else ""))
        await send_pages(interaction, lines)

    def _target(self, case: Case) -> str:
        if case.target_id is None:  # a channel-wide purge names its channel in the details
            channel = case.details.get("channel_id")
            return f"<#{channel}>" if isinstance(channel, int) else "—"
        return f"<#{case.target_id}>" if case.kind in CHANNEL_KINDS else f"<@{case.target_id}>"

    @case_group.command(name="list", description="Recent cases, filtered by member, moderator or kind")
    @app_commands.describe(member="Cases about this member", moderator="Cases by this moderator", kind="Only this kind")
    async def case_list(self, interaction: Interaction, member: discord.User | None = None,
                        moderator: discord.User | None = None,
                        kind: Literal["note", "warn", "hide", "purge", "slowmode", "cooldown", "kick", "ban",
                                      "lift", "unban", "verification", "forget"] | None = None) -> None:
        """The newest 15 cases matching the filters."""
        guild, _, _ = await self._context(interaction, Rank.MODERATOR)
        found = await self.service.cases.search(
            guild.id, target_id=member.id if member else None, actor_id=moderator.id if moderator else None,
            kind=parse_kind(kind) if kind else None, limit=15,
        )
        if not found:
            await self._answer(interaction, "No cases match.")
            return
        lines = []
        for history in found:
            current = history.current
            flag = " ⚠" if history.original.conflict else ""
            lines.append(f"**#{history.number}** {case_label(history.original)} · {self._target(history.original)}"
                         f" · by {self._name(guild, history.original.actor_id)} · {when(history.original)} · "
                         f"{current.status.value}{flag}")
        await send_pages(interaction, lines)

    @case_group.command(name="amend", description="Add an amendment to a case (the original stays on record)")
    @app_commands.describe(case="The case number", reason="Why you amend it (kept on record)",
                           evidence="A new evidence link", duration_minutes="A corrected duration")
    async def case_amend(self, interaction: Interaction, case: app_commands.Range[int, 1], reason: str,
                         evidence: str | None = None,
                         duration_minutes: app_commands.Range[int, 0, 40_320] | None = None) -> None:
        """Nothing is overwritten: the amendment is a new row pointing to the old one."""
        guild, policy, actor = await self._context(interaction, Rank.MODERATOR)
        history = await self.service.case_log.history(case, guild.id)
        target = (self._member_party(guild, policy, history.original.target_id, history.original.kind)
                  if history is not None else None)
        try:
            row = await self.service.amend(guild.id, case, actor, reason, evidence,
                                           duration_minutes * 60 if duration_minutes is not None else None, target)
        except (Refused, InvalidInput) as error:
            log.info("amendment of case %d refused: %s", case, error)
            await self._answer(interaction, str(error))
            return
        await self._answer(interaction, f"Case #{row.number} amended (row {row.id}); the original stays on record.")
