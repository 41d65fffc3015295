"""De-escalation's tables: scheduled (timed) actions, the de-escalation record, and ladder settings.

``ScheduledActionRepository`` is the SQLite ``primum.runtime.scheduler.ActionStore``; it is generic (any
feature may store its own kinds). Ladder settings are JSON overrides kept in ``guild_settings``
under the key ``deescalation`` (guild scope and ``channel:<id>`` scopes).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from primum.runtime.clock import from_iso, to_iso
from primum.runtime.scheduler import ActionStatus, NewAction, ScheduledAction
from primum.storage.database import Database
from primum.storage.guild_settings import GUILD_SCOPE, GuildSettingsRepository, channel_scope

SETTINGS_KEY = "deescalation"

_ACTION_COLUMNS = (
    "id, kind, guild_id, channel_id, user_id, actor_id, reason, payload, created_at, expires_at, "
    "status, outcome, completed_at, attempts"
)


def _action_from_row(row: aiosqlite.Row) -> ScheduledAction:
    return ScheduledAction(
        id=int(row["id"]),
        kind=str(row["kind"]),
        guild_id=int(row["guild_id"]),
        channel_id=row["channel_id"],
        user_id=row["user_id"],
        actor_id=row["actor_id"],
        reason=str(row["reason"]),
        payload=json.loads(row["payload"]),
        created_at=from_iso(row["created_at"]),
        expires_at=from_iso(row["expires_at"]),
        status=ActionStatus(row["status"]),
        outcome=row["outcome"],
        completed_at=from_iso(row["completed_at"]) if row["completed_at"] else None,
        attempts=int(row["attempts"]),
    )


class ScheduledActionRepository:
    """Timed actions in ``scheduled_actions``; closing a row is conditional, so it happens once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, action: NewAction, now: datetime) -> ScheduledAction:
        """Persist a pending action and return it with its id."""
        # RETURNING reads the row on the writer: the reader's snapshot may predate this commit
        row = await self._db.write_returning(
            "INSERT INTO scheduled_actions (kind, guild_id, channel_id, user_id, actor_id, reason, payload, "
            f"created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_ACTION_COLUMNS}",
            (action.kind, action.guild_id, action.channel_id, action.user_id, action.actor_id, action.reason,
             json.dumps(dict(action.payload)), to_iso(now), to_iso(action.expires_at)),
        )
        assert row is not None  # an INSERT without a conflict clause returns its row
        return _action_from_row(row)

    async def get(self, action_id: int) -> ScheduledAction | None:
        """One action by id."""
        row = await self._db.fetch_one(f"SELECT {_ACTION_COLUMNS} FROM scheduled_actions WHERE id = ?", (action_id,))
        return None if row is None else _action_from_row(row)

    async def pending(self, kinds: tuple[str, ...] | None = None) -> list[ScheduledAction]:
        """Pending actions (of these kinds), earliest expiry first."""
        if kinds is not None and not kinds:
            return []
        sql = f"SELECT {_ACTION_COLUMNS} FROM scheduled_actions WHERE status = 'pending'"
        params: list[Any] = []
        if kinds is not None:
            sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
            params.extend(kinds)
        rows = await self._db.fetch_all(sql, params)
        actions = [_action_from_row(row) for row in rows]
        # ISO strings with and without microseconds do not sort as text; sort as datetimes.
        actions.sort(key=lambda action: (action.expires_at, action.id))
        return actions

    async def pending_for(
        self, guild_id: int, kind: str, *, channel_id: int | None = None, user_id: int | None = None
    ) -> list[ScheduledAction]:
        """Pending actions of one kind for one channel and/or member."""
        sql = f"SELECT {_ACTION_COLUMNS} FROM scheduled_actions WHERE status = 'pending' AND guild_id = ? AND kind = ?"
        params: list[Any] = [guild_id, kind]
        if channel_id is not None:
            sql += " AND channel_id = ?"
            params.append(channel_id)
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        actions = [_action_from_row(row) for row in await self._db.fetch_all(sql, params)]
        actions.sort(key=lambda action: (action.expires_at, action.id))
        return actions

    async def complete(self, action_id: int, status: ActionStatus, outcome: str, now: datetime) -> bool:
        """Close a pending action; False when it was already closed (so nothing is recorded twice)."""
        # One conditional UPDATE that says itself whether it won (RETURNING, on the writer). Reading
        # the row back on the reader connection could see a snapshot from before this write while
        # other coroutines' reads are open, and a lift that happened would go unrecorded.
        row = await self._db.write_returning(
            "UPDATE scheduled_actions SET status = ?, outcome = ?, completed_at = ?, closed_by = ? "
            "WHERE id = ? AND status = 'pending' RETURNING id",
            (str(status), outcome, to_iso(now), secrets.token_hex(8), action_id),
        )
        return row is not None

    async def record_attempt(self, action_id: int, error: str, now: datetime) -> int:
        """Count a failed undo attempt (the row stays pending) and return the attempts so far."""
        await self._db.execute(
            "UPDATE scheduled_actions SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (f"{to_iso(now)} {error}"[:500], action_id),
        )
        row = await self._db.fetch_one("SELECT attempts FROM scheduled_actions WHERE id = ?", (action_id,))
        return 0 if row is None else int(row["attempts"])

    async def recent(self, guild_id: int, limit: int = 20) -> list[ScheduledAction]:
        """The guild's latest actions, newest first (for moderators and tests)."""
        rows = await self._db.fetch_all(
            f"SELECT {_ACTION_COLUMNS} FROM scheduled_actions WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [_action_from_row(row) for row in rows]


@dataclass(frozen=True)
class LogEntry:
    """One line of the de-escalation record."""

    id: int
    guild_id: int
    channel_id: int | None
    user_id: int | None
    action: str
    actor_id: int | None
    reason: str
    detail: Mapping[str, Any]
    at: datetime
    action_id: int | None


class DeescalationLogRepository:
    """The record of what de-escalation did, who asked and why (reasons are mandatory)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, *, guild_id: int, action: str, reason: str, at: datetime, channel_id: int | None = None,
        user_id: int | None = None, actor_id: int | None = None, detail: Mapping[str, Any] | None = None,
        action_id: int | None = None,
    ) -> int:
        """Append one entry; ``reason`` may not be blank."""
        if not reason.strip():
            raise ValueError("a de-escalation record needs a reason")
        return await self._db.execute(
            "INSERT INTO deescalation_log (guild_id, channel_id, user_id, action, actor_id, reason, detail, at, "
            "action_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, channel_id, user_id, action, actor_id, reason, json.dumps(dict(detail or {})), to_iso(at),
             action_id),
        )

    async def for_guild(self, guild_id: int, limit: int = 50) -> list[LogEntry]:
        """The guild's latest entries, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, channel_id, user_id, action, actor_id, reason, detail, at, action_id "
            "FROM deescalation_log WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [
            LogEntry(
                id=int(row["id"]), guild_id=int(row["guild_id"]), channel_id=row["channel_id"],
                user_id=row["user_id"], action=str(row["action"]), actor_id=row["actor_id"],
                reason=str(row["reason"]), detail=json.loads(row["detail"]), at=from_iso(row["at"]),
                action_id=row["action_id"],
            )
            for row in reversed(rows)
        ]


class LadderSettingsRepository:
    """Ladder overrides per guild and per channel, stored as JSON in ``guild_settings``."""

    def __init__(self, settings: GuildSettingsRepository) -> None:
        self._settings = settings

    async def overrides(self, guild_id: int, channel_id: int | None = None) -> dict[str, Any]:
        """Guild overrides, then the channel's on top (the caller validates them)."""
        merged: dict[str, Any] = dict(await self._settings.get(guild_id, SETTINGS_KEY) or {})
        if channel_id is not None:
            merged.update(await self._settings.get(guild_id, SETTINGS_KEY, channel_scope(channel_id)) or {})
        return merged

    async def scope_overrides(self, guild_id: int, channel_id: int | None = None) -> dict[str, Any]:
        """Only the overrides stored at exactly this scope."""
        scope = GUILD_SCOPE if channel_id is None else channel_scope(channel_id)
        return dict(await self._settings.get(guild_id, SETTINGS_KEY, scope) or {})

    async def set(
        self, guild_id: int, values: Mapping[str, Any], *, now: datetime, channel_id: int | None = None,
        updated_by: int | None = None,
    ) -> dict[str, Any]:
        """Merge ``values`` into the overrides at this scope and return the stored overrides."""
        scope = GUILD_SCOPE if channel_id is None else channel_scope(channel_id)
        current = await self.scope_overrides(guild_id, channel_id)
        current.update(values)
        await self._settings.set(guild_id, SETTINGS_KEY, current, now=now, scope=scope, updated_by=updated_by)
        return current

    async def reset(self, guild_id: int, channel_id: int | None = None) -> bool:
        """Drop the overrides at this scope; True when there were some."""
        scope = GUILD_SCOPE if channel_id is None else channel_scope(channel_id)
        return await self._settings.unset(guild_id, SETTINGS_KEY, scope)
