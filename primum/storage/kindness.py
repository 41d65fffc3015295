"""Be-kind records: nudges and outcomes, false-positive reports, opt-in text, a member's data.

Ids, scores, categories and outcomes only. Text lives in ``kindness_texts`` (and, where an owner
opted in, ``calibration_texts``), always with an expiry: opted-in mod-log text, and a hidden
message's text from before its deletion until its author has it back (kept to expire when their
DMs are closed). Hidden messages themselves are in :mod:`primum.storage.kindness_hides`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from primum.runtime.clock import from_iso, from_iso_or_none, to_iso
from primum.storage.database import Database
from primum.storage.kindness_hides import HideRecord

DELIVERY_STATES = ("pending", "dm", "channel", "failed")
RESPONSES = ("will_edit", "keep", "mistake")
OUTCOMES = ("revised", "withdrawn", "kept")



@dataclass(frozen=True)
class NudgeRecord:
    """One nudge row."""

    id: int
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    category: str
    score: float
    threshold: float
    model_version: str
    created_at: datetime
    deadline: datetime
    delivery: str
    attempts: int
    delivered_at: datetime | None
    response: str | None
    outcome: str | None
    outcome_at: datetime | None
    edit_score: float | None

    @classmethod
    def from_row(cls, row: Any) -> NudgeRecord:
        """Map a ``kindness_nudges`` row."""
        return cls(
            id=int(row["id"]),
            guild_id=int(row["guild_id"]),
            channel_id=int(row["channel_id"]),
            message_id=int(row["message_id"]),
            author_id=int(row["author_id"]),
            category=str(row["category"]),
            score=float(row["score"]),
            threshold=float(row["threshold"]),
            model_version=str(row["model_version"]),
            created_at=from_iso(row["created_at"]),
            deadline=from_iso(row["deadline"]),
            delivery=str(row["delivery"]),
            attempts=int(row["attempts"]),
            delivered_at=from_iso_or_none(row["delivered_at"]),
            response=row["response"],
            outcome=row["outcome"],
            outcome_at=from_iso_or_none(row["outcome_at"]),
            edit_score=None if row["edit_score"] is None else float(row["edit_score"]),
        )


@dataclass(frozen=True)
class ReportRecord:
    """A member's "this was a mistake" report, for the owners' review."""

    id: int
    nudge_id: int
    guild_id: int
    channel_id: int
    author_id: int
    category: str
    score: float
    created_at: datetime
    reviewed_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> ReportRecord:
        """Map a ``kindness_reports`` row."""
        return cls(
            id=int(row["id"]),
            nudge_id=int(row["nudge_id"]),
            guild_id=int(row["guild_id"]),
            channel_id=int(row["channel_id"]),
            author_id=int(row["author_id"]),
            category=str(row["category"]),
            score=float(row["score"]),
            created_at=from_iso(row["created_at"]),
            reviewed_at=from_iso_or_none(row["reviewed_at"]),
        )


@dataclass(frozen=True)
class StoredText:
    """Message text kept on purpose, with its expiry."""

    message_id: int
    purpose: str
    guild_id: int
    author_id: int
    text: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ExpiredText:
    """A text that expired, with where its mod-log copy is (so the copy can be redacted too)."""

    message_id: int
    purpose: str
    modlog_channel_id: int | None
    modlog_message_id: int | None


@dataclass(frozen=True)
class NudgeStatRow:
    """The columns statistics need from one nudge."""

    channel_id: int
    created_at: datetime
    outcome: str | None
    reported: bool


@dataclass(frozen=True)
class UserData:
    """Everything Primum's be-kind feature holds about one member of one guild."""

    nudges: list[NudgeRecord]
    hides: list[HideRecord]
    reports: int
    texts: list[StoredText]


class KindnessRepository:
    """SQL for the be-kind feature."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def db(self) -> Database:
        """The database (for the repositories of the feature's other records)."""
        return self._db

    # --- nudges -----------------------------------------------------------------------------

    async def claim_nudge(
        self,
        *,
        guild_id: int,
        channel_id: int,
        message_id: int,
        author_id: int,
        category: str,
        score: float,
        threshold: float,
        model_version: str,
        created_at: datetime,
        deadline: datetime,
    ) -> NudgeRecord | None:
        """Insert the nudge before sending it; None when the message was already nudged (never twice)."""
        row = await self._db.write_returning(
            "INSERT INTO kindness_nudges (guild_id, channel_id, message_id, author_id, category, score, "
            "threshold, model_version, created_at, deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (message_id) DO NOTHING RETURNING *",
            (guild_id, channel_id, message_id, author_id, category, score, threshold, model_version,
             to_iso(created_at), to_iso(deadline)),
        )
        return None if row is None else NudgeRecord.from_row(row)

    async def nudge_by_message(self, message_id: int) -> NudgeRecord | None:
        """The nudge for a message, if it was nudged."""
        row = await self._db.fetch_one("SELECT * FROM kindness_nudges WHERE message_id = ?", (message_id,))
        return None if row is None else NudgeRecord.from_row(row)

    async def nudge(self, nudge_id: int) -> NudgeRecord | None:
        """One nudge by id."""
        row = await self._db.fetch_one("SELECT * FROM kindness_nudges WHERE id = ?", (nudge_id,))
        return None if row is None else NudgeRecord.from_row(row)

    async def recent_nudge_times(self, guild_id: int, author_id: int, since: datetime) -> list[datetime]:
        """When the author was nudged in this guild since ``since`` (the per-author window)."""
        rows = await self._db.fetch_all(
            "SELECT created_at FROM kindness_nudges WHERE guild_id = ? AND author_id = ? AND created_at > ? "
            "ORDER BY created_at",
            (guild_id, author_id, to_iso(since)),
        )
        return [from_iso(row["created_at"]) for row in rows]

    async def mark_delivered(self, nudge_id: int, via: str, at: datetime) -> None:
        """Record how the nudge reached the author ('dm' or 'channel') or that it could not ('failed')."""
        if via not in DELIVERY_STATES:
            raise ValueError(f"unknown delivery {via!r}")
        await self._db.execute(
            "UPDATE kindness_nudges SET delivery = ?, delivered_at = ? WHERE id = ? AND delivery = 'pending'",
            (via, to_iso(at), nudge_id),
        )

    async def note_attempt(self, nudge_id: int) -> int:
        """Count a delivery attempt before it is made (the intent a restart reconciles); return the count."""
        await self._db.execute("UPDATE kindness_nudges SET attempts = attempts + 1 WHERE id = ?", (nudge_id,))
        row = await self._db.fetch_one("SELECT attempts FROM kindness_nudges WHERE id = ?", (nudge_id,))
        return int(row["attempts"]) if row is not None else 0

    async def undelivered(self, before: datetime, limit: int = 50) -> list[NudgeRecord]:
        """Nudges still pending delivery that were created before ``before`` and whose window is open."""
        rows = await self._db.fetch_all(
            "SELECT * FROM kindness_nudges WHERE delivery = 'pending' AND created_at <= ? AND outcome IS NULL "
            "ORDER BY created_at LIMIT ?",
            (to_iso(before), limit),
        )
        return [NudgeRecord.from_row(row) for row in rows]

    async def set_response(self, nudge_id: int, response: str) -> bool:
        """Record the author's button press; return False when it was already recorded (first one wins)."""
        if response not in RESPONSES:
            raise ValueError(f"unknown response {response!r}")
        row = await self._db.write_returning(
            "UPDATE kindness_nudges SET response = ? WHERE id = ? AND response IS NULL RETURNING id",
            (response, nudge_id),
        )
        return row is not None

    async def resolve(
        self, nudge_id: int, outcome: str, at: datetime, edit_score: float | None = None
    ) -> bool:
        """Set the outcome once; return False when it was already resolved (idempotent sweeps)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        row = await self._db.write_returning(
            "UPDATE kindness_nudges SET outcome = ?, outcome_at = ?, edit_score = COALESCE(?, edit_score) "
            "WHERE id = ? AND outcome IS NULL RETURNING id",
            (outcome, to_iso(at), edit_score, nudge_id),
        )
        return row is not None

    async def note_edit_score(self, nudge_id: int, score: float) -> None:
        """Remember the latest score of an edit that did not resolve the nudge."""
        await self._db.execute("UPDATE kindness_nudges SET edit_score = ? WHERE id = ?", (score, nudge_id))

    async def due(self, now: datetime, limit: int = 500) -> list[NudgeRecord]:
        """Open nudges whose outcome window has run out (to be classified 'kept')."""
        rows = await self._db.fetch_all(
            "SELECT * FROM kindness_nudges WHERE outcome IS NULL AND deadline <= ? ORDER BY deadline LIMIT ?",
            (to_iso(now), limit),
        )
        return [NudgeRecord.from_row(row) for row in rows]

    async def next_deadline(self) -> datetime | None:
        """The earliest open deadline, for the sweep to sleep until."""
        row = await self._db.fetch_one("SELECT MIN(deadline) AS d FROM kindness_nudges WHERE outcome IS NULL")
        return None if row is None or row["d"] is None else from_iso(row["d"])

    # --- reports ----------------------------------------------------------------------------

    async def report_mistake(self, nudge: NudgeRecord, at: datetime) -> bool:
        """Store a false-positive report for the owners' review; False when already reported."""
        row = await self._db.write_returning(
            "INSERT INTO kindness_reports (nudge_id, guild_id, channel_id, author_id, category, score, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (nudge_id) DO NOTHING RETURNING id",
            (nudge.id, nudge.guild_id, nudge.channel_id, nudge.author_id, nudge.category, nudge.score, to_iso(at)),
        )
        return row is not None

    async def open_reports(self, guild_id: int, limit: int = 25) -> list[ReportRecord]:
        """Reports the owners have not reviewed yet, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM kindness_reports WHERE guild_id = ? AND reviewed_at IS NULL ORDER BY created_at LIMIT ?",
            (guild_id, limit),
        )
        return [ReportRecord.from_row(row) for row in rows]

    async def mark_reviewed(self, report_id: int, reviewer_id: int, at: datetime) -> None:
        """An owner looked at the report."""
        await self._db.execute(
            "UPDATE kindness_reports SET reviewed_at = ?, reviewed_by = ? WHERE id = ?",
            (to_iso(at), reviewer_id, report_id),
        )

    # --- statistics -------------------------------------------------------------------------

    async def stat_rows(self, guild_id: int, since: datetime) -> list[NudgeStatRow]:
        """Channel, time, outcome and whether reported, for every nudge since ``since``."""
        rows = await self._db.fetch_all(
            "SELECT n.channel_id, n.created_at, n.outcome, r.id IS NOT NULL AS reported "
            "FROM kindness_nudges n LEFT JOIN kindness_reports r ON r.nudge_id = n.id "
            "WHERE n.guild_id = ? AND n.created_at >= ? ORDER BY n.created_at",
            (guild_id, to_iso(since)),
        )
        return [
            NudgeStatRow(int(row["channel_id"]), from_iso(row["created_at"]), row["outcome"], bool(row["reported"]))
            for row in rows
        ]

    # --- opt-in text ------------------------------------------------------------------------

    async def keep_text(
        self, *, message_id: int, purpose: str, guild_id: int, author_id: int, text: str,
        created_at: datetime, expires_at: datetime,
    ) -> None:
        """Keep a message's text until ``expires_at`` (opt-in mod-log text, or a hidden text to return)."""
        await self._db.execute(
            "INSERT INTO kindness_texts (message_id, purpose, guild_id, author_id, text, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, purpose) DO UPDATE SET text = excluded.text, "
            "expires_at = excluded.expires_at",
            (message_id, purpose, guild_id, author_id, text, to_iso(created_at), to_iso(expires_at)),
        )

    async def purge_expired_texts(self, now: datetime) -> list[ExpiredText]:
        """Delete texts past their expiry; return them with their mod-log post, if any, for redaction."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT t.message_id, t.purpose, h.modlog_channel_id, h.modlog_message_id FROM kindness_texts t "
                "LEFT JOIN kindness_hides h ON h.message_id = t.message_id WHERE t.expires_at <= ?",
                (to_iso(now),),
            )
            rows = list(await cursor.fetchall())
            await conn.execute("DELETE FROM kindness_texts WHERE expires_at <= ?", (to_iso(now),))
            await conn.execute("DELETE FROM calibration_texts WHERE expires_at <= ?", (to_iso(now),))
        return [
            ExpiredText(
                int(row["message_id"]),
                str(row["purpose"]),
                row["modlog_channel_id"] if row["purpose"] == "modlog" else None,
                row["modlog_message_id"] if row["purpose"] == "modlog" else None,
            )
            for row in rows
        ]

    # --- a member's own data ----------------------------------------------------------------

    async def user_data(self, guild_id: int, user_id: int, now: datetime) -> UserData:
        """Everything held about a member in a guild (for /kind mydata); expired texts are left out."""
        nudges = await self._db.fetch_all(
            "SELECT * FROM kindness_nudges WHERE guild_id = ? AND author_id = ? ORDER BY created_at",
            (guild_id, user_id),
        )
        hides = await self._db.fetch_all(
            "SELECT * FROM kindness_hides WHERE guild_id = ? AND author_id = ? ORDER BY created_at",
            (guild_id, user_id),
        )
        reports = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM kindness_reports WHERE guild_id = ? AND author_id = ?", (guild_id, user_id)
        )
        texts = await self._db.fetch_all(
            "SELECT * FROM kindness_texts WHERE guild_id = ? AND author_id = ? AND expires_at > ? ORDER BY created_at",
            (guild_id, user_id, to_iso(now)),
        )
        return UserData(
            nudges=[NudgeRecord.from_row(row) for row in nudges],
            hides=[HideRecord.from_row(row) for row in hides],
            reports=int(reports["n"]) if reports is not None else 0,
            texts=[
                StoredText(
                    int(row["message_id"]), str(row["purpose"]), int(row["guild_id"]), int(row["author_id"]),
                    str(row["text"]), from_iso(row["created_at"]), from_iso(row["expires_at"]),
                )
                for row in texts
            ],
        )

    async def forget_user(self, guild_id: int, user_id: int) -> int:
        """Delete every be-kind record about a member in a guild, atomically; return how many rows went."""
        removed = 0
        async with self._db.transaction() as conn:
            for sql in (
                "DELETE FROM kindness_reports WHERE guild_id = ? AND author_id = ?",
                "DELETE FROM kindness_nudges WHERE guild_id = ? AND author_id = ?",
                "DELETE FROM kindness_hides WHERE guild_id = ? AND author_id = ?",
                "DELETE FROM kindness_texts WHERE guild_id = ? AND author_id = ?",
                "DELETE FROM calibration_texts WHERE guild_id = ? AND author_id = ?",
            ):
                cursor = await conn.execute(sql, (guild_id, user_id))
                removed += max(cursor.rowcount, 0)
        return removed
