"""``/privacy forgetme`` (everyone) and ``/privacy forget`` (owners): one forget across every feature.

Thin adapter over :class:`primum.services.privacy.PrivacyService`; the owners' form follows the
rank rule (an administrator cannot forget another administrator or the owner), and both leave a
``forget`` case with their reason. The reply lists what was removed, what was kept and why.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs._checks import owners_only
from cogs._ranks import refuse_target
from primum.services.cases import CaseLog
from primum.services.privacy import PrivacyService

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)

OWNERS_ONLY = "Only the server's owners can forget another member; members use /privacy forgetme."


class Privacy(commands.Cog):
    """Forget a member everywhere Primum keeps anything about them."""

    privacy = app_commands.Group(name="privacy", description="What Primum keeps about you, and forgetting it",
                                 guild_only=True)

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot

    def _service(self) -> PrivacyService:
        moderation: Any = self.bot.get_cog("Moderation")
        case_log = moderation.case_log if moderation is not None else CaseLog(self.bot.db, self.bot.clock,
                                                                               self.bot.events)
        deescalation: Any = self.bot.get_cog("Deescalation")
        be_kind: Any = self.bot.get_cog("BeKind")
        live = ([deescalation.service] if deescalation is not None else []) + (
            [be_kind.service.fragments] if be_kind is not None else [])
        return PrivacyService(self.bot.db, case_log, live)

    async def _forget(self, interaction: discord.Interaction[Any], member_id: int, reason: str | None, *,
                      self_request: bool) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self._service().forget_member(interaction.guild.id, member_id, interaction.user.id, reason,
                                                     self_request=self_request)
        self.bot.events.emit("privacy_forget", guild_id=interaction.guild.id, user_id=member_id,
                             actor_id=interaction.user.id, case=report.case.number, removed=report.removed)
        await interaction.followup.send("\n".join(report.lines())[:1990], ephemeral=True)

    @privacy.command(name="forgetme", description="Delete or anonymise everything Primum keeps about you here")
    async def forgetme(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Any member, at any time; the case log keeps only ids and reasons."""
        await self._forget(interaction, interaction.user.id, None, self_request=True)

    @privacy.command(name="forget", description="Owners: delete or anonymise a member's data in every feature")
    @app_commands.describe(member="Whose data to forget", reason="Why (kept on the record as a case)")
    @owners_only(OWNERS_ONLY)
    async def forget(self, interaction: discord.Interaction[PrimumBot], member: discord.User,
                     reason: app_commands.Range[str, 3, 400]) -> None:
        """An owner's forget (e.g. a request made by e-mail), under the rank rule."""
        refusal = refuse_target(interaction, member)
        if refusal is not None:
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        await self._forget(interaction, member.id, reason, self_request=False)


async def setup(bot: PrimumBot) -> None:
    """Load the Privacy cog."""
    await bot.add_cog(Privacy(bot))
