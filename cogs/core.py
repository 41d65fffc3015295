"""Core commands every server needs: what Primum is, and whether it is healthy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from primum.storage.database import HEAD_VERSION

if TYPE_CHECKING:
    from primum.app import PrimumBot

CREED = (
    "**First, be kind.** It's OK to disagree and to debate. "
    "It's not OK to belittle, gaslight or act maliciously."
)


class Core(commands.Cog):
    """``/about`` and ``/status``."""

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description="What Primum is and the community's creed")
    async def about(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Explain Primum briefly, privately."""
        await interaction.response.send_message(
            f"{CREED}\n\nPrimum verifies physicians, sends private nudges when a message looks unkind "
            "(edit it and nothing else happens), cools down heated threads, and keeps every moderation "
            "action on an open, appealable record. `/standing` shows what Primum knows about you.",
            ephemeral=True,
        )

    @app_commands.command(name="status", description="Is Primum healthy? Model, database and latency")
    async def status(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Report the scorer's state and version and the database schema, privately."""
        scorer = self.bot.scorer
        version = await self.bot.db.user_version()
        latency_ms = self.bot.latency * 1000 if self.bot.latency == self.bot.latency else 0.0
        self.bot.events.emit("command", name="status", user_id=interaction.user.id)
        await interaction.response.send_message(
            f"Be-kind model: **{scorer.state}** ({scorer.version})\n"
            f"Database schema: {version}/{HEAD_VERSION}\n"
            f"Gateway latency: {latency_ms:.0f} ms",
            ephemeral=True,
        )


async def setup(bot: PrimumBot) -> None:
    """Load the Core cog."""
    await bot.add_cog(Core(bot))
