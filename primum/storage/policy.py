"""SQL for the conversation-level policy: incident alerts, what members saw of their nudges, observe reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from primum.runtime.clock import from_iso, to_iso
from primum.storage.database import Database

VERDICTS = ("correct", "wrong")


@dataclass(frozen=True)
class SeenNudge:
    """The author's latest nudge that reached them privately."""

    delivered_at: datetime
    category: str
    response: str | None


@dataclass(frozen=True)
class ObserveReport:
    """One thing observe mode would have done, and the moderators' verdict on it."""

    id: int
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int | None
    action: str
    category: str | None
    score: float
    threshold: float | None
    model_version: str
    created_at: datetime
    modlog_channel_id: int | None
    modlog_message_id: int | None
    verdict: str | None
    verdict_by: int | None
    text: str | None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> ObserveReport:
        """Build from a database row."""
        return cls(
            id=row["id"], guild_id=row["guild_id"], channel_id=row["channel_id"], message_id=row["message_id"],
            author_id=row["author_id"], action=row["action"], category=row["category"], score=row["score"],
            threshold=row["threshold"], model_version=row["model_version"], created_at=from_iso(row["created_at"]),
            modlog_channel_id=row["modlog_channel_id"], modlog_message_id=row["modlog_message_id"],
            verdict=row["verdict"], verdict_by=row["verdict_by"], text=row["text"],
        )


class PolicyRepository:
    """Incident alerts, nudge facts for the guards, and observe-mode reports."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def _rowcount(self, sql: str, params: tuple[Any, ...]) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
        return int(count)

    # --- one alert per incident -----------------------------------------------------------------

    async def claim_alert(self, guild_id: int, key: str, *, channel_id: int | None, reason: str,
                          at: datetime) -> bool:
        """Claim an incident key before alerting; False when it was alerted already (never twice)."""
        row = await self._db.write_returning(
            "INSERT INTO policy_alerts (guild_id, incident_key, channel_id, reason, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING incident_key",
            (guild_id, key, channel_id, reason, to_iso(at)),
        )
        return row is not None

    async def prune_alerts(self, before: datetime) -> int:
        """Forget incident keys older than ``before``."""
        return await self._rowcount("DELETE FROM policy_alerts WHERE created_at < ?", (to_iso(before),))

    # --- what the author saw --------------------------------------------------------------------

    async def latest_seen_nudge(self, guild_id: int, author_id: int, since: datetime) -> SeenNudge | None:
        """The author's latest nudge delivered by DM since ``since`` (a closed DM is no chance to read)."""
        row = await self._db.fetch_one(
            "SELECT delivered_at, category, response FROM kindness_nudges WHERE guild_id = ? AND author_id = ? "
            "AND delivery = 'dm' AND delivered_at IS NOT NULL AND delivered_at > ? "
            "ORDER BY delivered_at DESC LIMIT 1",
            (guild_id, author_id, to_iso(since)),
        )
        if row is None:
            return None
        return SeenNudge(from_iso(row["delivered_at"]), row["category"], row["response"])

    async def recent_nudge_categories(self, guild_id: int, author_id: int, since: datetime) -> list[str]:
        """Categories of the author's nudges since ``since`` (the per-author window)."""
        rows = await self._db.fetch_all(
            "SELECT category FROM kindness_nudges WHERE guild_id = ? AND author_id = ? AND created_at > ?",
            (guild_id, author_id, to_iso(since)),
        )
        return [row["category"] for row in rows]

    # --- observe mode ---------------------------------------------------------------------------

    async def add_report(
        self, *, guild_id: int, channel_id: int, message_id: int, author_id: int | None, action: str,
        category: str | None, score: float, threshold: float | None, model_version: str, created_at: datetime,
        text: str | None = None,
    ) -> ObserveReport | None:
        """Store one would-have action; None when this message already has that report (never twice)."""
        row = await self._db.write_returning(
            "INSERT INTO observe_reports (guild_id, channel_id, message_id, author_id, action, category, score, "
            "threshold, model_version, created_at, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (message_id, action) DO NOTHING RETURNING *",
            (guild_id, channel_id, message_id, author_id, action, category, score, threshold, model_version,
             to_iso(created_at), text),
        )
        return None if row is None else ObserveReport.from_row(row)

    async def report(self, report_id: int) -> ObserveReport | None:
        """One report by id."""
        row = await self._db.fetch_one("SELECT * FROM observe_reports WHERE id = ?", (report_id,))
        return None if row is None else ObserveReport.from_row(row)

    async def set_modlog(self, report_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the report was posted."""
        await self._db.execute(
            "UPDATE observe_reports SET modlog_channel_id = ?, modlog_message_id = ? WHERE id = ?",
            (channel_id, message_id, report_id),
        )

    async def set_verdict(self, report_id: int, verdict: str, by: int, at: datetime) -> bool:
        """Store a moderator's verdict (a later answer replaces an earlier one); False when the report is gone."""
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}; use one of {', '.join(VERDICTS)}")
        changed = await self._rowcount(
            "UPDATE observe_reports SET verdict = ?, verdict_by = ?, verdict_at = ? WHERE id = ?",
            (verdict, by, to_iso(at), report_id),
        )
        return changed > 0

    async def labelled(self, guild_id: int | None = None) -> list[ObserveReport]:
        """Reports with a verdict, oldest first (for ``primum calibrate --from-db``)."""
        if guild_id is None:
            rows = await self._db.fetch_all("SELECT * FROM observe_reports WHERE verdict IS NOT NULL ORDER BY id")
        else:
            rows = await self._db.fetch_all(
                "SELECT * FROM observe_reports WHERE verdict IS NOT NULL AND guild_id = ? ORDER BY id", (guild_id,)
            )
        return [ObserveReport.from_row(row) for row in rows]

    async def would_nudge_times(self, guild_id: int, author_id: int, since: datetime) -> list[datetime]:
        """When observe mode reported it would have nudged this author since ``since``."""
        rows = await self._db.fetch_all(
            "SELECT created_at FROM observe_reports WHERE guild_id = ? AND author_id = ? AND action = 'nudge' "
            "AND created_at > ? ORDER BY created_at",
            (guild_id, author_id, to_iso(since)),
        )
        return [from_iso(row["created_at"]) for row in rows]

    async def forget_user(self, guild_id: int, user_id: int) -> int:
        """Delete a member's observe reports (``/kind forgetme``)."""
        return await self._rowcount(
            "DELETE FROM observe_reports WHERE guild_id = ? AND author_id = ?", (guild_id, user_id)
        )
