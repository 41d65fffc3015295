"""Embeds for settings and lists: one look for every ``… show`` command (text from ``primum.display``)."""

from __future__ import annotations

from collections.abc import Iterable

import discord

#: Primum's accent colour (calm blue) for informational embeds.
COLOUR = discord.Colour(0x3B82C4)
MAX_FIELDS = 25
MAX_FIELD_VALUE = 1024


def settings_embed(title: str, rows: Iterable[tuple[str, str]], *, description: str | None = None,
                   footer: str | None = None, inline: bool = True) -> discord.Embed:
    """An embed with one field per ``(label, value)``; Discord's limits are respected, never exceeded."""
    embed = discord.Embed(title=title, description=description, colour=COLOUR)
    rows = list(rows)
    shown = rows if len(rows) <= MAX_FIELDS else rows[: MAX_FIELDS - 1]
    for label, value in shown:
        text = value if len(value) <= MAX_FIELD_VALUE else value[: MAX_FIELD_VALUE - 1] + "…"
        embed.add_field(name=label[:256], value=text or "—", inline=inline)
    if len(rows) > len(shown):
        embed.add_field(name="More", value=f"{len(rows) - len(shown)} more not shown", inline=False)
    if footer:
        embed.set_footer(text=footer[:2048])
    return embed
