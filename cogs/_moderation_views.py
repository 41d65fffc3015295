"""Buttons and forms for accountable moderation; button state lives in the custom id (restart-safe).

* ``primum:mod:confirm:<request>:<yes|no>``  the second moderator confirms or declines a removal;
* ``primum:mod:appeal:<appeal>:<uphold|overturn>``  the reviewer decides an appeal (a reason form opens);
* :class:`ReasonModal`  "why?" for the "Hide message" context menu and appeal decisions;
* :class:`StatementModal`  the member's appeal in their own words.

The callbacks only find the Moderation cog and hand over plain values.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

log = logging.getLogger(__name__)

#: Called with (interaction, text) when a form is submitted.
Submit = Callable[[discord.Interaction[Any], str], Awaitable[None]]


def confirm_id(request_id: int, choice: str) -> str:
    """Custom id of a Confirm/Decline button."""
    return f"primum:mod:confirm:{request_id}:{choice}"


def appeal_id(appeal: int, outcome: str) -> str:
    """Custom id of an Uphold/Overturn button."""
    return f"primum:mod:appeal:{appeal}:{outcome}"


async def _cog_or_say(interaction: discord.Interaction[Any]) -> Any | None:
    cog = interaction.client.get_cog("Moderation")
    if cog is None:
        await interaction.response.send_message("Primum's moderation feature is not running.", ephemeral=True)
    return cog


class ConfirmButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"primum:mod:confirm:(?P<request>[0-9]{1,20}):(?P<choice>yes|no)",
):
    """Confirm or decline a removal that waits for a second moderator."""

    def __init__(self, request_id: int, choice: str) -> None:
        label, style = (("Confirm removal", discord.ButtonStyle.danger) if choice == "yes"
                        else ("Decline", discord.ButtonStyle.secondary))
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=confirm_id(request_id, choice)))
        self.request_id = request_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmButton:
        """Rebuild from the custom id (after a restart too)."""
        return cls(int(match["request"]), match["choice"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the cog."""
        cog = await _cog_or_say(interaction)
        if cog is not None:
            await cog.handle_confirmation(interaction, self.request_id, self.choice == "yes")


class AppealButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"primum:mod:appeal:(?P<appeal>[0-9]{1,20}):(?P<outcome>uphold|overturn)",
):
    """Uphold or overturn an appealed case; opens a form for the reason."""

    def __init__(self, appeal: int, outcome: str) -> None:
        label, style = (("Overturn", discord.ButtonStyle.success) if outcome == "overturn"
                        else ("Uphold", discord.ButtonStyle.secondary))
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=appeal_id(appeal, outcome)))
        self.appeal = appeal
        self.outcome = outcome

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AppealButton:
        """Rebuild from the custom id (after a restart too)."""
        return cls(int(match["appeal"]), match["outcome"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Ask for the reason, then hand the decision to the cog."""
        cog = await _cog_or_say(interaction)
        if cog is None:
            return
        outcome = self.outcome
        appeal = self.appeal

        async def decided(submitted: discord.Interaction[Any], reason: str) -> None:
            await cog.handle_decision(submitted, appeal, outcome, reason)

        title = f"{'Overturn' if outcome == 'overturn' else 'Uphold'} case (appeal #{appeal})"
        await interaction.response.send_modal(ReasonModal(title, decided, label="Reason (sent to the member)"))


def confirmation_view(request_id: int) -> discord.ui.View:
    """Confirm / Decline under a pending removal."""
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmButton(request_id, "yes"))
    view.add_item(ConfirmButton(request_id, "no"))
    return view


def appeal_view(appeal: int) -> discord.ui.View:
    """Overturn / Uphold under an appeal."""
    view = discord.ui.View(timeout=None)
    view.add_item(AppealButton(appeal, "overturn"))
    view.add_item(AppealButton(appeal, "uphold"))
    return view


class ReasonModal(discord.ui.Modal):
    """One required "reason" field (3 to 1000 characters)."""

    def __init__(self, title: str, on_done: Submit, *, label: str = "Reason (kept on the case)") -> None:
        super().__init__(title=title[:45], timeout=600)
        self._on_done = on_done
        self.reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=label[:45], style=discord.TextStyle.paragraph, min_length=3, max_length=1000, required=True,
            custom_id="reason",
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Pass the reason on."""
        await self._on_done(interaction, str(self.reason.value))

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        """Never leave the form without an answer."""
        log.warning("moderation form failed: %s", error, exc_info=error)
        if not interaction.response.is_done():
            await interaction.response.send_message("Something went wrong; please try again.", ephemeral=True)


class StatementModal(ReasonModal):
    """The member's appeal."""

    def __init__(self, case_number: int, on_done: Submit) -> None:
        super().__init__(f"Appeal case #{case_number}", on_done, label="Why should this be reconsidered?")
        self.reason.max_length = 2000
