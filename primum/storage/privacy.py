"""Per-member deletion for the features without a forget of their own (de-escalation records).

The be-kind, verification and case repositories forget through their own methods; this module
covers de-escalation's tables and counts what is kept. Tables that are absent (a feature not
installed) count as nothing to delete.
"""

from __future__ import annotations

from primum.storage.database import Database
from primum.storage.tables import table_columns


async def forget_deescalation(db: Database, guild_id: int, user_id: int) -> tuple[int, int]:
    """Delete a member's de-escalation log and finished timed actions; return (removed, pending kept).

    Pending cooldowns stay so that they are lifted on time (the row is the timer).
    """
    has_log = bool(await table_columns(db, "deescalation_log"))
    has_actions = bool(await table_columns(db, "scheduled_actions"))
    removed = 0
    kept = 0
    async with db.transaction() as conn:
        if has_log:
            cursor = await conn.execute("DELETE FROM deescalation_log WHERE guild_id = ? AND user_id = ?",
                                        (guild_id, user_id))
            removed += max(cursor.rowcount, 0)
        if has_actions:
            if has_log:
                await conn.execute(
                    "UPDATE deescalation_log SET action_id = NULL WHERE action_id IN (SELECT id FROM "
                    "scheduled_actions WHERE guild_id = ? AND user_id = ? AND status != 'pending')",
                    (guild_id, user_id),
                )
            cursor = await conn.execute(
                "DELETE FROM scheduled_actions WHERE guild_id = ? AND user_id = ? AND status != 'pending'",
                (guild_id, user_id),
            )
            removed += max(cursor.rowcount, 0)
            async with conn.execute(
                "SELECT COUNT(*) FROM scheduled_actions WHERE guild_id = ? AND user_id = ? AND status = 'pending'",
                (guild_id, user_id),
            ) as read:
                row = await read.fetchone()
            kept = int(row[0]) if row is not None else 0
    return removed, kept


async def count_appeals(db: Database, guild_id: int, appellant_id: int) -> int:
    """How many appeals a member filed (their outcomes stay on the record)."""
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM case_appeals WHERE guild_id = ? AND appellant_id = ?",
                             (guild_id, appellant_id))
    return 0 if row is None else int(row["n"])
