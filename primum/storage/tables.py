"""Which tables and columns a database has: reads over other features' tables check here first.

Moderation's ``/standing`` and the owners' report read be-kind and de-escalation tables; when a
feature is not installed its table is absent, and those reads return nothing instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable

from primum.storage.database import Database


async def table_columns(db: Database, table: str) -> set[str]:
    """The column names of ``table``, or an empty set when the table does not exist."""
    row = await db.fetch_one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    if row is None:
        return set()
    # The name came from sqlite_master (matched by a bound parameter), so it is a real table name.
    rows = await db.fetch_all(f'PRAGMA table_info("{row["name"]}")')
    return {str(r["name"]) for r in rows}


async def has_columns(db: Database, table: str, needed: Iterable[str]) -> bool:
    """Whether ``table`` exists with at least the ``needed`` columns."""
    return set(needed) <= await table_columns(db, table)
