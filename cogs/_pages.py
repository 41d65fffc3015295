"""Long private answers in pages of whole lines, with ◀ ▶ buttons, instead of text cut at 2,000 characters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

PAGE_CHARS = 1900
PAGE_TIMEOUT_S = 900.0


def paginate(lines: Sequence[str], *, limit: int = PAGE_CHARS) -> list[str]:
    """Whole lines per page, each page at most ``limit`` characters (an over-long line is cut with "…")."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for raw in lines:
        line = raw if len(raw) <= limit else raw[: limit - 1] + "…"
        if current and size + len(line) + 1 > limit:
            pages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        pages.append("\n".join(current))
    return pages or [""]


class Pager(discord.ui.View):
    """◀ ▶ through pages of one private answer; only the person it answers can turn them."""

    def __init__(self, pages: list[str], owner_id: int) -> None:
        super().__init__(timeout=PAGE_TIMEOUT_S)
        self.pages = pages
        self.owner_id = owner_id
        self.index = 0
        self._sync()

    def content(self) -> str:
        """The current page with its number."""
        return f"{self.pages[self.index]}\n-# page {self.index + 1} of {len(self.pages)}"

    def _sync(self) -> None:
        self.earlier.disabled = self.index == 0
        self.later.disabled = self.index >= len(self.pages) - 1

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message("These pages answer someone else.", ephemeral=True)
            return
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._sync()
        await interaction.response.edit_message(content=self.content(), view=self)

    @discord.ui.button(label="◀ Earlier", style=discord.ButtonStyle.secondary)
    async def earlier(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        """The page before."""
        await self._turn(interaction, -1)

    @discord.ui.button(label="Later ▶", style=discord.ButtonStyle.secondary)
    async def later(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        """The page after."""
        await self._turn(interaction, 1)


async def send_pages(interaction: discord.Interaction[Any], lines: Sequence[str]) -> None:
    """Answer privately: one message when it fits, else the first page with ◀ ▶ (whether or not deferred)."""
    pages = paginate(lines)
    if len(pages) == 1:
        kwargs: dict[str, Any] = {}
        content = pages[0]
    else:
        pager = Pager(pages, interaction.user.id)
        kwargs = {"view": pager}
        content = pager.content()
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)
