"""Nudge statistics: what came of the nudges, per channel and per week (Monday UTC)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from primum.domain.policy import Outcome


@dataclass(frozen=True)
class NudgeFact:
    """One nudge as the statistics see it: where, when, what came of it, whether it was reported."""

    channel_id: int
    created_at: datetime
    outcome: Outcome | None
    reported: bool


@dataclass
class StatsCell:
    """Counts for one (channel, week) or for the total."""

    nudges: int = 0
    revised: int = 0
    withdrawn: int = 0
    kept: int = 0
    open: int = 0
    reports: int = 0

    @property
    def resolved(self) -> int:
        """Nudges whose outcome is known."""
        return self.revised + self.withdrawn + self.kept

    @property
    def revision_rate(self) -> float | None:
        """Revised or withdrawn, as a share of resolved nudges (None before any resolved)."""
        return (self.revised + self.withdrawn) / self.resolved if self.resolved else None

    def add(self, fact: NudgeFact) -> None:
        """Count one nudge."""
        self.nudges += 1
        self.reports += int(fact.reported)
        if fact.outcome is Outcome.REVISED:
            self.revised += 1
        elif fact.outcome is Outcome.WITHDRAWN:
            self.withdrawn += 1
        elif fact.outcome is Outcome.KEPT:
            self.kept += 1
        else:
            self.open += 1


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week containing ``moment``."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class KindnessStats:
    """Nudge statistics by channel and week, plus totals."""

    by_channel_week: dict[tuple[int, datetime], StatsCell]
    by_channel: dict[int, StatsCell]
    by_week: dict[datetime, StatsCell]
    total: StatsCell


def aggregate(facts: Iterable[NudgeFact]) -> KindnessStats:
    """Count nudges, outcomes and reports per channel and ISO week (Monday UTC)."""
    by_cw: dict[tuple[int, datetime], StatsCell] = {}
    by_c: dict[int, StatsCell] = {}
    by_w: dict[datetime, StatsCell] = {}
    total = StatsCell()
    for fact in facts:
        week = week_start(fact.created_at)
        for cell in (
            by_cw.setdefault((fact.channel_id, week), StatsCell()),
            by_c.setdefault(fact.channel_id, StatsCell()),
            by_w.setdefault(week, StatsCell()),
            total,
        ):
            cell.add(fact)
    return KindnessStats(by_cw, by_c, dict(sorted(by_w.items())), total)
