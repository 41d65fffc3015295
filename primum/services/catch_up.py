"""Catch-up: score the messages Primum missed while it was down or its session was reset.

Discord does not replay a gateway session that could not be resumed, so messages posted while
Primum was away would never be scored. On start and after every new session the cog reads a
bounded window of recent messages per channel and hands them here. A per-channel mark (the
newest scored message id, no text) says what was already scored; the kindness service's unique
claims make a second nudge or hide for one message impossible anyway. Only what still makes
sense is done: a missed message older than ``nudge_minutes`` is scored but not nudged, and only
those newer than ``heat_minutes`` feed de-escalation (no slowmode for a quarrel that is over).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.services.kindness import Handled, KindnessService, MessageFacts
from primum.settings import CatchUpSettings
from primum.storage.scored_marks import ScoredMarksRepository

log = logging.getLogger(__name__)

#: Skips that mean "not scored yet": such a message is left for the next catch-up.
NOT_SCORED = frozenset({"scorer_loading", "scorer_unavailable", "overloaded"})
#: How many recently scored message ids are remembered, so a live message is not scored again.
RECENT_IDS = 5_000


@dataclass(frozen=True)
class CatchUpWindow:
    """Where to look in one guild: marks per channel, and nothing older than ``since``."""

    marks: dict[int, int]
    since: datetime
    limit: int

    def after(self, channel_id: int) -> int:
        """Messages with a greater id than this may be missed ones (0: the channel has no mark)."""
        return self.marks.get(channel_id, 0)


@dataclass
class CatchUpResult:
    """What one catch-up did (counts only, for the event stream)."""

    scored: int = 0
    nudged: int = 0
    not_nudged_old: int = 0
    skipped_seen: int = 0
    skipped_old: int = 0


@dataclass
class CatchUpService:
    """Marks scored messages and decides what a missed message may still cause."""

    kindness: KindnessService
    marks: ScoredMarksRepository
    settings: CatchUpSettings
    clock: Clock
    events: EventSink
    _recent: OrderedDict[int, None] = field(default_factory=OrderedDict)

    async def seen(self, facts: MessageFacts, handled: Handled) -> None:
        """Record a live message as scored (unless it was not scored and should be caught up later)."""
        if handled.skipped in NOT_SCORED:
            return
        self._remember(facts.message_id)
        await self.marks.advance(facts.guild_id, facts.channel_id, facts.message_id, self.clock.now())

    async def window(self, guild_id: int) -> CatchUpWindow | None:
        """Where to look in a guild; None when catch-up is off or Primum never scored there (first start)."""
        if self.settings.messages <= 0:
            return None
        marks = await self.marks.for_guild(guild_id)
        if not marks:
            return None
        return CatchUpWindow(marks, self.clock.now() - timedelta(minutes=self.settings.minutes),
                             self.settings.messages)

    async def handle_missed(self, window: CatchUpWindow, facts: MessageFacts, text: str,
                            result: CatchUpResult) -> Handled | None:
        """Score one missed message and act only as far as still makes sense; None when skipped."""
        if facts.message_id <= window.after(facts.channel_id) or facts.message_id in self._recent:
            result.skipped_seen += 1
            return None
        now = self.clock.now()
        if facts.created_at < window.since:
            result.skipped_old += 1
            return None
        age = now - facts.created_at
        may_nudge = age <= timedelta(minutes=self.settings.nudge_minutes)
        handled = await self.kindness.handle_message(
            facts, text, may_nudge=may_nudge, may_heat=age <= timedelta(minutes=self.settings.heat_minutes),
        )
        if handled.skipped in NOT_SCORED:
            return handled
        result.scored += 1
        if handled.nudge is not None:
            result.nudged += 1
        elif not may_nudge and handled.decision is not None and handled.decision.action.value == "nudge":
            result.not_nudged_old += 1
        self._remember(facts.message_id)
        await self.marks.advance(facts.guild_id, facts.channel_id, facts.message_id, now)
        return handled

    def report(self, guild_id: int, reason: str, result: CatchUpResult) -> None:
        """One event per guild and catch-up (counts only)."""
        self.events.emit("catch_up", guild_id=guild_id, reason=reason, scored=result.scored, nudged=result.nudged,
                         not_nudged_old=result.not_nudged_old, skipped_seen=result.skipped_seen,
                         skipped_old=result.skipped_old)
        if result.scored:
            log.info("catch-up (%s) in guild %s: scored %d missed message(s), %d nudge(s)", reason, guild_id,
                     result.scored, result.nudged)

    def _remember(self, message_id: int) -> None:
        self._recent[message_id] = None
        while len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)
