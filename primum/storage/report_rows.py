"""The rows the owners' report draws, read defensively: an absent feature gives None ("no data")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from primum.domain.cases import stored_kind
from primum.runtime.clock import from_iso
from primum.storage.database import Database
from primum.storage.tables import has_columns


def _kind(kind: str, details: str | None) -> str:
    """The case kind as the report counts it (warnings and purges from before 0011 included)."""
    try:
        return str(stored_kind(kind, json.loads(details or "{}")))
    except ValueError:
        return kind


@dataclass(frozen=True)
class ReportRows:
    """Raw rows for the owners' report; None for a source whose table is absent ("no data")."""

    nudges: list[tuple[datetime, str | None]] | None  # (created_at, outcome)
    heat: list[tuple[int, str]] | None  # (channel_id, de-escalation action)
    actions: list[tuple[datetime, str, int | None]] | None  # (created_at, kind, actor_id) originals only
    appeals: list[tuple[datetime, str]] | None  # (created_at, status)


async def report_rows(db: Database, guild_id: int | None, since: datetime | None) -> ReportRows:
    """Everything the report draws, read defensively (a missing table gives None for that chart)."""

    def where() -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if guild_id is not None:
            clauses.append("guild_id = ?")
            params.append(guild_id)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def recent(moment: datetime) -> bool:
        return since is None or moment >= since

    nudges: list[tuple[datetime, str | None]] | None = None
    if await has_columns(db, "kindness_nudges", ("guild_id", "created_at", "outcome")):
        clause, params = where()
        rows = await db.fetch_all(f"SELECT created_at, outcome FROM kindness_nudges{clause}", params)
        nudges = [(t, r["outcome"]) for r in rows if recent(t := from_iso(r["created_at"]))]

    heat: list[tuple[int, str]] | None = None
    if await has_columns(db, "deescalation_log", ("guild_id", "channel_id", "action", "at")):
        clause, params = where()
        rows = await db.fetch_all(f"SELECT channel_id, action, at FROM deescalation_log{clause}", params)
        heat = [(int(r["channel_id"]), str(r["action"])) for r in rows
                if r["channel_id"] is not None and recent(from_iso(r["at"]))]

    actions: list[tuple[datetime, str, int | None]] | None = None
    if await has_columns(db, "cases", ("guild_id", "kind", "actor_id", "amends_id", "created_at", "details")):
        clause, params = where()
        clause = f"{clause} AND amends_id IS NULL" if clause else " WHERE amends_id IS NULL"
        rows = await db.fetch_all(f"SELECT created_at, kind, actor_id, details FROM cases{clause}", params)
        actions = [(t, _kind(r["kind"], r["details"]), r["actor_id"]) for r in rows
                   if recent(t := from_iso(r["created_at"]))]

    appeals: list[tuple[datetime, str]] | None = None
    if await has_columns(db, "case_appeals", ("guild_id", "created_at", "status")):
        clause, params = where()
        rows = await db.fetch_all(f"SELECT created_at, status FROM case_appeals{clause}", params)
        appeals = [(t, str(r["status"])) for r in rows if recent(t := from_iso(r["created_at"]))]

    return ReportRows(nudges=nudges, heat=heat, actions=actions, appeals=appeals)


async def report_guilds(db: Database) -> list[int]:
    """Guild ids that have anything to report (cases or nudges), for the offline report."""
    guilds: set[int] = set()
    for table in ("cases", "kindness_nudges", "deescalation_log", "case_appeals"):
        if await has_columns(db, table, ("guild_id",)):
            rows = await db.fetch_all(f"SELECT DISTINCT guild_id FROM {table}")
            guilds.update(int(r["guild_id"]) for r in rows)
    return sorted(guilds)
