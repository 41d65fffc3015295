"""Names Primum saw in Discord (``known_names``): channel names and moderators' display names.

Reports drawn without Discord (``primum report --db``) read them to label their axes; the
in-Discord report prefers the live names and falls back on these. A member's row goes with
``forget_member``. Reading tolerates a database from before migration 0012 (no names: ids).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from primum.runtime.clock import to_iso
from primum.storage.database import Database
from primum.storage.tables import table_columns

CHANNEL = "channel"
MEMBER = "member"


@dataclass(frozen=True)
class KnownNames:
    """Remembered names by id: channels and members (moderators)."""

    channels: dict[int, str] = field(default_factory=dict)
    members: dict[int, str] = field(default_factory=dict)


class NameRepository:
    """Upsert and read the names in ``known_names``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def remember(self, guild_id: int, kind: str, names: Iterable[tuple[int, str]], now: datetime) -> None:
        """Store each ``(id, name)`` of ``kind`` (``"channel"`` or ``"member"``); a changed name replaces the old."""
        if kind not in (CHANNEL, MEMBER):
            raise ValueError(f"unknown kind of name: {kind!r}")
        rows = [(guild_id, kind, int(item_id), name, to_iso(now)) for item_id, name in names if name]
        if not rows:
            return
        await self._db.execute_many(
            "INSERT INTO known_names (guild_id, kind, id, name, seen_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, kind, id) DO UPDATE SET name = excluded.name, seen_at = excluded.seen_at "
            "WHERE known_names.name != excluded.name",
            rows,
        )

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Delete a member's remembered name; return how many rows went (0 or 1)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM known_names WHERE guild_id = ? AND kind = ? AND id = ?",
                                        (guild_id, MEMBER, user_id))
            return max(cursor.rowcount, 0)


async def known_names(db: Database, guild_id: int | None = None) -> KnownNames:
    """The remembered names of one guild (or of every guild); empty when the table is absent."""
    if not await table_columns(db, "known_names"):
        return KnownNames()
    if guild_id is None:
        rows = await db.fetch_all("SELECT kind, id, name FROM known_names ORDER BY seen_at")
    else:
        rows = await db.fetch_all("SELECT kind, id, name FROM known_names WHERE guild_id = ? ORDER BY seen_at",
                                  (guild_id,))
    found = KnownNames()
    for row in rows:  # oldest first, so the latest name seen wins across guilds
        target = found.channels if row["kind"] == CHANNEL else found.members
        target[int(row["id"])] = str(row["name"])
    return found
