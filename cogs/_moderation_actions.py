"""Actions on members: ``/mod note|kick|ban`` and the second moderator's ``/mod confirm`` (or buttons).

A kick or ban of a verified physician waits for a second moderator (a review card with Confirm and
Decline); everything else is checked, recorded as a case, then carried out in Discord. The member
is told by DM before they lose the shared server.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands

from cogs._interactions import defer_first
from cogs._moderation_base import MOD, Denied, Interaction, ModerationBase
from cogs._moderation_views import confirmation_view
from primum.domain.cases import Case, CaseKind, InvalidInput, validate_evidence_url, validate_reason
from primum.domain.moderation_policy import ModerationPolicy
from primum.domain.moderation_rules import Rank, check_action
from primum.domain.removals import Confirmation, needs_second_moderator
from primum.services.moderation import Refused, RemovalRequest

log = logging.getLogger(__name__)


class ActionCommands(ModerationBase):
    """Note, kick, ban and the two-moderator confirmation."""

    @MOD.command(name="note", description="Put a note about a member on the record")
    @app_commands.describe(member="Who the note is about", reason="The note (kept on record)",
                           evidence="A link, e.g. to a message")
    async def mod_note(self, interaction: Interaction, member: discord.Member, reason: str,
                       evidence: str | None = None) -> None:
        """A note changes nothing in Discord but is part of the member's visible record."""
        await self._act(interaction, CaseKind.NOTE, member, reason, evidence)

    @MOD.command(name="kick", description="Remove a member (a verified physician needs a second moderator)")
    @app_commands.describe(member="Who to remove", reason="Why (sent to them, kept on record)",
                           evidence="A link, e.g. to a message")
    async def mod_kick(self, interaction: Interaction, member: discord.Member, reason: str,
                       evidence: str | None = None) -> None:
        """Kick through Primum so that it is on the record and appealable."""
        await self._act(interaction, CaseKind.KICK, member, reason, evidence)

    @MOD.command(name="ban", description="Ban a member (a verified physician needs a second moderator)")
    @app_commands.describe(member="Who to ban", reason="Why (sent to them, kept on record)",
                           evidence="A link, e.g. to a message")
    async def mod_ban(self, interaction: Interaction, member: discord.Member, reason: str,
                      evidence: str | None = None) -> None:
        """Ban through Primum so that it is on the record and appealable."""
        await self._act(interaction, CaseKind.BAN, member, reason, evidence)

    async def _act(self, interaction: Interaction, kind: CaseKind, member: discord.Member | discord.User,
                   reason: str, evidence: str | None) -> None:
        guild, policy, actor = await self._context(interaction, Rank.MODERATOR)
        target_member = guild.get_member(member.id) or member
        target = self.party(target_member, guild, policy)
        try:
            text = validate_reason(reason)
            evidence_url = validate_evidence_url(evidence)
        except InvalidInput as error:
            await self._answer(interaction, str(error))
            return
        decision = check_action(kind, actor, target, self._bot_party(guild, policy))
        if not decision:
            log.info("%s refused: %s", kind, decision.code)
            await self._answer(interaction, decision.message)
            return
        conflict = await self.service.conflict(guild.id, actor.user_id, target.user_id, policy)
        if needs_second_moderator(kind, target, policy):
            await self._request_second(interaction, guild, policy, RemovalRequest(
                guild.id, kind, target.user_id, actor.user_id, text, evidence_url,
                {"channel_id": interaction.channel_id} if interaction.channel_id else None, conflict is not None,
            ))
            return
        await defer_first(interaction)
        case = await self.case_log.record(guild.id, kind, target.user_id, actor.user_id, text, evidence_url,
                                          conflict=conflict is not None)
        if kind is CaseKind.NOTE:
            await self._answer(interaction, self._done(case, conflict is not None))
            return
        ok = await self._remove(guild, kind, target.user_id, case)
        await self._answer(interaction, self._done(case, conflict is not None) if ok else
                           f"Discord refused the {kind.value}; case #{case.number} records the attempt.")

    async def _remove(self, guild: discord.Guild, kind: CaseKind, target_id: int, case: Case) -> bool:
        """Tell the member (before they lose the shared server), then kick or ban; amend on failure."""
        verb = "removed from" if kind is CaseKind.KICK else "banned from"
        await self._dm(target_id, f"You were {verb} {guild.name}.\nReason: {case.reason}\nThis is case "
                                  f"#{case.number}. To appeal, send me `/appeal case:{case.number}` here in DM; a "
                                  "moderator who took no part in it will decide.")
        audit = f"case #{case.number}: {case.reason}"[:500]
        try:
            if kind is CaseKind.KICK:
                await guild.kick(discord.Object(id=target_id), reason=audit)
            else:
                await guild.ban(discord.Object(id=target_id), reason=audit, delete_message_seconds=0)
        except discord.HTTPException as error:
            log.warning("%s of %d refused by Discord: %s", kind, target_id, error)
            await self.case_log.amend(case.number, actor_id=None, details={"failed": True},
                                      reason=f"not carried out: Discord refused ({error.status})")
            return False
        return True

    async def _request_second(self, interaction: Interaction, guild: discord.Guild, policy: ModerationPolicy,
                              request: RemovalRequest) -> None:
        pending = await self.service.request_removal(request, policy)
        card = await self._post(
            self._review_channel(guild, policy),
            f"**Removal request #{pending.id}**: {request.kind.value} of <@{request.target_id}> "
            f"(a verified physician), asked by <@{request.requester_id}>.\nReason: {request.reason}"
            + (f"\nEvidence: <{request.evidence_url}>" if request.evidence_url else "")
            + ("\n⚠ The requester was arguing with this member in the last hour." if request.conflict else "")
            + f"\nA second moderator must confirm within {policy.confirmation_expiry_hours} h "
              f"(buttons, or `/mod confirm request:{pending.id}`).",
            view=confirmation_view(pending.id),
        )
        if card is not None:
            await self.service.confirmations.set_review_message(pending.id, card.channel.id, card.id)
        warning = ("\n⚠ You were arguing with this member in the last hour; the case will be marked."
                   if request.conflict else "")
        await self._answer(interaction, f"Removing a verified physician needs a second moderator: request "
                                        f"#{pending.id} waits for one.{warning}")

    @MOD.command(name="confirm", description="Confirm or decline another moderator's removal request")
    @app_commands.describe(request="The request number", decision="Confirm or decline")
    async def mod_confirm(self, interaction: Interaction, request: app_commands.Range[int, 1],
                          decision: Literal["confirm", "decline"] = "confirm") -> None:
        """The slash form of the Confirm/Decline buttons."""
        await self.handle_confirmation(interaction, request, decision == "confirm")

    async def handle_confirmation(self, interaction: Interaction, request_id: int, confirm: bool) -> None:
        """A second moderator decides; on confirm, the removal happens and becomes a case."""
        try:
            guild, policy, confirmer = await self._context(interaction, Rank.MODERATOR)
            request = await self.service.confirmations.get(request_id)
            target = self._member_party(guild, policy, request.target_id) if request is not None else None
            closed = await self.service.claim_confirmation(request_id, guild.id, confirmer, confirm, target)
        except (Denied, Refused) as error:
            log.info("confirmation %d refused: %s", request_id, error)
            await self._answer(interaction, str(error))
            return
        if not confirm:
            await self._close_card(closed.review_channel_id, closed.review_message_id,
                                   f"Declined by {self._name(guild, confirmer.user_id)}.")
            await self._dm(closed.requester_id,
                           f"Your removal request #{request_id} was declined by another moderator.")
            await self._answer(interaction, f"Request #{request_id} declined; nothing was done.")
            return
        await defer_first(interaction)
        await self._carry_out(guild, closed, confirmer.user_id, interaction)

    async def _carry_out(self, guild: discord.Guild, confirmation: Confirmation, confirmer_id: int,
                         interaction: Interaction) -> None:
        case = await self.service.removal_done(confirmation, confirmer_id)
        ok = await self._remove(guild, confirmation.kind, confirmation.target_id, case)
        if not ok:
            await self.service.removal_failed(confirmation.id)
        note = (f"Confirmed by {self._name(guild, confirmer_id)}: case #{case.number}." if ok
                else f"Confirmed, but Discord refused; case #{case.number} records the attempt.")
        await self._close_card(confirmation.review_channel_id, confirmation.review_message_id, note)
        await self._answer(interaction, note)
