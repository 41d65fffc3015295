"""Per channel, the newest message id be-kind has scored: what catch-up skips (ids only, no text)."""

from __future__ import annotations

from datetime import datetime

from primum.runtime.clock import to_iso
from primum.storage.database import Database


class ScoredMarksRepository:
    """``scored_marks``: one row per channel; the mark only moves forward."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def advance(self, guild_id: int, channel_id: int, message_id: int, now: datetime) -> None:
        """Record that ``message_id`` in ``channel_id`` was scored (a lower id never moves the mark back)."""
        await self._db.execute(
            "INSERT INTO scored_marks (channel_id, guild_id, message_id, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (channel_id) DO UPDATE SET message_id = max(message_id, excluded.message_id), "
            "updated_at = excluded.updated_at",
            (channel_id, guild_id, message_id, to_iso(now)),
        )

    async def for_guild(self, guild_id: int) -> dict[int, int]:
        """channel id -> newest scored message id, for every channel Primum has scored in."""
        rows = await self._db.fetch_all(
            "SELECT channel_id, message_id FROM scored_marks WHERE guild_id = ?", (guild_id,)
        )
        return {int(row["channel_id"]): int(row["message_id"]) for row in rows}

    async def forget_channel(self, channel_id: int) -> None:
        """Drop a deleted channel's mark."""
        await self._db.execute("DELETE FROM scored_marks WHERE channel_id = ?", (channel_id,))
