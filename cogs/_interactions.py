"""Acknowledge an interaction before anything slow, so the person always gets an answer.

Discord forgets an interaction that is not acknowledged within 3 seconds ("The application did
not respond"), and a Discord 429/5xx retried by discord.py, or a database write waiting for a
lock, easily takes longer. A cog's ``interaction_check`` calls :func:`defer_first` for every
command (the few that open a form are named in ``opens_form``); the command then answers with a
follow-up, which says whether the action was carried out or failed.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

import discord

log = logging.getLogger(__name__)


async def defer_first(interaction: discord.Interaction[Any], *, opens_form: Collection[str] = ()) -> None:
    """Defer (ephemeral, "thinking") unless already answered or the command opens a form (a modal)."""
    if interaction.response.is_done():
        return
    command = interaction.command
    if command is not None and command.qualified_name in opens_form:
        return
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
    except discord.HTTPException as error:
        log.warning("could not acknowledge interaction %s: %s", interaction.id, error)


async def answer(interaction: discord.Interaction[Any], content: str, **kwargs: Any) -> None:
    """Answer privately, whether or not the interaction was deferred."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
    except discord.HTTPException as error:
        log.warning("could not answer an interaction: %s", error)
