"""The review loop for "This was a mistake": a batched digest, one verdict per report, the member told.

A member's report schedules one digest per server (a row in ``scheduled_actions``, so a restart
neither loses nor repeats it); when it falls due, every report not yet listed goes to #mod-log in
one post. A moderator gives each report its own verdict: *a mistake* (the nudged message was kind)
or *fair* (it was not). The first verdict wins; the member is told the outcome by DM; the verdict
becomes a labelled calibration example (score, category, label; no member) that
``primum calibrate --from-db`` reads. No message text either, unless the server's owner opted in
(``/kind-reports text``): then the nudged message's text, as it was scored, is kept with the
example for :data:`~primum.domain.privacy.KEPT_TEXT_RETENTION`, and goes with its author's forget.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from primum.domain.privacy import KEPT_TEXT_RETENTION
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.runtime.scheduler import NewAction, RetryLater, ScheduledAction, Scheduler, Why
from primum.storage.database import Database
from primum.storage.deescalation import ScheduledActionRepository
from primum.storage.guild_settings import GuildSettingsRepository
from primum.storage.report_reviews import VERDICTS, KeptText, ReportReviewRepository, ReviewItem

log = logging.getLogger(__name__)

DIGEST = "report_digest"
DIGEST_MINUTES_KEY = "report_digest_minutes"
DEFAULT_DIGEST_MINUTES = 30.0
#: Owners opt in to keeping the nudged message's text with each verdict (off by default).
KEEP_TEXT_KEY = "report_review.keep_text"
#: Reports per digest card: one row of verdict buttons each, within Discord's five rows.
REPORTS_PER_CARD = 5


class ReviewPort(Protocol):
    """What the review needs from Discord (the cog implements it)."""

    async def post_digest(self, guild_id: int, cards: list[list[ReviewItem]]) -> list[tuple[int, int]]:
        """Post one card per list in #mod-log; ``(channel id, message id)`` per card, [] without a mod-log."""

    async def tell_member(self, item: ReviewItem, verdict: str) -> bool:
        """DM the reporter the outcome; False when their DMs are closed."""

    async def scored_text(self, item: ReviewItem) -> str | None:
        """The nudged message's text if it is still the text that was scored; None if gone or edited since."""


@dataclass(frozen=True)
class VerdictResult:
    """What the moderator who clicked is told."""

    ok: bool
    message: str
    item: ReviewItem | None = None


class ReportReviewService:
    """Schedules digests, records verdicts and tells members; no Discord objects."""

    def __init__(self, db: Database, clock: Clock, events: EventSink) -> None:
        self.clock = clock
        self.events = events
        self.repo = ReportReviewRepository(db)
        self.settings = GuildSettingsRepository(db)
        self.actions = ScheduledActionRepository(db)
        self.scheduler = Scheduler(self.actions, clock, name="report-review")
        self.scheduler.register(DIGEST, self._send_digest)
        self.port: ReviewPort | None = None
        self._scheduling = asyncio.Lock()

    async def start(self) -> None:
        """Send digests that fell due while Primum was down; re-arm the rest."""
        await self.scheduler.start()

    async def stop(self) -> None:
        """Stop the timers; pending digests stay in the database."""
        await self.scheduler.stop()

    async def digest_every(self, guild_id: int) -> timedelta:
        """How long reports wait to be batched in this server."""
        minutes = await self.settings.get(guild_id, DIGEST_MINUTES_KEY)
        return timedelta(minutes=float(minutes) if minutes is not None else DEFAULT_DIGEST_MINUTES)

    async def set_digest_every(self, guild_id: int, minutes: float, actor_id: int) -> None:
        """An owner changes the batching interval."""
        await self.settings.set(guild_id, DIGEST_MINUTES_KEY, minutes, now=self.clock.now(), updated_by=actor_id)

    async def keeps_text(self, guild_id: int) -> bool:
        """Whether this server's owner opted in to keeping message text with verdicts."""
        return bool(await self.settings.get(guild_id, KEEP_TEXT_KEY))

    async def set_keep_text(self, guild_id: int, keep: bool, actor_id: int) -> None:
        """An owner opts in or out (texts already kept still expire on time, or go with a forget)."""
        await self.settings.set(guild_id, KEEP_TEXT_KEY, keep, now=self.clock.now(), updated_by=actor_id)

    async def on_report(self, guild_id: int) -> ScheduledAction | None:
        """A new report: make sure one digest is pending for the server (None when one already is)."""
        async with self._scheduling:  # two reports at once must not schedule two digests
            pending = [a for a in await self.actions.pending((DIGEST,)) if a.guild_id == guild_id]
            if pending:
                return None
            due = self.clock.now() + await self.digest_every(guild_id)
            return await self.scheduler.schedule(NewAction(
                kind=DIGEST, guild_id=guild_id, expires_at=due,
                reason="batched digest of reports for the moderators",
            ))

    async def _send_digest(self, action: ScheduledAction, why: Why) -> str:
        if self.port is None:
            raise RetryLater("the review port is not attached yet")
        items = await self.repo.not_notified(action.guild_id)
        if not items:
            return "nothing_new"
        cards = [items[i:i + REPORTS_PER_CARD] for i in range(0, len(items), REPORTS_PER_CARD)]
        posted = await self.port.post_digest(action.guild_id, cards)
        now = self.clock.now()
        if not posted:
            log.warning("guild %s has no mod-log channel for the report digest", action.guild_id)
            return "no_modlog"
        for card, (channel_id, message_id) in zip(cards, posted, strict=False):
            await self.repo.mark_notified([i.report.id for i in card], action.guild_id, now,
                                          channel_id=channel_id, message_id=message_id)
        self.events.emit("report_digest", guild_id=action.guild_id, reports=len(items), cards=len(posted))
        return "posted"

    async def decide(self, report_id: int, verdict: str, moderator_id: int) -> VerdictResult:
        """One moderator's verdict on one report; the first verdict wins."""
        if verdict not in VERDICTS:
            return VerdictResult(False, f"Unknown verdict {verdict!r}.")
        item = await self.repo.item(report_id)
        if item is None:
            return VerdictResult(False, f"Report #{report_id} no longer exists (the member may have asked Primum "
                                        "to forget their data).")
        if item.report.author_id == moderator_id:
            return VerdictResult(False, "This is your own report; another moderator decides it.", item)
        kept = await self._kept_text(item) if item.verdict is None else None
        if item.verdict is not None or not await self.repo.decide(item, verdict, moderator_id, self.clock.now(),
                                                                  kept):
            again = await self.repo.item(report_id) or item
            return VerdictResult(False, f"Report #{report_id} was already decided ({again.verdict}).", again)
        decided = await self.repo.item(report_id) or item
        self.events.emit("report_verdict", guild_id=item.report.guild_id, report_id=report_id, verdict=verdict,
                         category=item.report.category, moderator_id=moderator_id)
        told = False
        if self.port is not None:
            told = await self.port.tell_member(decided, verdict)
            if told:
                await self.repo.mark_member_told(report_id)
        what = "a mistake (the message was kind)" if verdict == "mistake" else "fair (the nudge stands)"
        note = "the member was told by DM" if told else "the member could not be told (DMs closed)"
        return VerdictResult(True, f"Report #{report_id}: {what}; {note}. It is now a calibration example.", decided)

    async def _kept_text(self, item: ReviewItem) -> KeptText | None:
        """The text to keep with the example: only where the owner opted in, and only the text that was scored."""
        if self.port is None or item.message_id is None or not await self.keeps_text(item.report.guild_id):
            return None
        text = await self.port.scored_text(item)
        if not text:
            return None
        return KeptText(text, item.report.author_id, self.clock.now() + KEPT_TEXT_RETENTION)
