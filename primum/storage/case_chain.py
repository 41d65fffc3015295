"""The case log's hash chain: every case row carries SHA-256(its fields + the previous row's hash).

Primum writes the hashes in the same transaction as the row (``CaseRepository``); rows written
before migration 0006 are sealed once, in id order, by :func:`seal`. :func:`verify` recomputes
the chain and names the first case row that was changed, removed or inserted outside Primum.

What it does not promise: someone with write access to the file who drops the triggers and
recomputes every hash after their edit is not detected; a copy of the newest hash kept elsewhere
(``primum db verify`` prints it) is what catches that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiosqlite

from primum.storage.database import Database

GENESIS = "0" * 64
#: The columns that go into a row's hash, in this order.
HASHED_COLUMNS = ("id", "guild_id", "kind", "target_id", "actor_id", "reason", "evidence_url", "duration_s",
                  "details", "status", "conflict", "amends_id", "root_id", "created_at")


def row_hash(row: Mapping[str, Any] | aiosqlite.Row, prev_hash: str) -> str:
    """SHA-256 (hex) of a case row's fields and the hash of the row before it."""
    fields = [row[name] for name in HASHED_COLUMNS]
    payload = json.dumps([prev_hash, fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _as_dict(row: aiosqlite.Row) -> dict[str, Any]:
    return {name: row[name] for name in HASHED_COLUMNS}


async def last_hash(conn: aiosqlite.Connection) -> str:
    """The newest row's hash (GENESIS for an empty log); call inside the writing transaction."""
    async with conn.execute("SELECT row_hash FROM cases ORDER BY id DESC LIMIT 1") as cursor:
        row = await cursor.fetchone()
    return GENESIS if row is None or row[0] is None else str(row[0])


async def seal_pending(conn: aiosqlite.Connection) -> int:
    """Seal rows that have no hash yet (written before migration 0006), oldest first; return how many.

    Only a prefix of the log can be unsealed legitimately; an unsealed row *after* a sealed one is
    left alone for :func:`verify` to report.
    """
    columns = ", ".join(HASHED_COLUMNS)
    async with conn.execute(f"SELECT {columns}, row_hash FROM cases ORDER BY id") as cursor:
        rows = list(await cursor.fetchall())
    prev = GENESIS
    sealed = 0
    for row in rows:
        if row["row_hash"] is not None:
            break
        digest = row_hash(_as_dict(row), prev)
        await conn.execute("UPDATE cases SET prev_hash = ?, row_hash = ? WHERE id = ? AND row_hash IS NULL",
                           (prev, digest, row["id"]))
        prev = digest
        sealed += 1
    return sealed


async def seal_if_needed(conn: aiosqlite.Connection) -> int:
    """:func:`seal_pending`, but only when the oldest row is unsealed (one indexed read otherwise)."""
    async with conn.execute("SELECT row_hash FROM cases ORDER BY id LIMIT 1") as cursor:
        first = await cursor.fetchone()
    if first is None or first[0] is not None:
        return 0
    return await seal_pending(conn)


async def seal(db: Database) -> int:
    """Seal the rows written before the hash chain existed (run after migrating; idempotent)."""
    async with db.transaction() as conn:
        return await seal_pending(conn)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify`: ``problems`` is empty when the log is intact."""

    rows: int
    head: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every row matches its hash and nothing is missing."""
        return not self.problems


async def verify(db: Database) -> ChainReport:
    """Recompute the chain; name every case row edited, deleted or inserted outside Primum."""
    present = {str(r["name"]) for r in await db.fetch_all("PRAGMA table_info(cases)")}
    if "row_hash" not in present:
        return ChainReport(rows=0, head=GENESIS, problems=(
            "the case log has no hash chain yet: run `primum db migrate` first",))
    columns = ", ".join(HASHED_COLUMNS)
    rows = await db.fetch_all(f"SELECT {columns}, prev_hash, row_hash FROM cases ORDER BY id")
    problems: list[str] = []
    prev = GENESIS
    previous_id = 0
    for row in rows:
        case_id = int(row["id"])
        number = row["root_id"] if row["root_id"] is not None else case_id
        if case_id != previous_id + 1:
            missing = f"{previous_id + 1}" if case_id == previous_id + 2 else f"{previous_id + 1}-{case_id - 1}"
            problems.append(f"case row(s) {missing} deleted (the ids jump from {previous_id} to {case_id})")
        if row["row_hash"] is None:
            problems.append(f"case row {case_id} (case #{number}) has no hash: written outside Primum, "
                            "or not sealed yet (run `primum db migrate`)")
        elif row["prev_hash"] != prev:
            problems.append(f"case row {case_id} (case #{number}) does not follow the row before it: "
                            "a row before it was deleted or changed")
        elif row_hash(_as_dict(row), prev) != row["row_hash"]:
            problems.append(f"case row {case_id} (case #{number}) was changed after it was written")
        prev = str(row["row_hash"]) if row["row_hash"] is not None else row_hash(_as_dict(row), prev)
        previous_id = case_id
    seq = await db.fetch_one("SELECT seq FROM sqlite_sequence WHERE name = 'cases'")
    if seq is not None and int(seq["seq"]) > previous_id:
        problems.append(f"case row(s) {previous_id + 1}-{int(seq['seq'])} deleted (the newest rows are missing)")
    return ChainReport(rows=len(rows), head=prev, problems=tuple(problems))
