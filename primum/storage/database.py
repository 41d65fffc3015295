"""SQLite for Primum: WAL, foreign keys, numbered migrations in ``PRAGMA user_version``.

Every SQL statement in Primum lives in this package. Two long-lived connections, each serialised
by its own aiosqlite worker thread: the writer (every write and transaction, short, never held
across a Discord HTTP call) and a ``query_only`` reader for ``fetch_*``. WAL lets the reader go on
while another connection or process holds the write lock, so a read never queues behind a writer
that is waiting. A write that finds the database busy waits (``busy_timeout``) and is then retried
with backoff for up to :data:`WRITE_RETRY_S`, so a message is not dropped because the database
was busy for a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_delay, wait_random_exponential

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5_000
#: How long a write keeps retrying after SQLite's own busy wait gave up (another process holding
#: the write lock, or a busy snapshot that SQLite reports at once without waiting).
WRITE_RETRY_S = 60.0


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

    def __init__(self, connection: aiosqlite.Connection, path: Path,
                 reader: aiosqlite.Connection | None = None) -> None:
        self._conn = connection
        self._reader = reader if reader is not None else connection
        self.path = path
        self.write_retry_s = WRITE_RETRY_S
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
            if str(path) != ":memory:":
                database._reader = await _open_reader(path)
        except BaseException:
            await conn.close()
            raise
        return database

    async def _configure(self) -> None:
        try:
            result = await _fetch_one(self._conn, "PRAGMA quick_check")
            if result is None or result[0] != "ok":
                detail = result[0] if result is not None else "no answer"
                raise DatabaseError(
                    f"database {self.path} failed its integrity check ({detail}); restore it from a "
                    "backup (primum db backup makes one); Primum will not reset it"
                )
            await self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = await _fetch_one(self._conn, "PRAGMA journal_mode = WAL")
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
        row = await _fetch_one(self._conn, "PRAGMA user_version")
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
        """Close the reader, then checkpoint and close the writer."""
        if self._reader is not self._conn:
            await self._reader.close()
        await self._conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- queries -------------------------------------------------------------------------
    def _retrying(self) -> AsyncRetrying:
        """Retry a write that found the database busy or locked; anything else fails at once."""
        return AsyncRetrying(
            retry=retry_if_exception(is_busy), stop=stop_after_delay(self.write_retry_s),
            wait=wait_random_exponential(multiplier=0.05, max=1.0), before_sleep=_log_busy, reraise=True,
        )

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one statement and commit (retrying while the database is busy); return the last row id.

        Shielded: a caller cancelled mid-write (a shutdown, an abandoned timer) does not leave an
        uncommitted transaction holding the write lock; the statement commits or rolls back.
        """
        return await asyncio.shield(self._write(lambda: self._conn.execute(sql, params)))

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows in a single transaction (retried while busy)."""
        batch = [tuple(row) for row in rows]
        await asyncio.shield(self._write(lambda: self._conn.executemany(sql, batch)))

    async def _write(self, statement: Callable[[], Awaitable[aiosqlite.Cursor]]) -> int:
        async with self._write_lock:
            try:
                return await self._commit(statement)
            except sqlite3.OperationalError as error:
                if not is_busy(error) or self.write_retry_s <= 0:
                    raise
            async for attempt in self._retrying():  # busy beyond busy_timeout: back off and retry
                with attempt:
                    return await self._commit(statement)
            raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def _commit(self, statement: Callable[[], Awaitable[aiosqlite.Cursor]]) -> int:
        try:
            cursor = await statement()
            await self._conn.commit()
        except sqlite3.OperationalError:
            await self._conn.rollback()
            raise
        return int(cursor.lastrowid or 0)

    async def fetch_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> aiosqlite.Row | None:
        """Return the first row or None (on the reader: never waits behind a write)."""
        return await _fetch_one(self._reader, sql, params)

    async def fetch_all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[aiosqlite.Row]:
        """Return all rows (on the reader: never waits behind a write)."""
        return await _fetch_all(self._reader, sql, params)

    async def write_returning(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        """One write that returns a row (``INSERT ... ON CONFLICT DO NOTHING RETURNING``), atomically.

        On the writer connection (the reader is read-only); None when the statement returned no row.
        """
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            row = await cursor.fetchone()
            await cursor.close()
        return row

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Group several statements atomically; commits on success, rolls back on error.

        Use the yielded connection inside the block; calling ``execute`` there would wait for
        the block itself. ``BEGIN IMMEDIATE`` takes the write lock up front and is retried while
        the database is busy, so the statements inside never meet a busy database.
        """
        async with self._write_lock:
            begin = asyncio.ensure_future(self._begin_immediate())
            try:
                await asyncio.shield(begin)
            except asyncio.CancelledError:
                # The BEGIN may still succeed in the worker thread: never leave it holding the lock.
                with contextlib.suppress(Exception):
                    await begin
                    await self._conn.rollback()
                raise
            try:
                yield self._conn
            except BaseException:
                await asyncio.shield(self._conn.rollback())
                raise
            await asyncio.shield(self._conn.commit())

    async def _begin_immediate(self) -> None:
        try:
            await self._conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or self.write_retry_s <= 0:
                raise
        async for attempt in self._retrying():  # busy beyond busy_timeout: back off and retry
            with attempt:
                await self._conn.execute("BEGIN IMMEDIATE")

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


def is_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" / "database is busy" (another writer), worth retrying."""
    if not isinstance(error, sqlite3.OperationalError):
        return False
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _log_busy(state: RetryCallState) -> None:
    log.warning("database busy (attempt %d, %.1f s so far); retrying", state.attempt_number,
                state.seconds_since_start or 0.0)


async def _fetch_one(conn: aiosqlite.Connection, sql: str,
                     params: Sequence[Any] | dict[str, Any] = ()) -> aiosqlite.Row | None:
    rows = await _fetch_all(conn, sql, params)
    return rows[0] if rows else None


async def _fetch_all(conn: aiosqlite.Connection, sql: str,
                     params: Sequence[Any] | dict[str, Any] = ()) -> list[aiosqlite.Row]:
    """Run and drain a query in one hop to the connection's thread.

    Why: a statement left open between hops (execute, then fetch) holds its WAL snapshot, and any
    other read on the same connection meanwhile sees that older state, so a row committed a moment
    ago could read as missing. Drained at once, no statement outlives its hop.
    """
    return list(await conn.execute_fetchall(sql, params))


async def _open_reader(path: Path) -> aiosqlite.Connection:
    """A second connection that can only read: WAL gives it the last committed state at once."""
    reader = await aiosqlite.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        reader.row_factory = aiosqlite.Row
        await reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await reader.execute("PRAGMA foreign_keys = ON")
        await reader.execute("PRAGMA query_only = ON")
    except BaseException:
        await reader.close()
        raise
    return reader
