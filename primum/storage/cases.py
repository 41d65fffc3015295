"""The append-only case log: storing cases and amendments, reading a case's history, searching.

Append-only is the storage layer's promise, not the callers': migration 0005 installs triggers
that abort any UPDATE or DELETE of a ``cases`` row, so even a stray ``UPDATE cases`` from a future
bug or a hand-run SQL shell fails. An amendment is a new row that points to the row it replaces,
and every row is sealed into the hash chain (:mod:`primum.storage.case_chain`) as it is written.

The rest of moderation's storage lives beside this module: appeals (:mod:`~primum.storage.appeals`),
second-moderator requests (:mod:`~primum.storage.confirmations`), who-addressed-whom records
(:mod:`~primum.storage.interactions`), other features' rows for ``/standing``
(:mod:`~primum.storage.standing`) and the owners' report (:mod:`~primum.storage.report_rows`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from primum.domain.cases import Case, CaseHistory, CaseKind, CaseStatus, stored_kind
from primum.runtime.clock import to_iso
from primum.storage.case_chain import last_hash, row_hash, seal_if_needed
from primum.storage.database import Database
from primum.storage.rows import record_from_row


class AppendOnlyError(RuntimeError):
    """The database refused to change or delete a case (the append-only triggers fired)."""


class AlreadyAmended(RuntimeError):
    """Someone amended the same case row at the same moment; amend the newest row instead."""


def _case(row: Any) -> Case:
    """A stored row as a case; rows from before ``warn`` and ``purge`` are read as those kinds."""
    case = record_from_row(Case, row)
    kind = stored_kind(row["kind"], case.details)
    return case if kind is case.kind else replace(case, kind=kind)


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
        return await self._insert(
            new.guild_id, new.kind, new.target_id, new.actor_id, new.reason, new.evidence_url, new.duration_s,
            new.details, CaseStatus.ACTIVE, new.conflict, None, None, now,
        )

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
        # The kind as stored, not as read: an old warning stays a marked note, one kind per chain.
        raw = await self._db.fetch_one("SELECT kind FROM cases WHERE id = ?", (head.id,))
        kind = CaseKind(raw["kind"]) if raw is not None else head.kind
        try:
            return await self._insert(
                head.guild_id, kind, head.target_id, actor_id, reason,
                evidence_url if evidence_url is not None else head.evidence_url,
                duration_s if duration_s is not None else head.duration_s,
                merged, status, head.conflict if conflict is None else conflict, head.id, history.number, now,
            )
        except AppendOnlyError as error:
            if "already amended" in str(error):
                raise AlreadyAmended(str(error)) from error
            raise

    async def _insert(
        self, guild_id: int, kind: CaseKind, target_id: int | None, actor_id: int | None, reason: str,
        evidence_url: str | None, duration_s: int | None, details: Mapping[str, Any], status: CaseStatus,
        conflict: bool, amends_id: int | None, root_id: int | None, now: datetime,
    ) -> Case:
        """Insert, seal into the hash chain and return the stored row, all on the writer.

        Why not read it back with ``get``: that reads on the reader connection, whose snapshot can
        predate this commit while another read on it is still open (WAL), and the row is not there yet.
        """
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
                async with conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)) as read:
                    sealed = await read.fetchone()
                assert sealed is not None  # read inside the transaction that wrote it
                return _case(sealed)
        except sqlite3.IntegrityError as error:
            raise AppendOnlyError(str(error)) from error

    async def get(self, case_id: int) -> Case | None:
        """One case row by its id."""
        row = await self._db.fetch_one("SELECT * FROM cases WHERE id = ?", (case_id,))
        return None if row is None else _case(row)

    async def history(self, number: int, guild_id: int | None = None) -> CaseHistory | None:
        """Case ``number`` (or the case any row id belongs to) with all its amendments, oldest first."""
        row = await self._db.fetch_one("SELECT COALESCE(root_id, id) AS root, guild_id FROM cases WHERE id = ?",
                                       (number,))
        if row is None or (guild_id is not None and int(row["guild_id"]) != guild_id):
            return None
        rows = await self._db.fetch_all(
            "SELECT * FROM cases WHERE id = ? OR root_id = ? ORDER BY id", (row["root"], row["root"])
        )
        return CaseHistory(tuple(_case(r) for r in rows))

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
