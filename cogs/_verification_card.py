"""The review card moderators decide on: registry facts, the graded name match, and cautions.

Typed fields live only in this Discord message once the request is decided (never in the database).
Anything but an exact name match, and any state or specialty mismatch, shows a ⚠ Caution field.
:class:`ReviewCards` posts a card in the review queue and keeps it up to date (binding confirmed,
decision, superseded) by editing the message; a card Discord refuses to edit is logged, not retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord

from cogs._verification_server import VerificationServer
from primum.domain.verification import BindingMethod
from primum.domain.verification_eligibility import Eligibility
from primum.domain.verification_review import ReviewCard
from primum.storage.verification import StoredRequest

log = logging.getLogger(__name__)

COLOR_PENDING = 0xE0A100
COLOR_APPROVED = 0x2E8B57
COLOR_DENIED = 0xC0392B
COLOR_MORE = 0x2E86AB
REGISTRY_PAGE = "https://npiregistry.cms.hhs.gov/provider-view/{npi}"
BINDING_FIELD = "Identity binding"
NAME_FIELD = "Name match"
CAUTION_FIELD = "⚠ Caution"


def render_card(card: ReviewCard) -> discord.Embed:
    """The review card moderators decide on (typed fields live only in this message)."""
    embed = discord.Embed(title=f"Verification request #{card.request_id}", color=COLOR_PENDING,
                          description=f"<@{card.user_id}> (`{card.user_id}`)")
    if card.name_match is not None:
        typed = "\n".join(f"**{label}:** {discord.utils.escape_markdown(value) or '—'}" for label, value in (
            ("Name", card.typed_name), ("Specialty", card.typed_specialty), ("State", card.typed_state)))
        embed.add_field(name="Typed by the member", value=typed, inline=False)
    if card.member_note:
        embed.add_field(name="The member asks for a human review",
                        value=f"> {discord.utils.escape_markdown(card.member_note)}"[:1024], inline=False)
    kind = {Eligibility.RESIDENT: "Resident (trainee-only listing)", Eligibility.PHYSICIAN: "Physician (MD/DO)"}.get(
        card.eligibility, "Not qualified by the registry check")
    registry = f"[{card.npi}]({REGISTRY_PAGE.format(npi=card.npi)}) · {card.registry_summary}\n"
    if card.registry_name:
        registry += f"**{discord.utils.escape_markdown(card.registry_name)}**\n"
    registry += kind
    if card.registry_updated:
        registry += f" · record updated {card.registry_updated}"
    embed.add_field(name="NPI Registry", value=registry, inline=False)
    taxonomies = "\n".join(
        f"`{t.code}` {t.desc}{' (primary)' if t.primary else ''}{f' · {t.state}' if t.state else ''}"
        for t in card.taxonomies[:8]) or "—"
    embed.add_field(name="Taxonomies", value=taxonomies[:1024], inline=False)
    if card.name_match is not None:
        match = card.name_match.describe()
        if card.name_match.matched:
            match += f"\nRegistry name compared: **{discord.utils.escape_markdown(card.name_match.matched)}**"
        embed.add_field(name=NAME_FIELD, value=match[:1024], inline=False)
    if card.cautions:
        embed.add_field(name=CAUTION_FIELD, value="\n".join(f"• {line}" for line in card.cautions)[:1024],
                        inline=False)
    binding = ("A moderator decides (no e-mail code)" if card.binding is BindingMethod.MODERATOR
               else "Waiting for the member's e-mail code")
    embed.add_field(name=BINDING_FIELD, value=binding, inline=False)
    if card.other_claimants:
        others = ", ".join(f"<@{user_id}>" for user_id in card.other_claimants)
        embed.add_field(name="⚠ Same NPI claimed by", value=others, inline=False)
    if card.notes:
        embed.add_field(name="Notes", value="\n".join(f"• {note}" for note in card.notes)[:1024], inline=False)
    return embed


def with_field(embed: discord.Embed, name: str, value: str, color: int | None = None) -> discord.Embed:
    """A copy of ``embed`` with the field ``name`` set to ``value`` (added when missing), recoloured."""
    updated = embed.copy()
    for index, existing in enumerate(updated.fields):
        if existing.name == name:
            updated.set_field_at(index, name=name, value=value[:1024], inline=False)
            break
    else:
        updated.add_field(name=name, value=value[:1024], inline=False)
    if color is not None:
        updated.colour = discord.Colour(color)
    return updated


class ReviewCards:
    """Review cards in Discord: posted with the review buttons, edited as the request moves on."""

    def __init__(self, server: VerificationServer, buttons: Callable[[], discord.ui.View]) -> None:
        self.server = server
        self.service = server.service
        self._buttons = buttons

    async def post(self, guild: discord.Guild, card: ReviewCard) -> bool:
        """Post the card in the review queue and remember its message (its buttons find the request by it);
        False when it could not be posted (no review channel, or Discord refused)."""
        config = await self.service.config(guild.id)
        channel = self.server.channel(guild, config.review_channel_id, "review_channel")
        if channel is None:
            log.warning("guild %s has no review channel; request %d waits without a card", guild.id,
                        card.request_id)
            return False
        try:
            message = await channel.send(embed=render_card(card), view=self._buttons())
        except discord.HTTPException as error:
            log.warning("could not post review card %d: %s", card.request_id, error.status)
            return False
        await self.service.attach_card(card.request_id, channel.id, message.id)
        return True

    @staticmethod
    def _channel(guild: discord.Guild, request: StoredRequest) -> discord.TextChannel | None:
        """The channel of the request's review card; None when it has no card or the channel is gone."""
        if request.review_channel_id is None or request.review_message_id is None:
            return None
        channel = guild.get_channel(request.review_channel_id)
        return channel if isinstance(channel, discord.TextChannel) else None

    async def close(self, guild: discord.Guild, request: StoredRequest, note: str) -> None:
        """Replace a card's buttons by ``note`` (e.g. superseded by a newer request)."""
        channel = self._channel(guild, request)
        if channel is None or request.review_message_id is None:
            return
        try:
            await channel.get_partial_message(request.review_message_id).edit(content=note, view=None)
        except discord.HTTPException as error:
            log.info("could not close review card %s: %s", request.review_message_id, error.status)

    async def set_field(self, guild: discord.Guild, request: StoredRequest, field: str, value: str,
                        color: int | None = None) -> None:
        """Set one field of a request's card (e.g. the identity binding once the e-mail code is confirmed)."""
        channel = self._channel(guild, request)
        if channel is None or request.review_message_id is None:
            return
        try:
            message = await channel.fetch_message(request.review_message_id)
            if message.embeds:
                await message.edit(embed=with_field(message.embeds[0], field, value, color))
        except discord.HTTPException as error:
            log.info("could not update review card %s: %s", request.review_message_id, error.status)

    @staticmethod
    async def finish(interaction: discord.Interaction[Any], line: str, color: int, *, keep_buttons: bool,
                     message_id: int | None = None, field: str = "Decision") -> None:
        """Write a moderator's decision on the card they clicked (``message_id``: the card a form came from)."""
        message = interaction.message
        channel = interaction.channel
        try:
            if message is None or (message_id is not None and message.id != message_id):
                if not isinstance(channel, discord.TextChannel) or message_id is None:
                    return
                message = await channel.fetch_message(message_id)
            embed = message.embeds[0] if message.embeds else discord.Embed(title="Verification request")
            kwargs: dict[str, Any] = {"embed": with_field(embed, field, line, color)}
            if not keep_buttons:
                kwargs["view"] = None
            await message.edit(**kwargs)
        except discord.HTTPException as error:
            log.warning("could not update the review card: %s", error.status)
