"""What be-kind holds, read back: ``/kind stats`` for moderators, ``/kind mydata`` and forget for members."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from primum.domain.fragments import FragmentRuns
from primum.domain.nudge_stats import KindnessStats, NudgeFact, aggregate
from primum.domain.policy import Outcome
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.storage.kindness import KindnessRepository, UserData
from primum.storage.kindness_hides import HideRepository

if TYPE_CHECKING:
    from primum.services.conversation import ConversationPolicy


@dataclass(frozen=True)
class StatsView:
    """What ``/kind stats`` shows."""

    stats: KindnessStats
    hides: int
    open_reports: int
    since: datetime


@dataclass
class KindnessRecords:
    """Statistics, a member's own data, and deleting it."""

    repo: KindnessRepository
    hides: HideRepository
    clock: Clock
    events: EventSink
    conversation: Callable[[], ConversationPolicy | None]
    fragments: FragmentRuns | None = None  # short messages held in memory for a few seconds

    async def stats(self, guild_id: int, weeks: int = 8) -> StatsView:
        """Nudges, outcomes and reports per channel and week, for ``/kind stats``."""
        since = self.clock.now() - timedelta(weeks=weeks)
        rows = await self.repo.stat_rows(guild_id, since)
        facts = [
            NudgeFact(row.channel_id, row.created_at, Outcome(row.outcome) if row.outcome else None, row.reported)
            for row in rows
        ]
        return StatsView(
            stats=aggregate(facts),
            hides=await self.hides.hide_count(guild_id, since),
            open_reports=len(await self.repo.open_reports(guild_id, limit=1000)),
            since=since,
        )

    async def user_data(self, guild_id: int, user_id: int) -> UserData:
        """Everything be-kind holds about a member, for ``/kind mydata``."""
        return await self.repo.user_data(guild_id, user_id, self.clock.now())

    async def forget(self, guild_id: int, user_id: int, *, actor_id: int) -> int:
        """Delete a member's be-kind data (``/kind forgetme`` or a moderator's ``/kind forget``)."""
        removed = await self.repo.forget_user(guild_id, user_id)
        if self.fragments is not None:
            self.fragments.forget(guild_id, user_id)
        conversation = self.conversation()
        if conversation is not None:
            removed += await conversation.repo.forget_user(guild_id, user_id)
        self.events.emit("forget", guild_id=guild_id, user_id=user_id, actor_id=actor_id, rows=removed)
        return removed
