"""Reviewing "This was a mistake" reports: a batched #mod-log digest, per-report verdicts, the member told.

``/kind-reports list`` (moderators) pages through reports waiting for a verdict, with the same
buttons as the digest; ``/kind-reports digest`` (owners) sets how long reports are batched, and
``/kind-reports text`` (owners) whether the nudged message's text is kept with each verdict (off
by default; it expires, and goes with its author's forget).
The logic is in ``primum.services.report_review``; this cog only speaks Discord.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from cogs._channels import MODLOG_NAMES, find_text_channel
from cogs._checks import is_moderator, moderators_only, owners_only
from cogs._review_views import PAGE_SIZE, PageButton, VerdictButton, card_content, page_header, verdict_view
from primum import display
from primum.domain.privacy import KEPT_TEXT_RETENTION
from primum.runtime.tasks import BackgroundTasks
from primum.services.kindness_policy import MODLOG_CHANNEL_KEY
from primum.services.report_review import ReportReviewService
from primum.storage.report_reviews import ReviewItem

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)
Interaction = discord.Interaction[Any]

MODERATORS_ONLY = "Only moderators can review reports."
OWNERS_ONLY = "Only the server's owners can change how reports are reviewed."
OUTCOME_DM = {
    "mistake": ("A moderator reviewed the note Primum sent you on {when} about your message in {channel}, and "
                "agrees it was a mistake. Thank you for saying so: verdicts like this one help tune Primum for "
                "this server."),
    "fair": ("A moderator reviewed the note Primum sent you on {when} about your message in {channel}, and "
             "thinks the note was fair. Nothing happens to you or your message: notes are never penalties."),
}


class ReportReview(commands.Cog):
    """Digest, verdicts and the member's answer for false-positive reports."""

    reports = app_commands.Group(name="kind-reports", description="Nudges members reported as mistakes",
                                 guild_only=True, default_permissions=discord.Permissions(manage_messages=True))

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot
        self.service = ReportReviewService(bot.db, bot.clock, bot.events)
        self.service.port = self
        self._tasks = BackgroundTasks("report-review", log)

    async def cog_load(self) -> None:
        """Persistent buttons, the report listener, and the digest timers once connected."""
        self.bot.add_dynamic_items(VerdictButton, PageButton)
        self.bot.events.subscribe(self._on_event)
        self._tasks.spawn(self._start(), "report-review-start")

    async def cog_unload(self) -> None:
        """Undo cog_load; pending digests stay in the database."""
        self.bot.events.unsubscribe(self._on_event)
        await self._tasks.cancel_all()
        await self.service.stop()
        self.bot.remove_dynamic_items(VerdictButton, PageButton)

    async def _start(self) -> None:
        await self.bot.wait_until_ready()
        await self.service.start()

    def _on_event(self, event: dict[str, Any]) -> None:
        if event["type"] == "nudge_report":
            self._tasks.spawn(self.service.on_report(int(event["guild_id"])), "report-digest-schedule")

    # --- the port -----------------------------------------------------------------------------
    async def post_digest(self, guild_id: int, cards: list[list[ReviewItem]]) -> list[tuple[int, int]]:
        """One #mod-log post per card (five reports each), without pinging anyone."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return []
        configured = await self.bot.guild_settings.get(guild_id, MODLOG_CHANNEL_KEY)
        channel = find_text_channel(guild, int(configured) if configured else None, MODLOG_NAMES)
        if channel is None:
            return []
        total = sum(len(card) for card in cards)
        posted: list[tuple[int, int]] = []
        for index, card in enumerate(cards):
            header = (f"**{total} nudge(s) reported as a mistake** — give each its own verdict below."
                      if index == 0 else f"**Reports, continued ({index + 1}/{len(cards)})**")
            message = await channel.send(card_content(card, header=header), view=verdict_view(card),
                                         allowed_mentions=discord.AllowedMentions.none())
            posted.append((channel.id, message.id))
        return posted

    async def tell_member(self, item: ReviewItem, verdict: str) -> bool:
        """DM the member the outcome of their report."""
        text = OUTCOME_DM[verdict].format(when=display.timestamp(item.report.created_at),
                                          channel=display.channel(item.report.channel_id))
        try:
            user = self.bot.get_user(item.report.author_id) or await self.bot.fetch_user(item.report.author_id)
            await user.send(text)
        except discord.Forbidden:
            log.info("could not tell user %d the outcome of report %d (DMs closed)", item.report.author_id,
                     item.report.id)
            return False
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            log.warning("could not tell the outcome of report %d: %s", item.report.id, error)
            return False
        return True

    async def scored_text(self, item: ReviewItem) -> str | None:
        """The nudged message's text, if it still exists and was not edited after its nudge."""
        channel = self.bot.get_channel(item.report.channel_id)
        if item.message_id is None or not isinstance(channel, discord.abc.Messageable):
            return None
        try:
            message = await channel.fetch_message(item.message_id)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            log.info("could not read the text of report %d: %s", item.report.id, error)
            return None
        if message.edited_at is not None and (item.nudged_at is None or message.edited_at > item.nudged_at):
            return None  # no longer the text that was scored
        return message.content or None

    # --- buttons ------------------------------------------------------------------------------
    async def on_verdict(self, interaction: Interaction, verdict: str, report_id: int, offset: int | None) -> None:
        """A moderator's verdict; the card or page is redrawn in place, the moderator told privately."""
        if interaction.guild is None or not isinstance(interaction.user, discord.Member) \
                or not is_moderator(interaction):
            await interaction.response.send_message(MODERATORS_ONLY, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=False)
        result = await self.service.decide(report_id, verdict, interaction.user.id)
        if result.item is not None and result.item.report.guild_id != interaction.guild.id:
            await interaction.followup.send("That report belongs to another server.", ephemeral=True)
            return
        if offset is not None:
            await self._redraw_page(interaction, offset)
        elif interaction.message is not None:
            await self._redraw_card(interaction.message)
        await interaction.followup.send(result.message, ephemeral=True)

    async def _redraw_card(self, message: discord.Message) -> None:
        items = await self.service.repo.on_card(message.id)
        if not items:
            return
        header = message.content.split("\n", 1)[0]
        try:
            await message.edit(content=card_content(items, header=header), view=verdict_view(items))
        except discord.HTTPException as error:
            log.info("could not redraw review card %d: %s", message.id, error)

    async def _redraw_page(self, interaction: Interaction, offset: int) -> None:
        content, view = await self._page(interaction, offset)
        try:
            await interaction.edit_original_response(content=content, view=view)
        except discord.HTTPException as error:
            log.info("could not redraw a review page: %s", error)

    async def _page(self, interaction: Interaction, offset: int) -> tuple[str, discord.ui.View]:
        assert interaction.guild is not None
        items, total = await self.service.repo.undecided(interaction.guild.id, offset=offset, limit=PAGE_SIZE)
        if not items and offset > 0:  # the last page emptied: step back
            offset = max(0, total - PAGE_SIZE)
            items, total = await self.service.repo.undecided(interaction.guild.id, offset=offset, limit=PAGE_SIZE)
        header = page_header(offset, len(items), total)
        return card_content(items, header=header), verdict_view(items, offset=offset, total=total)

    async def show_page(self, interaction: Interaction, offset: int, *, edit: bool = False) -> None:
        """A page of reports waiting for a verdict (a new private answer, or the same message redrawn)."""
        if interaction.guild is None or not is_moderator(interaction):
            await interaction.response.send_message(MODERATORS_ONLY, ephemeral=True)
            return
        content, view = await self._page(interaction, offset)
        if edit:
            await interaction.response.edit_message(content=content, view=view)
        elif interaction.response.is_done():  # acknowledged first (``/kind-settings reports``)
            await interaction.followup.send(content, view=view, ephemeral=True)
        else:
            await interaction.response.send_message(content, view=view, ephemeral=True)

    # --- commands -----------------------------------------------------------------------------
    @reports.command(name="list", description="Reports waiting for a verdict, a page at a time")
    @moderators_only(MODERATORS_ONLY)
    async def list_reports(self, interaction: Interaction) -> None:
        """Oldest first; each with its own verdict buttons (a read: WAL lets it pass a held write lock)."""
        await self.show_page(interaction, 0)

    @reports.command(name="digest", description="How long reports are batched before one #mod-log post")
    @app_commands.describe(minutes="Minutes to wait and gather reports (default 30)")
    @owners_only(OWNERS_ONLY)
    async def digest(self, interaction: Interaction, minutes: app_commands.Range[float, 0.05, 1440.0]) -> None:
        """Owners choose the batching interval; a digest already pending keeps its time."""
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.service.set_digest_every(interaction.guild.id, minutes, interaction.user.id)
        every = display.duration_words(minutes * 60)
        await interaction.followup.send(f"Reports are now gathered for {every} before one #mod-log post.",
                                        ephemeral=True)


    @reports.command(name="text", description="Keep the message text with each verdict, for calibration")
    @app_commands.describe(keep="True: keep the nudged message's text with its verdict (7 days); False: never")
    @owners_only(OWNERS_ONLY)
    async def text(self, interaction: Interaction, keep: bool) -> None:
        """Owners opt in (off by default); kept text expires and goes with its author's forget."""
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.service.set_keep_text(interaction.guild.id, keep, interaction.user.id)
        days = KEPT_TEXT_RETENTION.days
        shown = (f"kept with each verdict for {days} days, so `primum calibrate --from-db --rescore` can score it "
                 "again; it goes with its author's forget" if keep else "not kept (verdicts keep a score and a "
                 "label only)")
        await interaction.followup.send(f"Message text with report verdicts: **{shown}**.", ephemeral=True)


async def setup(bot: PrimumBot) -> None:
    """Load the ReportReview cog."""
    await bot.add_cog(ReportReview(bot))
