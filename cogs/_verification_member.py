"""The member's side of verification: the form, asking for a human review, and the e-mail code.

Every submission is acknowledged before anything slow (the registry lookup, the database, SMTP), so
the member always gets an answer; what happens next comes as a private follow-up. A request that
waited for the registry is decided in the background: its card is posted and the member told by DM.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from cogs._interactions import answer, defer_first
from cogs._verification_card import BINDING_FIELD
from cogs._verification_server import VerificationPart
from cogs._verification_views import AskModal, AskView, EmailView, VerifyModal
from primum.services.verification import Submission, SubmitOutcome, SubmitResult
from primum.services.verification_email import EmailOutcome

log = logging.getLogger(__name__)

#: The outcomes that leave the member a way to a human (the Ask the moderators button).
ASKABLE = frozenset({SubmitOutcome.INELIGIBLE})
#: Outcomes worth a line in the log (never with what the member typed).
NOTED = frozenset({SubmitOutcome.INVALID_NPI, SubmitOutcome.INELIGIBLE, SubmitOutcome.RATE_LIMITED,
                   SubmitOutcome.AWAITING_REGISTRY})
#: Added to what the member is told when their request's card could not reach the review queue.
NO_CARD = ("\n⚠ I could not put your request in the moderators' review queue just now, so they may not see it: "
           "please tell a moderator.")
WHICH_SERVER = "I cannot tell which server this is for; please press **Verify** in the server's #verify channel."


class MemberSteps(VerificationPart):
    """What a member does: open and submit the form, ask the moderators, bind an e-mail address."""

    # --- the form --------------------------------------------------------------------------------------
    async def open_form(self, interaction: discord.Interaction[Any]) -> None:
        """Show the form, unless the member is already verified (a form cannot follow an acknowledgement)."""
        if interaction.guild is None:
            await interaction.response.send_message("Verification happens inside a server.", ephemeral=True)
            return
        if await self.service.is_verified(interaction.guild.id, interaction.user.id):
            await interaction.response.send_message("You are already verified here.", ephemeral=True)
            return
        await interaction.response.send_modal(VerifyModal(self.cog))

    async def submit_form(self, interaction: discord.Interaction[Any], full_name: str, npi: str, specialty: str,
                          state: str) -> None:
        """Check the submission; post a review card when it qualifies; tell the member privately."""
        await defer_first(interaction)
        guild = interaction.guild
        if guild is None:
            await answer(interaction, "Verification happens inside a server.")
            return
        result = await self.service.submit(Submission(guild.id, interaction.user.id, full_name, npi, specialty,
                                                      state))
        for old in result.superseded:
            await self.cards.close(guild, old, "Superseded by a newer request from the member.")
        posted = await self.cards.post(guild, result.card) if result.card is not None and result.request is not None \
            else True
        if result.outcome in NOTED:
            log.info("verification form in guild %s: %s", guild.id, result.problem)
        view: discord.ui.View | None = EmailView(self.cog) if result.outcome is SubmitOutcome.AWAITING_CODE else \
            AskView(self.cog) if result.outcome in ASKABLE else None
        await answer(interaction, result.message + ("" if posted else NO_CARD), view=view or discord.utils.MISSING)

    async def registry_answered(self, result: SubmitResult) -> None:
        """A request that waited for the registry was decided in the background: card, then a DM."""
        request = result.request
        guild = self.bot.get_guild(request.guild_id) if request is not None else None
        if request is None or guild is None:
            return
        posted = await self.cards.post(guild, result.card) if result.card is not None else True
        text = f"Update on your verification request in **{guild.name}**: the NPI Registry answered.\n{result.message}"
        text += "" if posted else NO_CARD
        if result.outcome in ASKABLE:
            text += "\n(The **Ask the moderators** button is under the pinned message in #verify.)"
        notified = await self.server.notify(
            guild, request.user_id, text,
            "the NPI Registry answered about your verification request; please open your DMs, or press Verify "
            "again, to see what happens next.",
            view=EmailView(self.cog) if result.outcome is SubmitOutcome.AWAITING_CODE else None)
        self.bot.events.emit("verification_registry_notified", guild_id=guild.id, user_id=request.user_id,
                             request_id=request.id, outcome=result.outcome.value, notified=notified)

    # --- a human review the member asks for ---------------------------------------------------------
    async def open_ask(self, interaction: discord.Interaction[Any]) -> None:
        """The Ask the moderators button: a short form for what the moderators should know."""
        if interaction.guild is None:
            await interaction.response.send_message("Please use the button in the server's #verify channel.",
                                                    ephemeral=True)
            return
        await interaction.response.send_modal(AskModal(self.cog))

    async def submit_ask(self, interaction: discord.Interaction[Any], note: str) -> None:
        """Send the member's refused request to the review queue with their note."""
        await defer_first(interaction)
        guild = interaction.guild
        if guild is None:
            await answer(interaction, "Please use the button in the server's #verify channel.")
            return
        result = await self.service.request_review(guild.id, interaction.user.id, note)
        posted = await self.cards.post(guild, result.card) if result.card is not None else True
        await answer(interaction, result.message + ("" if posted else NO_CARD))

    # --- e-mail binding --------------------------------------------------------------------------------
    async def submit_email(self, interaction: discord.Interaction[Any], address: str) -> None:
        """Send a code to an allow-listed institutional address."""
        await defer_first(interaction)
        guild = await self._binding_guild(interaction)
        if guild is None:
            return
        result = await self.service.send_code(guild.id, interaction.user.id, address)
        await answer(interaction, result.message,
                     view=EmailView(self.cog) if result.outcome is EmailOutcome.SENT else discord.utils.MISSING)

    async def submit_code(self, interaction: discord.Interaction[Any], code: str) -> None:
        """Check the code; on success mark the review card as bound."""
        await defer_first(interaction)
        guild = await self._binding_guild(interaction)
        if guild is None:
            return
        result = await self.service.confirm_code(guild.id, interaction.user.id, code)
        if result.outcome is EmailOutcome.CONFIRMED and result.request is not None:
            await self.cards.set_field(guild, result.request, BINDING_FIELD,
                                       f"E-mail code confirmed at **{result.request.email_domain}**")
        await answer(interaction, result.message)

    async def _binding_guild(self, interaction: discord.Interaction[Any]) -> discord.Guild | None:
        """The server of an e-mail step: the interaction's, or (in a DM) the one request waiting for a code."""
        if interaction.guild is not None:
            return interaction.guild
        guild_ids = await self.service.repo.awaiting_code_guilds(interaction.user.id)
        guild = self.bot.get_guild(guild_ids[0]) if len(guild_ids) == 1 else None
        if guild is None:
            await answer(interaction, WHICH_SERVER)
        return guild
