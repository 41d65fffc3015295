"""Moderation cases (append-only), appeals, two-moderator confirmations and interaction records.

Append-only is the storage layer's promise, not the callers': migration 0005 installs triggers
that abort any UPDATE or DELETE of a ``cases`` row, so even a stray ``UPDATE cases`` from a future
bug or a hand-run SQL shell fails. An amendment is a new row that points to the row it replaces.

This module also holds small read-only queries over *other* features' tables (be-kind nudges,
de-escalation cooldowns) for ``/standing`` and the owners' report. They check ``sqlite_master``
first and return nothing when a feature's table is absent, so moderation works (and the report
renders) without those features.

Conditional state changes (deciding an appeal, closing a confirmation) are single ``UPDATE ...
WHERE status = 'open'`` statements followed by a read-back: whoever's update landed wins, without
holding a transaction open on the shared connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from primum.domain.cases import (
    AppealStatus,
    Case,
    CaseHistory,
    CaseKind,
    CaseStatus,
    ConfirmationStatus,
    Interaction,
)
from primum.runtime.clock import from_iso, to_iso
from primum.storage.case_chain import last_hash, row_hash, seal_if_needed
from primum.storage.database import Database

#: What an appeal statement reads after it expired or was forgotten.
EXPIRED_STATEMENT = "[statement deleted after the retention period]"
FORGOTTEN_STATEMENT = "[statement deleted at the member's request]"


class AppendOnlyError(RuntimeError):
    """The database refused to change or delete a case (the append-only triggers fired)."""


class AlreadyAmended(RuntimeError):
    """Someone amended the same case row at the same moment; amend the newest row instead."""


def _opt_time(value: str | None) -> datetime | None:
    return None if value is None else from_iso(value)


def _case_from_row(row: aiosqlite.Row) -> Case:
    return Case(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        kind=CaseKind(row["kind"]),
        target_id=row["target_id"],
        actor_id=row["actor_id"],
        reason=str(row["reason"]),
        evidence_url=row["evidence_url"],
        duration_s=row["duration_s"],
        details=json.loads(row["details"]),
        status=CaseStatus(row["status"]),
        conflict=bool(row["conflict"]),
        amends_id=row["amends_id"],
        root_id=row["root_id"],
        created_at=from_iso(row["created_at"]),
    )


@dataclass(frozen=True)
class NewCase:
    """A case about to be stored (already validated by the service)."""

    guild_id: int
    kind: CaseKind
    target_id: int | None
    actor_id: int | None
    reason: str
    evidence_url: str | None = None
    duration_s: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    conflict: bool = False


class CaseRepository:
    """The append-only case log."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, new: NewCase, now: datetime) -> Case:
        """Append an original case row and return it with its number."""
        case_id = await self._insert(
            new.guild_id, new.kind, new.target_id, new.actor_id, new.reason, new.evidence_url, new.duration_s,
            new.details, CaseStatus.ACTIVE, new.conflict, None, None, now,
        )
        stored = await self.get(case_id)
        assert stored is not None
        return stored

    async def amend(
        self,
        number: int,
        *,
        actor_id: int | None,
        reason: str,
        now: datetime,
        status: CaseStatus = CaseStatus.AMENDED,
        evidence_url: str | None = None,
        duration_s: int | None = None,
        details: Mapping[str, Any] | None = None,
        conflict: bool | None = None,
    ) -> Case:
        """Append an amendment to case ``number`` (any row id of it works); return the new row.

        The amendment copies kind and target from the case; ``evidence_url`` and ``duration_s``
        replace the current values when given, and ``details`` are merged over the current ones.
        Raises KeyError when there is no such case, AlreadyAmended on a lost race (retry).
        """
        history = await self.history(number)
        if history is None:
            raise KeyError(number)
        head = history.current
        merged = {**head.details, **(details or {})}
        try:
            case_id = await self._insert(
                head.guild_id, head.kind, head.target_id, actor_id, reason,
                evidence_url if evidence_url is not None else head.evidence_url,
                duration_s if duration_s is not None else head.duration_s,
                merged, status, head.conflict if conflict is None else conflict, head.id, history.number, now,
            )
        except AppendOnlyError as error:
            if "already amended" in str(error):
                raise AlreadyAmended(str(error)) from error
            raise
        stored = await self.get(case_id)
        assert stored is not None
        return stored

    async def _insert(
        self, guild_id: int, kind: CaseKind, target_id: int | None, actor_id: int | None, reason: str,
        evidence_url: str | None, duration_s: int | None, details: Mapping[str, Any], status: CaseStatus,
        conflict: bool, amends_id: int | None, root_id: int | None, now: datetime,
    ) -> int:
        try:
            async with self._db.transaction() as conn:
                # The row and its place in the hash chain are written together (see case_chain).
                await seal_if_needed(conn)
                prev = await last_hash(conn)
                cursor = await conn.execute(
                    "INSERT INTO cases (guild_id, kind, target_id, actor_id, reason, evidence_url, duration_s, "
                    "details, status, conflict, amends_id, root_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (guild_id, str(kind), target_id, actor_id, reason, evidence_url, duration_s,
                     json.dumps(dict(details), sort_keys=True), str(status), int(conflict), amends_id, root_id,
                     to_iso(now)),
                )
                case_id = int(cursor.lastrowid or 0)
                async with conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)) as read:
                    stored = await read.fetchone()
                assert stored is not None
                await conn.execute("UPDATE cases SET prev_hash = ?, row_hash = ? WHERE id = ?",
                                   (prev, row_hash(stored, prev), case_id))
                return case_id
        except sqlite3.IntegrityError as error:
            raise AppendOnlyError(str(error)) from error

    async def get(self, case_id: int) -> Case | None:
        """One case row by its id."""
        row = await self._db.fetch_one("SELECT * FROM cases WHERE id = ?", (case_id,))
        return None if row is None else _case_from_row(row)

    async def history(self, number: int, guild_id: int | None = None) -> CaseHistory | None:
        """Case ``number`` (or the case any row id belongs to) with all its amendments, oldest first."""
        row = await self._db.fetch_one("SELECT COALESCE(root_id, id) AS root, guild_id FROM cases WHERE id = ?",
                                       (number,))
        if row is None or (guild_id is not None and int(row["guild_id"]) != guild_id):
            return None
        rows = await self._db.fetch_all(
            "SELECT * FROM cases WHERE id = ? OR root_id = ? ORDER BY id", (row["root"], row["root"])
        )
        return CaseHistory(tuple(_case_from_row(r) for r in rows))

    async def search(
        self, guild_id: int, *, target_id: int | None = None, actor_id: int | None = None,
        kind: CaseKind | None = None, limit: int = 25,
    ) -> list[CaseHistory]:
        """Cases of a guild, newest first, filtered by target, by the original moderator, by kind."""
        sql = "SELECT id FROM cases WHERE guild_id = ? AND amends_id IS NULL"
        params: list[Any] = [guild_id]
        if target_id is not None:
            sql += " AND target_id = ?"
            params.append(target_id)
        if actor_id is not None:
            sql += " AND actor_id = ?"
            params.append(actor_id)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(str(kind))
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        found: list[CaseHistory] = []
        for row in await self._db.fetch_all(sql, params):
            history = await self.history(int(row["id"]))
            if history is not None:
                found.append(history)
        return found

    async def count(self, guild_id: int) -> int:
        """How many case rows (originals and amendments) a guild has."""
        row = await self._db.fetch_one("SELECT COUNT(*) AS n FROM cases WHERE guild_id = ?", (guild_id,))
        return 0 if row is None else int(row["n"])


# --- appeals ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Appeal:
    """A member's appeal of one case."""

    id: int
    guild_id: int
    case_id: int
    appellant_id: int
    statement: str
    reviewer_id: int | None
    status: AppealStatus
    created_at: datetime
    remind_at: datetime
    reminded_at: datetime | None
    decided_by: int | None
    decided_at: datetime | None
    decision_reason: str | None
    decision_case_id: int | None
    review_channel_id: int | None
    review_message_id: int | None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Appeal:
        """Map a ``case_appeals`` row."""
        return cls(
            id=int(row["id"]), guild_id=int(row["guild_id"]), case_id=int(row["case_id"]),
            appellant_id=int(row["appellant_id"]), statement=str(row["statement"]), reviewer_id=row["reviewer_id"],
            status=AppealStatus(row["status"]), created_at=from_iso(row["created_at"]),
            remind_at=from_iso(row["remind_at"]), reminded_at=_opt_time(row["reminded_at"]),
            decided_by=row["decided_by"], decided_at=_opt_time(row["decided_at"]),
            decision_reason=row["decision_reason"], decision_case_id=row["decision_case_id"],
            review_channel_id=row["review_channel_id"], review_message_id=row["review_message_id"],
        )


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
            appeal_id = await self._db.execute(
                "INSERT INTO case_appeals (guild_id, case_id, appellant_id, statement, reviewer_id, created_at, "
                "remind_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (guild_id, case_id, appellant_id, statement, reviewer_id, to_iso(now), to_iso(remind_at)),
            )
        except sqlite3.IntegrityError:
            return None
        return await self.get(appeal_id)

    async def get(self, appeal_id: int) -> Appeal | None:
        """One appeal by id."""
        row = await self._db.fetch_one("SELECT * FROM case_appeals WHERE id = ?", (appeal_id,))
        return None if row is None else Appeal.from_row(row)

    async def for_case(self, case_id: int) -> Appeal | None:
        """The newest appeal of a case, if any."""
        row = await self._db.fetch_one("SELECT * FROM case_appeals WHERE case_id = ? ORDER BY id DESC LIMIT 1",
                                       (case_id,))
        return None if row is None else Appeal.from_row(row)

    async def for_member(self, guild_id: int, appellant_id: int, limit: int = 10) -> list[Appeal]:
        """A member's appeals, newest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM case_appeals WHERE guild_id = ? AND appellant_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, appellant_id, limit),
        )
        return [Appeal.from_row(row) for row in rows]

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
        appeals = [Appeal.from_row(row) for row in rows]
        return [appeal for appeal in appeals if appeal.remind_at <= now]

    async def mark_reminded(self, appeal_id: int, now: datetime) -> bool:
        """Mark the reminder sent; False when someone else already did (each reminder goes out once)."""
        stamp = to_iso(now)
        await self._db.execute(
            "UPDATE case_appeals SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL AND status = 'open'",
            (stamp, appeal_id),
        )
        appeal = await self.get(appeal_id)
        return appeal is not None and appeal.reminded_at is not None and to_iso(appeal.reminded_at) == stamp

    async def decide(
        self, appeal_id: int, *, status: AppealStatus, decided_by: int, reason: str, now: datetime,
    ) -> bool:
        """Close an open appeal once; False when it was already decided."""
        if status is AppealStatus.OPEN:
            raise ValueError("a decision is upheld or overturned")
        stamp = to_iso(now)
        await self._db.execute(
            "UPDATE case_appeals SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ? "
            "WHERE id = ? AND status = 'open'",
            (str(status), decided_by, stamp, reason, appeal_id),
        )
        appeal = await self.get(appeal_id)
        return (appeal is not None and appeal.decided_by == decided_by and appeal.decided_at is not None
                and to_iso(appeal.decided_at) == stamp and appeal.status is status)

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


# --- two-moderator confirmations --------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """A removal of a verified physician waiting for a second moderator."""

    id: int
    guild_id: int
    kind: CaseKind
    target_id: int
    requester_id: int
    reason: str
    evidence_url: str | None
    details: Mapping[str, Any]
    conflict: bool
    status: ConfirmationStatus
    created_at: datetime
    expires_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    case_id: int | None
    review_channel_id: int | None
    review_message_id: int | None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Confirmation:
        """Map a ``case_confirmations`` row."""
        return cls(
            id=int(row["id"]), guild_id=int(row["guild_id"]), kind=CaseKind(row["kind"]),
            target_id=int(row["target_id"]), requester_id=int(row["requester_id"]), reason=str(row["reason"]),
            evidence_url=row["evidence_url"], details=json.loads(row["details"]), conflict=bool(row["conflict"]),
            status=ConfirmationStatus(row["status"]), created_at=from_iso(row["created_at"]),
            expires_at=from_iso(row["expires_at"]), decided_by=row["decided_by"],
            decided_at=_opt_time(row["decided_at"]), case_id=row["case_id"],
            review_channel_id=row["review_channel_id"], review_message_id=row["review_message_id"],
        )


class ConfirmationRepository:
    """Pending two-moderator confirmations (their own audit trail: who asked, who decided, when)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, *, guild_id: int, kind: CaseKind, target_id: int, requester_id: int, reason: str,
        evidence_url: str | None, details: Mapping[str, Any], conflict: bool, now: datetime, expires_at: datetime,
    ) -> Confirmation:
        """Store a pending removal."""
        confirmation_id = await self._db.execute(
            "INSERT INTO case_confirmations (guild_id, kind, target_id, requester_id, reason, evidence_url, details, "
            "conflict, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, str(kind), target_id, requester_id, reason, evidence_url, json.dumps(dict(details)),
             int(conflict), to_iso(now), to_iso(expires_at)),
        )
        stored = await self.get(confirmation_id)
        assert stored is not None
        return stored

    async def get(self, confirmation_id: int) -> Confirmation | None:
        """One confirmation by id."""
        row = await self._db.fetch_one("SELECT * FROM case_confirmations WHERE id = ?", (confirmation_id,))
        return None if row is None else Confirmation.from_row(row)

    async def pending_for(self, guild_id: int, target_id: int) -> list[Confirmation]:
        """Pending removals of one member."""
        rows = await self._db.fetch_all(
            "SELECT * FROM case_confirmations WHERE guild_id = ? AND target_id = ? AND status = 'pending' ORDER BY id",
            (guild_id, target_id),
        )
        return [Confirmation.from_row(row) for row in rows]

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
        stamp = to_iso(now)
        await self._db.execute(
            "UPDATE case_confirmations SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? "
            "AND status = 'pending'",
            (str(status), decided_by, stamp, confirmation_id),
        )
        row = await self.get(confirmation_id)
        return (row is not None and row.status is status and row.decided_by == decided_by
                and row.decided_at is not None and to_iso(row.decided_at) == stamp)

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
        found = [Confirmation.from_row(row) for row in rows]
        return [c for c in found if c.expires_at <= now]


# --- interactions (conflict of interest) -----------------------------------------------------------


class InteractionRepository:
    """Who replied to or mentioned whom, where and when: ids and timestamps only, pruned after a day."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_many(self, guild_id: int, interactions: Sequence[Interaction]) -> None:
        """Record a message's directed interactions."""
        if interactions:
            await self._db.execute_many(
                "INSERT INTO case_interactions (guild_id, channel_id, author_id, other_id, at) VALUES (?, ?, ?, ?, ?)",
                [(guild_id, i.channel_id, i.author_id, i.other_id, to_iso(i.at)) for i in interactions],
            )

    async def between(self, guild_id: int, a: int, b: int, since: datetime) -> list[Interaction]:
        """Interactions from ``a`` to ``b`` and from ``b`` to ``a`` since ``since``."""
        rows = await self._db.fetch_all(
            "SELECT channel_id, author_id, other_id, at FROM case_interactions WHERE guild_id = ? AND "
            "((author_id = ? AND other_id = ?) OR (author_id = ? AND other_id = ?))",
            (guild_id, a, b, b, a),
        )
        found = [Interaction(int(r["channel_id"]), int(r["author_id"]), int(r["other_id"]), from_iso(r["at"]))
                 for r in rows]
        return [i for i in found if i.at >= since]

    async def partners(self, guild_id: int, user_id: int, since: datetime, until: datetime) -> set[int]:
        """Everyone who addressed ``user_id`` or was addressed by them between ``since`` and ``until``."""
        rows = await self._db.fetch_all(
            "SELECT author_id, other_id, at FROM case_interactions WHERE guild_id = ? AND "
            "(author_id = ? OR other_id = ?)",
            (guild_id, user_id, user_id),
        )
        found: set[int] = set()
        for r in rows:
            if since <= from_iso(r["at"]) <= until:
                found.add(int(r["other_id"]) if int(r["author_id"]) == user_id else int(r["author_id"]))
        found.discard(user_id)
        return found

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Delete every interaction a member took part in (a privacy request)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM case_interactions WHERE guild_id = ? AND (author_id = ? OR other_id = ?)",
                (guild_id, user_id, user_id),
            )
            return max(cursor.rowcount, 0)

    async def prune(self, before: datetime) -> None:
        """Forget interactions older than ``before`` (the conflict window is at most a week)."""
        rows = await self._db.fetch_all("SELECT rowid, at FROM case_interactions")
        old = [(int(r["rowid"]),) for r in rows if from_iso(r["at"]) < before]
        if old:
            await self._db.execute_many("DELETE FROM case_interactions WHERE rowid = ?", old)


# --- other features' tables, read-only and tolerant ---------------------------------------------------


async def table_columns(db: Database, table: str) -> set[str]:
    """The column names of ``table``, or an empty set when the table does not exist."""
    row = await db.fetch_one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    if row is None:
        return set()
    # The name came from sqlite_master (matched by a bound parameter), so it is a real table name.
    rows = await db.fetch_all(f'PRAGMA table_info("{row["name"]}")')
    return {str(r["name"]) for r in rows}


async def _has(db: Database, table: str, needed: Iterable[str]) -> bool:
    return set(needed) <= await table_columns(db, table)


@dataclass(frozen=True)
class NudgeSummary:
    """One be-kind nudge as /standing shows it (no text)."""

    channel_id: int
    category: str
    created_at: datetime
    outcome: str | None


async def member_nudges(db: Database, guild_id: int, member_id: int, limit: int = 10) -> list[NudgeSummary]:
    """A member's recent nudges and outcomes (empty when the be-kind feature's table is absent)."""
    if not await _has(db, "kindness_nudges", ("guild_id", "author_id", "channel_id", "category", "created_at",
                                              "outcome")):
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
    if not await _has(db, "scheduled_actions", ("kind", "guild_id", "user_id", "channel_id", "status", "expires_at",
                                                "reason")):
        return []
    rows = await db.fetch_all(
        "SELECT channel_id, expires_at, reason FROM scheduled_actions WHERE guild_id = ? AND user_id = ? "
        "AND kind = 'cooldown' AND status = 'pending'",
        (guild_id, member_id),
    )
    found = [CooldownSummary(r["channel_id"], from_iso(r["expires_at"]), str(r["reason"])) for r in rows]
    return sorted((c for c in found if c.expires_at > now), key=lambda c: c.expires_at)


# --- the owners' report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRows:
    """Raw rows for the owners' report; None for a source whose table is absent ("no data")."""

    nudges: list[tuple[datetime, str | None]] | None  # (created_at, outcome)
    heat: list[tuple[int, str]] | None  # (channel_id, de-escalation action)
    actions: list[tuple[datetime, str, int | None]] | None  # (created_at, kind, actor_id) originals only
    appeals: list[tuple[datetime, str]] | None  # (created_at, status)


async def report_rows(db: Database, guild_id: int | None, since: datetime | None) -> ReportRows:
    """Everything the report draws, read defensively (a missing table gives None for that chart)."""

    def where() -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if guild_id is not None:
            clauses.append("guild_id = ?")
            params.append(guild_id)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def recent(moment: datetime) -> bool:
        return since is None or moment >= since

    nudges: list[tuple[datetime, str | None]] | None = None
    if await _has(db, "kindness_nudges", ("guild_id", "created_at", "outcome")):
        clause, params = where()
        rows = await db.fetch_all(f"SELECT created_at, outcome FROM kindness_nudges{clause}", params)
        nudges = [(t, r["outcome"]) for r in rows if recent(t := from_iso(r["created_at"]))]

    heat: list[tuple[int, str]] | None = None
    if await _has(db, "deescalation_log", ("guild_id", "channel_id", "action", "at")):
        clause, params = where()
        rows = await db.fetch_all(f"SELECT channel_id, action, at FROM deescalation_log{clause}", params)
        heat = [(int(r["channel_id"]), str(r["action"])) for r in rows
                if r["channel_id"] is not None and recent(from_iso(r["at"]))]

    actions: list[tuple[datetime, str, int | None]] | None = None
    if await _has(db, "cases", ("guild_id", "kind", "actor_id", "amends_id", "created_at")):
        clause, params = where()
        clause = f"{clause} AND amends_id IS NULL" if clause else " WHERE amends_id IS NULL"
        rows = await db.fetch_all(f"SELECT created_at, kind, actor_id FROM cases{clause}", params)
        actions = [(t, str(r["kind"]), r["actor_id"]) for r in rows if recent(t := from_iso(r["created_at"]))]

    appeals: list[tuple[datetime, str]] | None = None
    if await _has(db, "case_appeals", ("guild_id", "created_at", "status")):
        clause, params = where()
        rows = await db.fetch_all(f"SELECT created_at, status FROM case_appeals{clause}", params)
        appeals = [(t, str(r["status"])) for r in rows if recent(t := from_iso(r["created_at"]))]

    return ReportRows(nudges=nudges, heat=heat, actions=actions, appeals=appeals)


async def report_guilds(db: Database) -> list[int]:
    """Guild ids that have anything to report (cases or nudges), for the offline report."""
    guilds: set[int] = set()
    for table in ("cases", "kindness_nudges", "deescalation_log", "case_appeals"):
        if await _has(db, table, ("guild_id",)):
            rows = await db.fetch_all(f"SELECT DISTINCT guild_id FROM {table}")
            guilds.update(int(r["guild_id"]) for r in rows)
    return sorted(guilds)
