"""Hiding a message: ``/mod hide`` and the "Hide message" context menu.

The message is deleted, the author gets its text back by DM (Primum keeps none) and the hide is a
case they can appeal.
"""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands

from cogs._moderation_base import MOD, Interaction, ModerationBase
from cogs._moderation_views import ReasonModal
from primum.domain.cases import CaseKind, InvalidInput, validate_evidence_url, validate_reason
from primum.domain.moderation_rules import Rank, check_action

log = logging.getLogger(__name__)
_MESSAGE_LINK = re.compile(r"channels/(?:\d+|@me)/(?P<channel>\d+)/(?P<message>\d+)")


class HideCommands(ModerationBase):
    """Hide a message with a reason."""

    @MOD.command(name="hide", description="Hide (delete) a message with a reason; its author gets the text back")
    @app_commands.describe(message="A message link, or the id of a message in this channel",
                           reason="Why (sent to the author, kept on record)", evidence="Another link, if any")
    async def mod_hide(self, interaction: Interaction, message: str, reason: str, evidence: str | None = None) -> None:
        """The slash form of the "Hide message" context menu."""
        guild, _, _ = await self._context(interaction, Rank.MODERATOR)
        match = _MESSAGE_LINK.search(message)
        channel_id = int(match["channel"]) if match else (interaction.channel_id or 0)
        raw_id = match["message"] if match else message.strip()
        channel = guild.get_channel_or_thread(channel_id)
        if not raw_id.isdigit() or not isinstance(channel, discord.TextChannel | discord.Thread):
            await self._answer(interaction, "Give a message link, or the id of a message in this channel.")
            return
        try:
            target = await channel.fetch_message(int(raw_id))
        except discord.NotFound:
            await self._answer(interaction, "That message no longer exists.")
            return
        except discord.HTTPException as error:
            log.info("could not fetch a message to hide: %s", error)
            await self._answer(interaction, "Primum can't read that message.")
            return
        await self._hide(interaction, target, reason, evidence)

    async def _hide_context(self, interaction: Interaction, message: discord.Message) -> None:
        """Context menu "Hide message": ask for the reason in a form, then hide."""
        await self._context(interaction, Rank.MODERATOR)

        async def submitted(form: Interaction, reason: str) -> None:
            await self._hide(form, message, reason, None)

        await interaction.response.send_modal(ReasonModal("Hide message", submitted))

    async def _hide(self, interaction: Interaction, message: discord.Message, reason: str,
                    evidence: str | None) -> None:
        guild, policy, actor = await self._context(interaction, Rank.MODERATOR)
        author = guild.get_member(message.author.id) or message.author
        try:
            text = validate_reason(reason)
            evidence_url = validate_evidence_url(evidence) or message.jump_url
        except InvalidInput as error:
            await self._answer(interaction, str(error))
            return
        decision = check_action(CaseKind.HIDE, actor, self.party(author, guild, policy), self._bot_party(guild, policy))
        if not decision:
            log.info("hide refused: %s", decision.code)
            await self._answer(interaction, decision.message)
            return
        conflict = await self.service.conflict(guild.id, actor.user_id, author.id, policy, message.channel.id)
        content = message.content
        try:
            await message.delete()
        except discord.NotFound:
            await self._answer(interaction, "That message was already deleted.")
            return
        except discord.HTTPException as error:
            log.warning("could not hide a message: %s", error)
            await self._answer(interaction, "Discord refused to delete that message; check Primum's permissions.")
            return
        case = await self.case_log.record(
            guild.id, CaseKind.HIDE, author.id, actor.user_id, text, evidence_url, None,
            {"channel_id": message.channel.id, "message_id": message.id, "rule": "moderator"},
            conflict=conflict is not None,
        )
        returned = f"\nYour message, for your own copy:\n>>> {content[:1500]}" if content else ""
        await self._dm(author.id,
                       f"A moderator hid your message in #{getattr(message.channel, 'name', 'a channel')} "
                       f"({guild.name}).\nReason: {text}\nThis is case #{case.number}; `/standing` shows it and "
                       f"`/appeal case:{case.number}` asks a moderator who took no part in it to review it.{returned}")
        await self._answer(interaction, self._done(case, conflict is not None))
