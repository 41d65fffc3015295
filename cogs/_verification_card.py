"""The review card moderators decide on: registry facts, the graded name match, and cautions.

Typed fields live only in this Discord message once the request is decided (never in the database).
Anything but an exact name match, and any state or specialty mismatch, shows a ⚠ Caution field.
"""

from __future__ import annotations

import discord

from primum.domain.verification import BindingMethod, Eligibility
from primum.domain.verification_review import ReviewCard

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
