"""SQL for the review of "This was a mistake" reports and the calibration examples verdicts become."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from primum.runtime.clock import from_iso_or_none, to_iso
from primum.storage.database import Database
from primum.storage.kindness import ReportRecord

VERDICTS = ("mistake", "fair")
#: The label a verdict gives the nudged message: a mistake means it was kind (0), fair means unkind (1).
VERDICT_LABEL = {"mistake": 0, "fair": 1}
SOURCE = "report_review"


@dataclass(frozen=True)
class ReviewItem:
    """A report with what the review has done with it so far."""

    report: ReportRecord
    message_id: int | None  # the nudged message (None when the nudge is gone)
    nudged_at: datetime | None  # when it was nudged (its text since then is the text that was scored)
    model_version: str
    notified_at: datetime | None
    card_channel_id: int | None
    card_message_id: int | None
    verdict: str | None
    decided_by: int | None
    decided_at: datetime | None
    member_told: bool


@dataclass(frozen=True)
class CalibrationExample:
    """One labelled score (no member; text only where the owner opted in, until it expires)."""

    guild_id: int
    source: str
    score: float
    category: str
    label: int
    model_version: str
    text: str | None = None


@dataclass(frozen=True)
class KeptText:
    """The nudged message's text, kept with its verdict because the server's owner opted in."""

    text: str
    author_id: int  # only so that the author's "forget me" removes it
    expires_at: datetime


_SELECT = (
    "SELECT r.*, n.message_id AS nudge_message_id, n.created_at AS nudged_at, n.model_version AS model_version, "
    "v.notified_at, "
    "v.card_channel_id, v.card_message_id, v.verdict, v.decided_by, v.decided_at, "
    "COALESCE(v.member_told, 0) AS member_told "
    "FROM kindness_reports r LEFT JOIN kindness_nudges n ON n.id = r.nudge_id "
    "LEFT JOIN report_reviews v ON v.report_id = r.id "
)


def _item(row: Any) -> ReviewItem:
    return ReviewItem(
        report=ReportRecord.from_row(row),
        message_id=int(row["nudge_message_id"]) if row["nudge_message_id"] is not None else None,
        nudged_at=from_iso_or_none(row["nudged_at"]),
        model_version=str(row["model_version"] or "unknown"),
        notified_at=from_iso_or_none(row["notified_at"]),
        card_channel_id=row["card_channel_id"],
        card_message_id=row["card_message_id"],
        verdict=row["verdict"],
        decided_by=row["decided_by"],
        decided_at=from_iso_or_none(row["decided_at"]),
        member_told=bool(row["member_told"]),
    )


class ReportReviewRepository:
    """Digest bookkeeping, verdicts (first one wins) and calibration examples."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def item(self, report_id: int) -> ReviewItem | None:
        """One report with its review state."""
        row = await self._db.fetch_one(_SELECT + "WHERE r.id = ?", (report_id,))
        return _item(row) if row is not None else None

    async def not_notified(self, guild_id: int, limit: int = 100) -> list[ReviewItem]:
        """Reports no digest has listed yet and no one has decided, oldest first."""
        rows = await self._db.fetch_all(
            _SELECT + "WHERE r.guild_id = ? AND v.notified_at IS NULL AND v.verdict IS NULL AND r.reviewed_at IS NULL "
            "ORDER BY r.created_at, r.id LIMIT ?", (guild_id, limit),
        )
        return [_item(row) for row in rows]

    async def undecided(self, guild_id: int, *, offset: int = 0, limit: int = 4) -> tuple[list[ReviewItem], int]:
        """A page of reports still waiting for a verdict, oldest first, and how many wait in all."""
        where = "WHERE r.guild_id = ? AND v.verdict IS NULL AND r.reviewed_at IS NULL "
        rows = await self._db.fetch_all(_SELECT + where + "ORDER BY r.created_at, r.id LIMIT ? OFFSET ?",
                                        (guild_id, limit, offset))
        total = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM kindness_reports r LEFT JOIN report_reviews v ON v.report_id = r.id " + where,
            (guild_id,),
        )
        return [_item(row) for row in rows], int(total["n"]) if total is not None else 0

    async def on_card(self, message_id: int) -> list[ReviewItem]:
        """The reports a digest card lists, in order."""
        rows = await self._db.fetch_all(_SELECT + "WHERE v.card_message_id = ? ORDER BY r.created_at, r.id",
                                        (message_id,))
        return [_item(row) for row in rows]

    async def mark_notified(self, report_ids: list[int], guild_id: int, at: datetime, *, channel_id: int | None,
                            message_id: int | None) -> None:
        """A digest card now lists these reports."""
        await self._db.execute_many(
            "INSERT INTO report_reviews (report_id, guild_id, notified_at, card_channel_id, card_message_id) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (report_id) DO UPDATE SET notified_at = excluded.notified_at, "
            "card_channel_id = excluded.card_channel_id, card_message_id = excluded.card_message_id",
            [(rid, guild_id, to_iso(at), channel_id, message_id) for rid in report_ids],
        )

    async def decide(self, item: ReviewItem, verdict: str, moderator_id: int, at: datetime,
                     kept: KeptText | None = None) -> bool:
        """Record the verdict, close the report and store the labelled example (with ``kept`` text where the
        owner opted in); False if already decided."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
        report = item.report
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO report_reviews (report_id, guild_id) VALUES (?, ?) ON CONFLICT (report_id) DO NOTHING",
                (report.id, report.guild_id),
            )
            cursor = await conn.execute(
                "UPDATE report_reviews SET verdict = ?, decided_by = ?, decided_at = ? "
                "WHERE report_id = ? AND verdict IS NULL",
                (verdict, moderator_id, to_iso(at), report.id),
            )
            if cursor.rowcount != 1:
                return False
            await conn.execute(
                "UPDATE kindness_reports SET reviewed_at = ?, reviewed_by = ? WHERE id = ? AND reviewed_at IS NULL",
                (to_iso(at), moderator_id, report.id),
            )
            cursor = await conn.execute(
                "INSERT INTO calibration_examples (guild_id, source, source_id, score, category, label, "
                "model_version, decided_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (source, source_id) DO NOTHING RETURNING id",
                (report.guild_id, SOURCE, report.id, report.score, report.category, VERDICT_LABEL[verdict],
                 item.model_version, moderator_id, to_iso(at)),
            )
            example = await cursor.fetchone()
            await cursor.close()
            if example is not None and kept is not None:
                await conn.execute(
                    "INSERT INTO calibration_texts (example_id, guild_id, author_id, text, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (int(example["id"]), report.guild_id, kept.author_id, kept.text, to_iso(at),
                     to_iso(kept.expires_at)),
                )
        return True

    async def mark_member_told(self, report_id: int) -> None:
        """The member heard the outcome (a DM), so it is never sent twice."""
        await self._db.execute("UPDATE report_reviews SET member_told = 1 WHERE report_id = ?", (report_id,))


async def calibration_examples(db: Database, *, guild_id: int | None = None, model_version: str | None = None,
                               now: datetime | None = None) -> list[CalibrationExample]:
    """Every labelled example (any source), optionally for one guild or one model version.

    With ``now``, an example carries its kept text (where the owner opted in) unless it has expired.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if guild_id is not None:
        clauses.append("e.guild_id = ?")
        params.append(guild_id)
    if model_version is not None:
        clauses.append("e.model_version = ?")
        params.append(model_version)
    where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
    select = "SELECT e.guild_id, e.source, e.score, e.category, e.label, e.model_version"
    if now is None:
        sql = select + ", NULL AS text FROM calibration_examples e "
    else:
        sql = (select + ", t.text FROM calibration_examples e "
               "LEFT JOIN calibration_texts t ON t.example_id = e.id AND t.expires_at > ? ")
        params.insert(0, to_iso(now))
    rows = await db.fetch_all(sql + where + "ORDER BY e.id", params)
    return [CalibrationExample(int(r["guild_id"]), str(r["source"]), float(r["score"]), str(r["category"]),
                               int(r["label"]), str(r["model_version"]), r["text"]) for r in rows]
