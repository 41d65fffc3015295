"""Removals waiting for a second moderator: their own audit trail (who asked, who decided, when).

Closing a request is one ``UPDATE ... WHERE status = 'pending'`` and a read-back, so two moderators
clicking at once cannot both confirm.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from primum.domain.cases import CaseKind
from primum.domain.removals import Confirmation, ConfirmationStatus
from primum.runtime.clock import to_iso
from primum.storage.database import Database
from primum.storage.rows import record_from_row


class ConfirmationRepository:
    """Pending two-moderator confirmations (their own audit trail: who asked, who decided, when)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, *, guild_id: int, kind: CaseKind, target_id: int, requester_id: int, reason: str,
        evidence_url: str | None, details: Mapping[str, Any], conflict: bool, now: datetime, expires_at: datetime,
    ) -> Confirmation:
        """Store a pending removal."""
        # RETURNING reads the row on the writer: the reader's snapshot may predate this commit
        row = await self._db.write_returning(
            "INSERT INTO case_confirmations (guild_id, kind, target_id, requester_id, reason, evidence_url, details, "
            "conflict, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (guild_id, str(kind), target_id, requester_id, reason, evidence_url, json.dumps(dict(details)),
             int(conflict), to_iso(now), to_iso(expires_at)),
        )
        assert row is not None  # an INSERT without a conflict clause returns its row
        return record_from_row(Confirmation, row)

    async def get(self, confirmation_id: int) -> Confirmation | None:
        """One confirmation by id."""
        row = await self._db.fetch_one("SELECT * FROM case_confirmations WHERE id = ?", (confirmation_id,))
        return None if row is None else record_from_row(Confirmation, row)

    async def pending_for(self, guild_id: int, target_id: int) -> list[Confirmation]:
        """Pending removals of one member."""
        rows = await self._db.fetch_all(
            "SELECT * FROM case_confirmations WHERE guild_id = ? AND target_id = ? AND status = 'pending' ORDER BY id",
            (guild_id, target_id),
        )
        return [record_from_row(Confirmation, row) for row in rows]

    async def set_review_message(self, confirmation_id: int, channel_id: int, message_id: int) -> None:
        """Remember the card with the Confirm/Decline buttons."""
        await self._db.execute(
            "UPDATE case_confirmations SET review_channel_id = ?, review_message_id = ? WHERE id = ?",
            (channel_id, message_id, confirmation_id),
        )

    async def close(
        self, confirmation_id: int, status: ConfirmationStatus, *, decided_by: int | None, now: datetime,
    ) -> bool:
        """Close a pending confirmation once; False when someone else closed it first."""
        if status is ConfirmationStatus.PENDING:
            raise ValueError("closing needs a final status")
        # one conditional UPDATE that says itself whether it won (as ScheduledActionRepository.complete)
        row = await self._db.write_returning(
            "UPDATE case_confirmations SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? "
            "AND status = 'pending' RETURNING id",
            (str(status), decided_by, to_iso(now), confirmation_id),
        )
        return row is not None

    async def mark_failed(self, confirmation_id: int) -> None:
        """The second moderator confirmed, but Discord refused the action."""
        await self._db.execute(
            "UPDATE case_confirmations SET status = 'failed' WHERE id = ? AND status = 'confirmed'", (confirmation_id,)
        )

    async def link_case(self, confirmation_id: int, case_id: int) -> None:
        """Point a confirmed removal at the case that records it."""
        await self._db.execute("UPDATE case_confirmations SET case_id = ? WHERE id = ?", (case_id, confirmation_id))

    async def expired(self, now: datetime, limit: int = 100) -> list[Confirmation]:
        """Pending confirmations whose time ran out."""
        rows = await self._db.fetch_all(
            "SELECT * FROM case_confirmations WHERE status = 'pending' ORDER BY id LIMIT ?", (limit,)
        )
        found = [record_from_row(Confirmation, row) for row in rows]
        return [c for c in found if c.expires_at <= now]
