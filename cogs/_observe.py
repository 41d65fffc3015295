"""Observe mode's Discord pieces: the Correct / Wrong buttons and the moderator-mention signal."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from cogs._checks import is_moderator
from primum.domain.observe import Verdict

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)

#: Role names that count as "the moderators" when a message mentions them (counter-speech).
MODERATOR_ROLE_NAMES = ("mod", "mods", "moderator", "moderators", "admin", "admins", "staff")


def mentions_moderators(message: discord.Message) -> bool:
    """Whether a message calls the moderators: a moderator role, or a member who can time others out."""
    for role in message.role_mentions:
        if role.name.lower() in MODERATOR_ROLE_NAMES or role.permissions.moderate_members:
            return True
    for user in message.mentions:
        if isinstance(user, discord.Member) and not user.bot and user.id != message.author.id \
                and (user.guild_permissions.moderate_members or user.guild_permissions.administrator):
            return True
    return False


def verdict_id(verdict: Verdict, report_id: int) -> str:
    """``primum:observe:<verdict>:<report id>``: all a press needs, even after a restart."""
    return f"primum:observe:{verdict.value}:{report_id}"


class VerdictButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"primum:observe:(?P<verdict>correct|wrong):(?P<report>[0-9]{1,20})",
):
    """A moderator's Correct / Wrong on one observe report."""

    def __init__(self, verdict: Verdict, report_id: int) -> None:
        style = discord.ButtonStyle.success if verdict is Verdict.CORRECT else discord.ButtonStyle.danger
        super().__init__(discord.ui.Button(label=verdict.value.capitalize(), style=style,
                                           custom_id=verdict_id(verdict, report_id)))
        self.verdict = verdict
        self.report_id = report_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VerdictButton:
        """Rebuild the button from its custom id (after a restart too)."""
        return cls(Verdict(match["verdict"]), int(match["report"]))

    async def callback(self, interaction: discord.Interaction[PrimumBot]) -> None:  # type: ignore[override]
        """Store the verdict (moderators only) and answer privately."""
        if not is_moderator(interaction):
            await interaction.response.send_message("Only moderators can judge Primum's reports.", ephemeral=True)
            return
        _ok, text = await interaction.client.observe.verdict(self.report_id, self.verdict,
                                                            moderator_id=interaction.user.id)
        try:
            await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException as error:
            log.warning("could not answer a verdict button: %s", error)


def verdict_view(report_id: int) -> discord.ui.View:
    """Correct / Wrong for one report."""
    view = discord.ui.View(timeout=None)
    for verdict in Verdict:
        view.add_item(VerdictButton(verdict, report_id))
    return view
