"""The one SQLite connection: WAL, foreign keys, numbered migrations in ``PRAGMA user_version``.

Every SQL statement in Primum lives in this package. The connection is long-lived and
serialised by aiosqlite's worker thread, so transactions stay short and are never held across a
Discord HTTP call.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5_000


class DatabaseError(RuntimeError):
    """The database cannot be used as it is; the message says why and what to do."""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    path: Path

    @property
    def name(self) -> str:
        """The file name, e.g. ``0001_core.sql``."""
        return self.path.name


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Return the migrations in ``directory`` in order; gaps or duplicates are a programming error."""
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise DatabaseError(f"migration file name not understood: {path.name} (want NNNN_name.sql)")
        found.append(Migration(int(match.group(1)), path))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise DatabaseError(f"migrations must be numbered 1..N without gaps; found {migration.name}")
    return found


HEAD_VERSION = len(discover_migrations())


class Database:
    """Owns the aiosqlite connection; repositories call ``fetch_*``/``execute`` with bound parameters."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self.path = path
        # One connection is shared by every coroutine: a write that commits must not land inside
        # another coroutine's open transaction, so writes and transactions take turns.
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        """Open (creating if needed), check integrity and version, and migrate to head.

        Raises:
            DatabaseError: the file is not a SQLite database, is corrupt, or was written by a
                newer Primum. The file is never reset.
        """
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = await aiosqlite.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as error:
            raise DatabaseError(f"cannot open database {path}: {error}") from error
        database = cls(conn, path)
        try:
            conn.row_factory = aiosqlite.Row
            await database._configure()
            if migrate:
                await database.migrate()
        except BaseException:
            await conn.close()
            raise
        return database

    async def _configure(self) -> None:
        try:
            result = await self.fetch_one("PRAGMA quick_check")
            if result is None or result[0] != "ok":
                detail = result[0] if result is not None else "no answer"
                raise DatabaseError(
                    f"database {self.path} failed its integrity check ({detail}); restore it from a "
                    "backup (primum db backup makes one); Primum will not reset it"
                )
            await self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = await self.fetch_one("PRAGMA journal_mode = WAL")
            if mode is not None and str(mode[0]).lower() not in {"wal", "memory"}:
                log.warning("SQLite refused WAL mode (got %s); continuing", mode[0])
            await self._conn.execute("PRAGMA foreign_keys = ON")
            await self._conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as error:
            raise DatabaseError(
                f"{self.path} is not a usable SQLite database ({error}); restore it from a backup "
                "or move it aside; Primum will not reset it"
            ) from error

    async def user_version(self) -> int:
        """The schema version recorded in the file."""
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row is not None else 0

    async def migrate(self, migrations: Sequence[Migration] | None = None) -> int:
        """Apply pending migrations, each in one transaction; return the resulting version."""
        steps = list(migrations) if migrations is not None else discover_migrations()
        head = len(steps)
        current = await self.user_version()
        if current > head:
            raise DatabaseError(
                f"database {self.path} has schema version {current}, but this Primum knows only up to "
                f"{head}: it was written by a newer version. Upgrade Primum or use a backup."
            )
        for migration in steps[current:]:
            sql = migration.path.read_text(encoding="utf-8")
            try:
                # user_version is an integer we produced from the file name, not user input.
                await self._conn.executescript(
                    f"BEGIN;\n{sql}\nPRAGMA user_version = {int(migration.version)};\nCOMMIT;"
                )
            except sqlite3.Error as error:
                await self._conn.rollback()
                raise DatabaseError(f"migration {migration.name} failed and was rolled back: {error}") from error
            log.info("applied migration %s", migration.name)
            current = migration.version
        return current

    async def close(self) -> None:
        """Checkpoint and close the connection."""
        await self._conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- queries -------------------------------------------------------------------------
    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one statement and commit; return the last row id."""
        async with self._write_lock:
            cursor = await self._conn.execute(sql, params)
            await self._conn.commit()
            return int(cursor.lastrowid or 0)

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows in a single transaction."""
        async with self._write_lock:
            await self._conn.executemany(sql, rows)
            await self._conn.commit()

    async def fetch_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> aiosqlite.Row | None:
        """Return the first row or None."""
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[aiosqlite.Row]:
        """Return all rows."""
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Group several statements atomically; commits on success, rolls back on error.

        Use the yielded connection inside the block; calling ``execute`` there would wait for
        the block itself.
        """
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.rollback()
                raise
            await self._conn.commit()

    async def backup(self, target: Path | str) -> Path:
        """Copy the live database to ``target`` with SQLite's online backup API (safe while running)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise DatabaseError(f"backup target {target} already exists; choose a new path")
        destination = await aiosqlite.connect(str(target))
        try:
            await self._conn.backup(destination)
        finally:
            await destination.close()
        return target
