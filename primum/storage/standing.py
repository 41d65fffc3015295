"""Other features' rows a member sees in ``/standing``: their be-kind nudges and active cooldowns.

Read-only and tolerant: when the be-kind or de-escalation feature is not installed, its table is
absent and these return nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from primum.runtime.clock import from_iso
from primum.storage.database import Database
from primum.storage.tables import has_columns


@dataclass(frozen=True)
class NudgeSummary:
    """One be-kind nudge as /standing shows it (no text)."""

    channel_id: int
    category: str
    created_at: datetime
    outcome: str | None


async def member_nudges(db: Database, guild_id: int, member_id: int, limit: int = 10) -> list[NudgeSummary]:
    """A member's recent nudges and outcomes (empty when the be-kind feature's table is absent)."""
    if not await has_columns(db, "kindness_nudges", ("guild_id", "author_id", "channel_id", "category",
                                                     "created_at", "outcome")):
        return []
    rows = await db.fetch_all(
        "SELECT channel_id, category, created_at, outcome FROM kindness_nudges WHERE guild_id = ? AND author_id = ? "
        "ORDER BY id DESC LIMIT ?",
        (guild_id, member_id, limit),
    )
    return [NudgeSummary(int(r["channel_id"]), str(r["category"]), from_iso(r["created_at"]), r["outcome"])
            for r in rows]


@dataclass(frozen=True)
class CooldownSummary:
    """An active cooldown (de-escalation's timed timeout)."""

    channel_id: int | None
    expires_at: datetime
    reason: str


async def active_cooldowns(db: Database, guild_id: int, member_id: int, now: datetime) -> list[CooldownSummary]:
    """Pending de-escalation cooldowns of a member (empty when that feature's table is absent)."""
    if not await has_columns(db, "scheduled_actions", ("kind", "guild_id", "user_id", "channel_id", "status",
                                                       "expires_at", "reason")):
        return []
    rows = await db.fetch_all(
        "SELECT channel_id, expires_at, reason FROM scheduled_actions WHERE guild_id = ? AND user_id = ? "
        "AND kind = 'cooldown' AND status = 'pending'",
        (guild_id, member_id),
    )
    found = [CooldownSummary(r["channel_id"], from_iso(r["expires_at"]), str(r["reason"])) for r in rows]
    return sorted((c for c in found if c.expires_at > now), key=lambda c: c.expires_at)
