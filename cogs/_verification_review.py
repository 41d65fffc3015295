"""The review queue: a moderator approves, denies or asks the member for more, on the request's card.

Each step is acknowledged before anything slow (reading the request, the decision's write, roles,
the DM), so the moderator always gets an answer; refusals (not a reviewer, the rank rule, a card
whose data was deleted, a request someone else decided) are answered too. Deny and Ask-for-more
open a form first (a form cannot follow an acknowledgement), so only their quick checks come before it.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from cogs._checks import is_moderator
from cogs._interactions import answer, defer_first
from cogs._ranks import refuse_target
from cogs._verification_card import COLOR_APPROVED, COLOR_DENIED, COLOR_MORE
from cogs._verification_server import VerificationPart
from cogs._verification_views import ReasonModal
from primum.domain.cases import ActionRecord
from primum.domain.verification import RequestStatus, ReviewAction
from primum.storage.verification import StoredRequest

log = logging.getLogger(__name__)

#: Reviewers are owners or members with Timeout Members or Manage Roles (the approval grants a role);
#: unlike the default moderators, Manage Messages alone is not enough.
REVIEWER_PERMISSIONS = ("moderate_members", "manage_roles")
REVIEWERS_ONLY = "Only moderators can review verification requests."
NOT_ON_A_CARD = "This works only on a review card in the server's review queue."

WELCOME_DM = ("Welcome to **{guild}**! A moderator verified you as a physician, so the community channels are now "
              "open to you. First, be kind: it's OK to disagree and to debate; it's not OK to belittle, gaslight "
              "or act maliciously.")
WELCOME_NOTE = "you are verified. Welcome! (Your DMs are closed, so I'm saying it here.)"
DENIED_DM = ("Your verification request in **{guild}** was not approved.\n**Reason:** {reason}\n\n"
             "To appeal, reply to the moderators (or press **Verify** again with corrected details).")
DENIED_NOTE = ("your verification request was not approved. Your DMs are closed: please open them and press "
               "Verify again, or ask the moderators, to learn why and how to appeal.")
MORE_DM = ("A moderator of **{guild}** needs a little more to verify you:\n> {reason}\n\n"
           "Please press **Verify** again with the details (your new request replaces this one), or reply to "
           "the moderators.")
MORE_NOTE = ("a moderator needs more information to verify you. Your DMs are closed: please open them, or press "
             "Verify again.")


def _stamp(interaction: discord.Interaction[Any]) -> str:
    return f"<t:{int(interaction.created_at.timestamp())}:f>"


class ReviewQueue(VerificationPart):
    """The Approve / Deny / Ask-for-more buttons of the review cards, and the reason form."""

    async def _reviewable(self, interaction: discord.Interaction[Any], message_id: int) -> StoredRequest | None:
        """The card's request when the caller may decide it; otherwise None, and the caller was told why."""
        if not is_moderator(interaction, REVIEWER_PERMISSIONS):
            log.info("review button refused for %s: not a moderator", interaction.user.id)
            await answer(interaction, REVIEWERS_ONLY)
            return None
        assert interaction.guild is not None
        request = await self.service.request_for_card(interaction.guild.id, message_id)
        if request is None:
            await answer(interaction, "I have no request for this card any more (its data may have been deleted).")
            return None
        refusal = refuse_target(interaction, request.user_id)
        if refusal is not None:
            log.info("review button refused for %s: rank rule", interaction.user.id)
            await answer(interaction, refusal)
            return None
        return request

    async def approve(self, interaction: discord.Interaction[Any]) -> None:
        """Approve: role, welcome DM (or a short note in #verify), card closed."""
        await defer_first(interaction)
        guild = interaction.guild
        if guild is None or interaction.message is None:
            await answer(interaction, NOT_ON_A_CARD)
            return
        request = await self._reviewable(interaction, interaction.message.id)
        if request is None:
            return
        decision = await self.service.decide(request.id, ReviewAction.APPROVE, interaction.user.id)
        if not decision.ok or decision.request is None:
            await answer(interaction, decision.message)
            return
        granted = await self.server.grant(guild, request.user_id)
        notified = await self.server.notify(guild, request.user_id, WELCOME_DM.format(guild=guild.name),
                                            WELCOME_NOTE)
        await self.cards.finish(interaction, f"✅ Approved by {interaction.user.mention} {_stamp(interaction)}",
                                COLOR_APPROVED, keep_buttons=False)
        self.bot.events.emit("verified", guild_id=guild.id, user_id=request.user_id, request_id=request.id,
                             reviewer_id=interaction.user.id, taxonomy=request.taxonomy_code,
                             role_granted=granted, notified=notified)
        role_note = "the Verified Physician role was granted" if granted else \
            "**I could not grant the role** (is the member still here? is my role above it?)"
        await answer(interaction, f"Approved <@{request.user_id}>: {role_note}; member told by {notified}.")

    async def open_reason(self, interaction: discord.Interaction[Any], *, deny: bool) -> None:
        """Deny and Ask-for-more need a reason: open the form (quick checks only, a form cannot wait)."""
        if interaction.guild is None or interaction.message is None:
            await answer(interaction, NOT_ON_A_CARD)
            return
        request = await self._reviewable(interaction, interaction.message.id)
        if request is None:
            return
        if request.status not in {RequestStatus.PENDING, RequestStatus.MORE_INFO, RequestStatus.AWAITING_CODE}:
            await answer(interaction, f"This request was already closed ({request.status.value}).")
            return
        await interaction.response.send_modal(ReasonModal(self.cog, deny=deny, message_id=interaction.message.id))

    async def submit_reason(self, interaction: discord.Interaction[Any], *, deny: bool, message_id: int,
                            reason: str) -> None:
        """Deny (tell the member why and how to appeal) or ask the member for more, by DM."""
        await defer_first(interaction)
        guild = interaction.guild
        if guild is None:
            await answer(interaction, NOT_ON_A_CARD)
            return
        request = await self._reviewable(interaction, message_id)
        if request is None:
            return
        action = ReviewAction.DENY if deny else ReviewAction.ASK_MORE
        decision = await self.service.decide(request.id, action, interaction.user.id, reason)
        if not decision.ok:
            await answer(interaction, decision.message)
            return
        if deny:
            await self._denied(interaction, guild, request, message_id, reason.strip())
        else:
            await self._asked(interaction, guild, request, message_id, reason.strip())

    async def _denied(self, interaction: discord.Interaction[Any], guild: discord.Guild, request: StoredRequest,
                      message_id: int, reason: str) -> None:
        notified = await self.server.notify(guild, request.user_id,
                                            DENIED_DM.format(guild=guild.name, reason=reason), DENIED_NOTE)
        line = f"❌ Denied by {interaction.user.mention} {_stamp(interaction)}\n**Reason:** {reason}"
        await self.cards.finish(interaction, line, COLOR_DENIED, keep_buttons=False, message_id=message_id)
        self.bot.events.emit("verification_denied", guild_id=guild.id, user_id=request.user_id,
                             request_id=request.id, reviewer_id=interaction.user.id, notified=notified)
        self.bot.dispatch("primum_action", ActionRecord(
            guild_id=guild.id, kind="verification", target_id=request.user_id, actor_id=interaction.user.id,
            reason=f"denied: {reason}",
            details={"request_id": request.id, "decision": "denied", "rule": "verification"},
        ))
        await answer(interaction, f"Denied; member told by {notified}.")

    async def _asked(self, interaction: discord.Interaction[Any], guild: discord.Guild, request: StoredRequest,
                     message_id: int, reason: str) -> None:
        notified = await self.server.notify(guild, request.user_id,
                                            MORE_DM.format(guild=guild.name, reason=reason), MORE_NOTE)
        line = f"❓ {interaction.user.mention} asked for more {_stamp(interaction)}: {reason}"
        await self.cards.finish(interaction, line, COLOR_MORE, keep_buttons=True, message_id=message_id,
                                field="Asked for more")
        self.bot.events.emit("verification_more_info", guild_id=guild.id, user_id=request.user_id,
                             request_id=request.id, reviewer_id=interaction.user.id, notified=notified)
        await answer(interaction, f"Question sent; member told by {notified}.")
