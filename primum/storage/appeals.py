"""Appeals: one open per case, a stored reminder deadline, a decision recorded once.

Conditional state changes (deciding, reminding) are single ``UPDATE ... WHERE status = 'open'``
statements followed by a read-back: whoever's update landed wins, without holding a transaction
open on the shared connection. Statements are kept text: they expire after the decision and go
with a member's data on a privacy request.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from primum.domain.appeals import Appeal, AppealStatus
from primum.runtime.clock import from_iso, to_iso
from primum.storage.database import Database
from primum.storage.rows import record_from_row

#: What an appeal statement reads after it expired or was forgotten.
EXPIRED_STATEMENT = "[statement deleted after the retention period]"
FORGOTTEN_STATEMENT = "[statement deleted at the member's request]"


class AppealRepository:
    """Appeals: one per case, a stored reminder deadline, a decision recorded once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, *, guild_id: int, case_id: int, appellant_id: int, statement: str, reviewer_id: int | None,
        now: datetime, remind_at: datetime,
    ) -> Appeal | None:
        """Store an appeal; None when the case already has an open one (one open appeal per case)."""
        try:
            row = await self._db.write_returning(
                "INSERT INTO case_appeals (guild_id, case_id, appellant_id, statement, reviewer_id, created_at, "
                "remind_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (guild_id, case_id, appellant_id, statement, reviewer_id, to_iso(now), to_iso(remind_at)),
            )
        except sqlite3.IntegrityError:
            return None
        return None if row is None else record_from_row(Appeal, row)

    async def get(self, appeal_id: int) -> Appeal | None:
        """One appeal by id."""
        row = await self._db.fetch_one("SELECT * FROM case_appeals WHERE id = ?", (appeal_id,))
        return None if row is None else record_from_row(Appeal, row)

    async def for_case(self, case_id: int) -> Appeal | None:
        """The newest appeal of a case, if any."""
        row = await self._db.fetch_one("SELECT * FROM case_appeals WHERE case_id = ? ORDER BY id DESC LIMIT 1",
                                       (case_id,))
        return None if row is None else record_from_row(Appeal, row)

    async def for_member(self, guild_id: int, appellant_id: int, limit: int = 10) -> list[Appeal]:
        """A member's appeals, newest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM case_appeals WHERE guild_id = ? AND appellant_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, appellant_id, limit),
        )
        return [record_from_row(Appeal, row) for row in rows]

    async def open_load(self, guild_id: int) -> dict[int, int]:
        """Open appeals per reviewer, to spread the work."""
        rows = await self._db.fetch_all(
            "SELECT reviewer_id, COUNT(*) AS n FROM case_appeals WHERE guild_id = ? AND status = 'open' "
            "AND reviewer_id IS NOT NULL GROUP BY reviewer_id",
            (guild_id,),
        )
        return {int(row["reviewer_id"]): int(row["n"]) for row in rows}

    async def set_review_message(self, appeal_id: int, channel_id: int, message_id: int) -> None:
        """Remember the review card, so the buttons can be disabled after the decision."""
        await self._db.execute(
            "UPDATE case_appeals SET review_channel_id = ?, review_message_id = ? WHERE id = ?",
            (channel_id, message_id, appeal_id),
        )

    async def due_reminders(self, now: datetime, limit: int = 100) -> list[Appeal]:
        """Open appeals past their reminder deadline that were not reminded yet (restart-safe sweep)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM case_appeals WHERE status = 'open' AND reminded_at IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        appeals = [record_from_row(Appeal, row) for row in rows]
        return [appeal for appeal in appeals if appeal.remind_at <= now]

    async def mark_reminded(self, appeal_id: int, now: datetime) -> bool:
        """Mark the reminder sent; False when someone else already did (each reminder goes out once)."""
        # one conditional UPDATE that says itself whether it won (as ScheduledActionRepository.complete)
        row = await self._db.write_returning(
            "UPDATE case_appeals SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL AND status = 'open' "
            "RETURNING id",
            (to_iso(now), appeal_id),
        )
        return row is not None

    async def decide(
        self, appeal_id: int, *, status: AppealStatus, decided_by: int, reason: str, now: datetime,
    ) -> bool:
        """Close an open appeal once; False when it was already decided."""
        if status is AppealStatus.OPEN:
            raise ValueError("a decision is upheld or overturned")
        row = await self._db.write_returning(
            "UPDATE case_appeals SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ? "
            "WHERE id = ? AND status = 'open' RETURNING id",
            (str(status), decided_by, to_iso(now), reason, appeal_id),
        )
        return row is not None

    async def expire_statements(self, decided_before: datetime) -> int:
        """Replace the statements of appeals decided before ``decided_before`` (kept-text retention)."""
        rows = await self._db.fetch_all(
            "SELECT id, decided_at FROM case_appeals WHERE status != 'open' AND statement_expired = 0 "
            "AND decided_at IS NOT NULL"
        )
        due = [(EXPIRED_STATEMENT, int(r["id"])) for r in rows if from_iso(r["decided_at"]) < decided_before]
        if due:
            await self._db.execute_many(
                "UPDATE case_appeals SET statement = ?, statement_expired = 1 WHERE id = ?", due
            )
        return len(due)

    async def forget_statements(self, guild_id: int, appellant_id: int) -> int:
        """Replace a member's appeal statements (a privacy request); the appeals' ids and outcomes stay."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE case_appeals SET statement = ?, statement_expired = 1 WHERE guild_id = ? "
                "AND appellant_id = ? AND statement_expired = 0",
                (FORGOTTEN_STATEMENT, guild_id, appellant_id),
            )
            return max(cursor.rowcount, 0)

    async def link_decision_case(self, appeal_id: int, case_row_id: int) -> None:
        """Point the appeal at the case amendment that records its decision."""
        await self._db.execute("UPDATE case_appeals SET decision_case_id = ? WHERE id = ?", (case_row_id, appeal_id))
