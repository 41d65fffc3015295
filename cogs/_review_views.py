"""Digest cards and pages for reviewing "This was a mistake" reports: one row of verdict buttons per report.

Every button carries what its click needs in its custom id (``primum:review:<verdict>:<report>``,
plus the page offset on a list page), so cards keep working after a restart.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from primum import display
from primum.storage.report_reviews import ReviewItem

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)

#: Reports on one page of ``/kind-reports list`` (the fifth row holds the page buttons).
PAGE_SIZE = 4
VERDICT_WORDS = {"mistake": "a mistake", "fair": "fair"}


def report_line(item: ReviewItem) -> str:
    """``#12 · 6 Dec 01:22 · #general · belittling 0.83 · jump`` (no text: Primum never stored it)."""
    report = item.report
    link = (f" · [message](https://discord.com/channels/{report.guild_id}/{report.channel_id}/{item.message_id})"
            if item.message_id else "")
    line = (f"**#{report.id}** · {display.timestamp(report.created_at)} · {display.channel(report.channel_id)} · "
            f"{report.category.replace('_', ' ')} {report.score:.2f}{link}")
    if item.verdict is not None:
        line += f"\n  ✓ {VERDICT_WORDS.get(item.verdict, item.verdict)}, decided by {display.user(item.decided_by)}"
        if item.decided_at is not None:
            line += f" {display.timestamp(item.decided_at, 'R')}"
    return line


def card_content(items: list[ReviewItem], *, header: str) -> str:
    """The text of a digest card or a list page."""
    return (header + "\n" + "\n".join(report_line(item) for item in items))[:2000]


def verdict_view(items: list[ReviewItem], *, offset: int | None = None, total: int = 0) -> discord.ui.View:
    """A row of two verdict buttons per undecided report; page buttons when ``offset`` is given."""
    view = discord.ui.View(timeout=None)
    for row, item in enumerate(items):
        if item.verdict is not None:
            continue
        for verdict in ("mistake", "fair"):
            view.add_item(VerdictButton(verdict, item.report.id, offset, row=row))
    if offset is not None and total > PAGE_SIZE:
        if offset > 0:
            view.add_item(PageButton(max(0, offset - PAGE_SIZE), "◀ Earlier"))
        if offset + PAGE_SIZE < total:
            view.add_item(PageButton(offset + PAGE_SIZE, "Later ▶"))
    return view


def page_header(offset: int, shown: int, total: int) -> str:
    """``**Reports waiting for a verdict** (5–8 of 11)``."""
    if not total:
        return "**No reports are waiting for a verdict.**"
    return (f"**Reports waiting for a verdict** ({offset + 1}–{offset + shown} of {total}). Was the nudge "
            "a mistake, or fair? Each verdict is private to the moderators, tells the member, and teaches Primum.")


class VerdictButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"primum:review:(?P<verdict>mistake|fair):(?P<report>[0-9]{1,20})(?::(?P<offset>[0-9]{1,6}))?",
):
    """One verdict on one report."""

    def __init__(self, verdict: str, report_id: int, offset: int | None = None, *, row: int | None = None) -> None:
        label = f"#{report_id} was a mistake" if verdict == "mistake" else f"#{report_id}: nudge was fair"
        style = discord.ButtonStyle.success if verdict == "mistake" else discord.ButtonStyle.secondary
        suffix = f":{offset}" if offset is not None else ""
        super().__init__(discord.ui.Button(label=label, style=style, row=row,
                                           custom_id=f"primum:review:{verdict}:{report_id}{suffix}"))
        self.verdict = verdict
        self.report_id = report_id
        self.offset = offset

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VerdictButton:
        """Rebuild the button from its custom id (after a restart too)."""
        offset = int(match["offset"]) if match["offset"] is not None else None
        return cls(match["verdict"], int(match["report"]), offset)

    async def callback(self, interaction: discord.Interaction[PrimumBot]) -> None:  # type: ignore[override]
        """Hand the click to the review cog."""
        cog = interaction.client.get_cog("ReportReview")
        if cog is None:
            await interaction.response.send_message("Primum's report review is not running.", ephemeral=True)
            return
        await cog.on_verdict(interaction, self.verdict, self.report_id, self.offset)  # type: ignore[attr-defined]


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"primum:review:page:(?P<offset>[0-9]{1,6})",
):
    """Earlier or later reports on a list page."""

    def __init__(self, offset: int, label: str = "Page") -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.primary, row=4,
                                           custom_id=f"primum:review:page:{offset}"))
        self.offset = offset

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["offset"]))

    async def callback(self, interaction: discord.Interaction[PrimumBot]) -> None:  # type: ignore[override]
        """Show another page in place."""
        cog = interaction.client.get_cog("ReportReview")
        if cog is None:
            await interaction.response.send_message("Primum's report review is not running.", ephemeral=True)
            return
        await cog.show_page(interaction, self.offset, edit=True)  # type: ignore[attr-defined]
