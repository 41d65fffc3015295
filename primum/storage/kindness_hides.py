"""Hidden messages: one row per hide, with the step that comes next, so a crash mid-hide resumes once.

A hide is begun (row and the text to return, in one transaction) before the message is deleted;
each later step (deleted, text returned, mod-log posted) is recorded as it completes, and a DM or
a post records its attempt first. The text to return is dropped as soon as the author has it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from primum.runtime.clock import to_iso
from primum.storage.database import Database
from primum.storage.rows import record_from_row

STAGES = ("deleting", "returning", "reporting", "done")



@dataclass(frozen=True)
class HideRecord:
    """One hidden message (no text)."""

    id: int
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    category: str
    score: float
    threshold: float
    created_at: datetime
    returned: bool
    modlog_channel_id: int | None
    modlog_message_id: int | None
    stage: str = "done"
    deleted: bool | None = None
    scores: Mapping[str, float] = field(default_factory=dict)
    dm_attempted_at: datetime | None = None
    modlog_attempted_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> HideRecord:
        """Map a ``kindness_hides`` row (rows from before migration 0013 have no scores: ``{}``)."""
        return record_from_row(cls, {**dict(row), "scores": row["scores"] or "{}"})


class HideRepository:
    """SQL for hidden messages and the text kept to return them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def begin_hide(
        self, *, guild_id: int, channel_id: int, message_id: int, author_id: int, category: str, score: float,
        threshold: float, model_version: str, scores: Mapping[str, float], created_at: datetime, text: str,
        return_until: datetime, modlog_text_until: datetime | None,
    ) -> HideRecord | None:
        """Record the hide and keep its text, before the message is deleted; None when already hidden."""
        texts = [("return", return_until)] + ([("modlog", modlog_text_until)] if modlog_text_until else [])
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO kindness_hides (guild_id, channel_id, message_id, author_id, category, score, threshold, "
                "model_version, created_at, stage, scores) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'deleting', ?) "
                "ON CONFLICT (message_id) DO NOTHING RETURNING *",
                (guild_id, channel_id, message_id, author_id, category, score, threshold, model_version,
                 to_iso(created_at), json.dumps(dict(scores), sort_keys=True)),
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            for purpose, until in texts:
                await conn.execute(
                    "INSERT INTO kindness_texts (message_id, purpose, guild_id, author_id, text, created_at, "
                    "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, purpose) DO UPDATE SET "
                    "text = excluded.text, expires_at = excluded.expires_at",
                    (message_id, purpose, guild_id, author_id, text, to_iso(created_at), to_iso(until)),
                )
        return HideRecord.from_row(row)

    async def hide_by_message(self, message_id: int) -> HideRecord | None:
        """The hide record of a message, if it was hidden."""
        row = await self._db.fetch_one("SELECT * FROM kindness_hides WHERE message_id = ?", (message_id,))
        return None if row is None else HideRecord.from_row(row)

    async def unfinished(self, before: datetime, limit: int = 50) -> list[HideRecord]:
        """Hides begun before ``before`` whose steps are not all done (a crash interrupted them)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM kindness_hides WHERE stage <> 'done' AND created_at <= ? ORDER BY created_at LIMIT ?",
            (to_iso(before), limit),
        )
        return [HideRecord.from_row(row) for row in rows]

    async def returned_text(self, message_id: int) -> str | None:
        """The text kept to return to the author (None once they have it, or after a forget)."""
        row = await self._db.fetch_one(
            "SELECT text FROM kindness_texts WHERE message_id = ? AND purpose = 'return'", (message_id,))
        return None if row is None else str(row["text"])

    async def modlog_text(self, message_id: int) -> str | None:
        """The text kept for the mod-log (only where the server opted in)."""
        row = await self._db.fetch_one(
            "SELECT text FROM kindness_texts WHERE message_id = ? AND purpose = 'modlog'", (message_id,))
        return None if row is None else str(row["text"])

    async def mark_deleted(self, hide_id: int, deleted: bool) -> None:
        """The deletion was done (or refused: then there is nothing to return and the text goes)."""
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE kindness_hides SET stage = 'returning', deleted = ? WHERE id = ? "
                               "AND stage = 'deleting'", (int(deleted), hide_id))
            if not deleted:
                await conn.execute("DELETE FROM kindness_texts WHERE purpose = 'return' AND message_id = "
                                   "(SELECT message_id FROM kindness_hides WHERE id = ?)", (hide_id,))

    async def note_dm_attempt(self, hide_id: int, at: datetime) -> None:
        """Intent before the text-return DM: a restart looks for it before sending again."""
        await self._db.execute("UPDATE kindness_hides SET dm_attempted_at = COALESCE(dm_attempted_at, ?) "
                               "WHERE id = ?", (to_iso(at), hide_id))

    async def mark_returned(self, hide_id: int, returned: bool) -> None:
        """The author has their text back (it is dropped) or could not be DMed (it stays, to expire)."""
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE kindness_hides SET stage = 'reporting', returned = ? WHERE id = ? "
                               "AND stage IN ('deleting', 'returning')", (int(returned), hide_id))
            if returned:
                await conn.execute("DELETE FROM kindness_texts WHERE purpose = 'return' AND message_id = "
                                   "(SELECT message_id FROM kindness_hides WHERE id = ?)", (hide_id,))

    async def note_modlog_attempt(self, hide_id: int, at: datetime) -> None:
        """Intent before the mod-log post: a restart looks for it before posting again."""
        await self._db.execute("UPDATE kindness_hides SET modlog_attempted_at = COALESCE(modlog_attempted_at, ?) "
                               "WHERE id = ?", (to_iso(at), hide_id))

    async def finish(self, hide_id: int, modlog: tuple[int, int] | None) -> None:
        """The last step: remember the mod-log post (to redact opted-in text when it expires)."""
        await self._db.execute(
            "UPDATE kindness_hides SET stage = 'done', modlog_channel_id = ?, modlog_message_id = ? WHERE id = ?",
            (modlog[0] if modlog else None, modlog[1] if modlog else None, hide_id),
        )

    async def hide_count(self, guild_id: int, since: datetime) -> int:
        """Messages hidden since ``since``."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM kindness_hides WHERE guild_id = ? AND created_at >= ?",
            (guild_id, to_iso(since)),
        )
        return int(row["n"]) if row is not None else 0
