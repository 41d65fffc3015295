"""Per-guild (and per-channel / per-category) settings that owners change at run time."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from primum.runtime.clock import to_iso
from primum.storage.database import Database

GUILD_SCOPE = ""


def channel_scope(channel_id: int) -> str:
    """The scope string for one channel's override."""
    return f"channel:{int(channel_id)}"


def category_scope(category: str) -> str:
    """The scope string for one be-kind category's override."""
    return f"category:{category}"


class GuildSettingsRepository:
    """JSON values keyed by (guild, scope, key)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int, key: str, scope: str = GUILD_SCOPE) -> Any | None:
        """Return the stored value or None when unset."""
        row = await self._db.fetch_one(
            "SELECT value FROM guild_settings WHERE guild_id = ? AND scope = ? AND key = ?",
            (guild_id, scope, key),
        )
        return None if row is None else json.loads(row["value"])

    async def set(
        self, guild_id: int, key: str, value: Any, *, now: datetime, scope: str = GUILD_SCOPE,
        updated_by: int | None = None,
    ) -> None:
        """Store a value (JSON-serialisable), replacing any earlier one."""
        await self._db.execute(
            "INSERT INTO guild_settings (guild_id, scope, key, value, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, scope, key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            (guild_id, scope, key, json.dumps(value), to_iso(now), updated_by),
        )

    async def unset(self, guild_id: int, key: str, scope: str = GUILD_SCOPE) -> bool:
        """Remove an override; return whether one existed."""
        existed = await self.get(guild_id, key, scope) is not None
        await self._db.execute(
            "DELETE FROM guild_settings WHERE guild_id = ? AND scope = ? AND key = ?", (guild_id, scope, key)
        )
        return existed

    async def all_for_guild(self, guild_id: int) -> dict[tuple[str, str], Any]:
        """Every override of a guild as {(scope, key): value}."""
        rows = await self._db.fetch_all(
            "SELECT scope, key, value FROM guild_settings WHERE guild_id = ? ORDER BY scope, key", (guild_id,)
        )
        return {(row["scope"], row["key"]): json.loads(row["value"]) for row in rows}
