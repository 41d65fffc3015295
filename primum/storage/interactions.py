"""Who replied to or mentioned whom, where and when, for the conflict-of-interest check.

Ids and timestamps only, never text; pruned after two weeks and deleted with a member's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from primum.domain.conflict import Interaction
from primum.runtime.clock import from_iso, to_iso
from primum.storage.database import Database
from primum.storage.rows import record_from_row


class InteractionRepository:
    """Who replied to or mentioned whom, where and when: ids and timestamps only, pruned after two weeks."""

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
        found = [record_from_row(Interaction, r) for r in rows]
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
