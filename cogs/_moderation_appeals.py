"""Appeals on Discord: ``/appeal``, the review card, reminders and ``/mod decide`` (or its buttons).

The rules (who may appeal, who decides) are in :mod:`primum.domain.appeals`, the flow in
:class:`~primum.services.moderation.ModerationService`; this part posts the card, DMs the reviewer and
the member, and undoes what an overturned case did (a ban, a cooldown).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import discord
from discord import app_commands

from cogs._interactions import defer_first
from cogs._moderation_base import MOD, Denied, Interaction, ModerationBase
from cogs._moderation_views import StatementModal, appeal_view
from primum.domain.appeals import Appeal, AppealStatus
from primum.domain.cases import CaseKind, InvalidInput, kind_label
from primum.domain.moderation_rules import Rank
from primum.services.moderation import Refused

log = logging.getLogger(__name__)


class AppealCommands(ModerationBase):
    """``/appeal`` and deciding appeals."""

    @app_commands.command(name="appeal", description="Appeal a moderation case about you")
    @app_commands.describe(case="The case number (see /standing)",
                           statement="Why it should be reconsidered (leave empty to write it in a form)")
    async def appeal(self, interaction: Interaction, case: app_commands.Range[int, 1],
                     statement: app_commands.Range[str, 0, 2000] | None = None) -> None:
        """Members may appeal any case about them; in a DM too (a removed member can still appeal)."""
        if statement:
            await self._file_appeal(interaction, case, statement)
            return

        async def submitted(form: Interaction, text: str) -> None:
            await self._file_appeal(form, case, text)

        await interaction.response.send_modal(StatementModal(case, submitted))

    async def _file_appeal(self, interaction: Interaction, number: int, statement: str) -> None:
        await defer_first(interaction)
        history = await self.service.case_log.history(number)
        guild = self.bot.get_guild(history.original.guild_id) if history is not None else None
        if history is None or guild is None or (interaction.guild is not None and interaction.guild.id != guild.id):
            await self._answer(interaction, f"There is no case #{number} here; /standing lists yours.")
            return
        policy = await self.service.policy(guild.id)
        candidates = [self.party(m, guild, policy) for m in guild.members if not m.bot]
        try:
            appeal = await self.service.file_appeal(guild.id, number, interaction.user.id, statement,
                                                    [c for c in candidates if c.rank >= Rank.MODERATOR], policy,
                                                    self._member_party(guild, policy, interaction.user.id))
        except (Refused, InvalidInput) as error:
            log.info("appeal of case %d refused: %s", number, error)
            await self._answer(interaction, str(error))
            return
        reviewer = (f"<@{appeal.reviewer_id}>" if appeal.reviewer_id
                    else "any moderator who took no part in it or in the conversation behind it")
        card = await self._post(
            self._review_channel(guild, policy),
            f"**Appeal #{appeal.id}** of case #{number} ({kind_label(history.original.kind)}), for {reviewer}.\n"
            f"Case reason: {history.current.reason}\nThe member writes: {appeal.statement}\n"
            f"Decide with the buttons or `/mod decide appeal:{appeal.id}`; a reminder follows in "
            f"{policy.appeal_reminder_hours} h.",
            view=appeal_view(appeal.id),
        )
        if card is not None:
            await self.service.appeals.set_review_message(appeal.id, card.channel.id, card.id)
        if appeal.reviewer_id is not None:
            await self._dm(appeal.reviewer_id, f"You've been asked to review appeal #{appeal.id} (case #{number}) in "
                                               f"{guild.name}; you took no part in the case.")
        await self._answer(interaction, f"Your appeal of case #{number} is with a moderator who took no part in it. "
                                        "You'll get the decision and the reason by DM.")

    async def _remind(self, appeal: Appeal) -> None:
        guild = self.bot.get_guild(appeal.guild_id)
        if guild is None:
            return
        policy = await self.service.policy(guild.id)
        text = (f"Reminder: appeal #{appeal.id} of case #{appeal.case_id} has waited more than "
                f"{policy.appeal_reminder_hours} h for a decision.")
        await self._post(self._review_channel(guild, policy), text)
        if appeal.reviewer_id is not None:
            await self._dm(appeal.reviewer_id, f"{text} ({guild.name})")

    async def handle_decision(self, interaction: Interaction, appeal_id: int, outcome: str, reason: str) -> None:
        """An uninvolved moderator upholds or overturns; tell the member, amend the case, undo a ban."""
        try:
            guild, policy, reviewer = await self._context(interaction, Rank.MODERATOR)
        except Denied as error:
            await self._answer(interaction, str(error))
            return
        status = AppealStatus.OVERTURNED if outcome == "overturn" else AppealStatus.UPHELD
        pending = await self.service.appeals.get(appeal_id)
        appellant = self._member_party(guild, policy, pending.appellant_id) if pending is not None else None
        try:
            appeal, case = await self.service.decide_appeal(appeal_id, guild.id, reviewer, status, reason,
                                                            policy, appellant)
        except (Refused, InvalidInput) as error:
            log.info("appeal %d decision refused: %s", appeal_id, error)
            await self._answer(interaction, str(error))
            return
        history = await self.service.case_log.history(appeal.case_id)
        assert history is not None
        extra = ""
        if status is AppealStatus.OVERTURNED and history.original.kind is CaseKind.BAN and history.original.target_id:
            try:
                await guild.unban(discord.Object(id=history.original.target_id), reason=f"appeal #{appeal_id}")
                await self.case_log.record(guild.id, CaseKind.UNBAN, history.original.target_id, reviewer.user_id,
                                           f"appeal #{appeal_id} overturned case #{appeal.case_id}")
                extra = " The ban was lifted."
            except discord.NotFound:
                extra = " (They were no longer banned.)"
            except discord.HTTPException as error:
                log.warning("could not lift a ban after an appeal: %s", error)
                extra = " Primum could not lift the ban; please do it in Server Settings → Bans."
        if status is AppealStatus.OVERTURNED and history.original.kind is CaseKind.COOLDOWN \
                and history.original.target_id:
            extra = await self._end_cooldown(guild.id, history.original.target_id, reviewer.user_id,
                                             f"appeal #{appeal_id} overturned case #{appeal.case_id}")
        verdict = "overturned" if status is AppealStatus.OVERTURNED else "upheld"
        await self._dm(appeal.appellant_id,
                       f"Your appeal of case #{appeal.case_id} in {guild.name} was decided: the case was **{verdict}**."
                       f"\nReason: {appeal.decision_reason}")
        await self._close_card(appeal.review_channel_id, appeal.review_message_id,
                               f"Case {verdict} by {self._name(guild, reviewer.user_id)}.")
        await self._answer(interaction, f"Appeal #{appeal_id}: case #{appeal.case_id} {verdict} (case row {case.id}); "
                                        f"the member has been told.{extra}")

    async def _end_cooldown(self, guild_id: int, user_id: int, actor_id: int, reason: str) -> str:
        """An overturned cooldown ends now, through de-escalation so its timer and record agree."""
        deescalation: Any = self.bot.get_cog("Deescalation")
        if deescalation is None:
            return " De-escalation is not loaded; lift the timeout by hand if it is still running."
        result = await deescalation.service.lift_member(guild_id, user_id, reason=reason, actor_id=actor_id)
        return " The cooldown was lifted." if result.ok else " (The cooldown had already ended.)"

    @MOD.command(name="decide", description="Decide an appeal (only if you took no part in the case)")
    @app_commands.describe(appeal="The appeal number", outcome="Uphold or overturn the case",
                           reason="Why (sent to the member, kept on the case)")
    async def mod_decide(self, interaction: Interaction, appeal: app_commands.Range[int, 1],
                         outcome: Literal["uphold", "overturn"], reason: str) -> None:
        """The slash form of the Uphold/Overturn buttons."""
        await self.handle_decision(interaction, appeal, outcome, reason)
