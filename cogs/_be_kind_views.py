"""The three buttons under a nudge; they survive restarts because their state is in the custom id."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from cogs._interactions import answer, defer_first

if TYPE_CHECKING:
    from primum.app import PrimumBot

#: response -> (label, style)
BUTTONS: dict[str, tuple[str, discord.ButtonStyle]] = {
    "will_edit": ("I'll edit it", discord.ButtonStyle.primary),
    "keep": ("Keep it as is", discord.ButtonStyle.secondary),
    "mistake": ("This was a mistake", discord.ButtonStyle.secondary),
}


def custom_id(response: str, nudge_id: int) -> str:
    """``primum:kind:<response>:<nudge id>``: everything a click needs, even after a restart."""
    return f"primum:kind:{response}:{nudge_id}"


class NudgeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"primum:kind:(?P<response>will_edit|keep|mistake):(?P<nudge>[0-9]{1,20})",
):
    """One answer to a nudge; the be-kind service records it."""

    def __init__(self, response: str, nudge_id: int) -> None:
        label, style = BUTTONS[response]
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id(response, nudge_id)))
        self.response = response
        self.nudge_id = nudge_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NudgeButton:
        """Rebuild the button from its custom id (after a restart too)."""
        return cls(match["response"], int(match["nudge"]))

    async def callback(self, interaction: discord.Interaction[PrimumBot]) -> None:  # type: ignore[override]
        """Record the answer and thank the author privately."""
        cog = interaction.client.get_cog("BeKind")
        service = getattr(cog, "service", None)
        if service is None:
            await answer(interaction, "Primum's be-kind feature is not running.")
            return
        await defer_first(interaction)  # recording the answer waits for the database
        result = await service.respond(self.nudge_id, interaction.user.id, self.response)
        await answer(interaction, result.message)


def nudge_view(nudge_id: int) -> discord.ui.View:
    """The three buttons for one nudge."""
    view = discord.ui.View(timeout=None)
    for response in BUTTONS:
        view.add_item(NudgeButton(response, nudge_id))
    return view
