"""Acknowledge an interaction before anything slow, so the person always gets an answer.

Discord forgets an interaction that is not acknowledged within 3 seconds ("The application did
not respond"), and a Discord 429/5xx retried by discord.py, or a database write waiting for a
lock, easily takes longer. A cog's ``interaction_check`` calls :func:`defer_first` for every
command (the few that open a form are named in ``opens_form``); the command then answers with a
follow-up, which says whether the action was carried out or failed. Buttons and forms built on
:class:`AnsweringView` and :class:`AnsweringModal` tell the person when their action failed after the
acknowledgement, instead of leaving Discord's "thinking…" forever.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

import discord

from primum.storage.database import is_busy

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


def failure_text(error: BaseException) -> str:
    """What to tell the person when an action failed after it was acknowledged."""
    if is_busy(error):
        return "The database stayed busy for too long, so this was **not done**. Please try again in a minute."
    return ("Something went wrong on Primum's side, so this may **not be finished**; the moderators can find "
            "the details in the log.")


async def report_failure(interaction: discord.Interaction[Any], error: BaseException, what: str) -> None:
    """Log a failed action (a busy database as a warning, anything else with its traceback) and say so."""
    if is_busy(error):
        log.warning("%s failed: the database stayed busy (%s)", what, error)
    else:
        log.error("%s failed", what, exc_info=error)
    await answer(interaction, failure_text(error))


class AnsweringView(discord.ui.View):
    """A view whose buttons always answer: an exception after the acknowledgement is told, not swallowed."""

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception,
                       item: discord.ui.Item[Any]) -> None:
        """Say that the click failed (discord.py would only log it)."""
        await report_failure(interaction, error, f"button {getattr(item, 'custom_id', None) or type(item).__name__}")


class AnsweringModal(discord.ui.Modal):
    """A form whose submission always answers, like :class:`AnsweringView`."""

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:  # type: ignore[override]
        """Say that the submission failed (discord.py would only log it)."""
        await report_failure(interaction, error, f"form {self.custom_id}")
