"""Storage under a busy database: reads never wait behind a writer, writes wait and retry.

Another connection (as another process would) holds SQLite's write lock for longer than the
busy timeout. Reads must still answer at once; a write issued meanwhile must land once the lock
is released instead of failing with "database is locked"; nothing is logged at ERROR.
"""

import asyncio
import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from primum.storage import Database
from primum.storage.database import BUSY_TIMEOUT_MS, is_busy

HOLD_S = BUSY_TIMEOUT_MS / 1000 + 1.0  # longer than SQLite's own busy wait


def hold_write_lock(path: Path, seconds: float, held: threading.Event) -> threading.Thread:
    """Take the write lock from a separate connection (like another process) for ``seconds``."""

    def run() -> None:
        conn = sqlite3.connect(str(path), isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO guild_settings (guild_id, scope, key, value, updated_at) "
                         "VALUES (1, '', 'held', '1', '2026-01-01T00:00:00+00:00')")
            held.set()
            time.sleep(seconds)
            conn.execute("COMMIT")
        finally:
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


async def test_reads_answer_and_writes_land_while_another_connection_holds_the_lock(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "busy.sqlite3"
    db = await Database.open(path)
    try:
        await db.execute("INSERT INTO guild_settings (guild_id, scope, key, value, updated_at) "
                         "VALUES (1, '', 'before', '1', '2026-01-01T00:00:00+00:00')")
        held = threading.Event()
        holder = hold_write_lock(path, HOLD_S, held)
        await asyncio.to_thread(held.wait, 5)
        caplog.set_level(logging.WARNING)
        write = asyncio.create_task(db.execute(
            "INSERT INTO guild_settings (guild_id, scope, key, value, updated_at) "
            "VALUES (1, '', 'during', '1', '2026-01-01T00:00:00+00:00')"))
        await asyncio.sleep(0.2)  # the write is now waiting for the lock
        # A read issued behind the waiting write answers well before the lock is released.
        row = await asyncio.wait_for(db.fetch_one("SELECT value FROM guild_settings WHERE key = 'before'"),
                                     timeout=HOLD_S / 2)
        assert row is not None and row["value"] == "1"
        assert not write.done()
        await write  # lands after the release: no "database is locked"
        await asyncio.to_thread(holder.join, 10)
        keys = {r["key"] for r in await db.fetch_all("SELECT key FROM guild_settings")}
        assert {"before", "held", "during"} <= keys
        async with db.transaction() as conn:  # BEGIN IMMEDIATE works again at once
            await conn.execute("DELETE FROM guild_settings WHERE key = 'held'")
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        await db.close()


async def test_begin_immediate_retries_while_busy(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    db = await Database.open(path)
    try:
        held = threading.Event()
        holder = hold_write_lock(path, HOLD_S, held)
        await asyncio.to_thread(held.wait, 5)
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO guild_settings (guild_id, scope, key, value, updated_at) "
                               "VALUES (1, '', 'txn', '1', '2026-01-01T00:00:00+00:00')")
        await asyncio.to_thread(holder.join, 10)
        assert await db.fetch_one("SELECT 1 FROM guild_settings WHERE key = 'txn'") is not None
    finally:
        await db.close()


async def test_a_write_gives_up_with_the_error_after_its_retry_budget(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    db = await Database.open(path)
    db.write_retry_s = 0.0
    try:
        held = threading.Event()
        holder = hold_write_lock(path, HOLD_S, held)
        await asyncio.to_thread(held.wait, 5)
        with pytest.raises(sqlite3.OperationalError) as raised:
            await db.execute("INSERT INTO guild_settings (guild_id, scope, key, value, updated_at) "
                             "VALUES (1, '', 'x', '1', '2026-01-01T00:00:00+00:00')")
        assert is_busy(raised.value)
        await asyncio.to_thread(holder.join, 10)
    finally:
        await db.close()


async def test_the_reader_cannot_write(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "r.sqlite3")
    try:
        with pytest.raises(sqlite3.OperationalError):
            await db.fetch_one("DELETE FROM guild_settings RETURNING key")
    finally:
        await db.close()


async def test_a_write_cancelled_midway_never_leaves_the_write_lock_held(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    db = await Database.open(path)
    try:
        insert = ("INSERT INTO guild_settings (guild_id, scope, key, value, updated_at) "
                  "VALUES (1, '', ?, '1', '2026-01-01T00:00:00+00:00')")

        async def in_transaction(key: str) -> None:
            async with db.transaction() as conn:
                await conn.execute(insert, (key,))
                await asyncio.sleep(0)

        for n in range(40):  # cancel plain writes and transactions at different points
            write = db.execute(insert, (f"k{n}",)) if n % 2 else in_transaction(f"k{n}")
            task = asyncio.create_task(write)
            for _ in range(n % 7):
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await asyncio.sleep(0.05)  # the shielded write finishes in the background
            other = sqlite3.connect(str(path), timeout=0.2, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")  # would fail if a transaction had been left open
                other.execute("ROLLBACK")
            finally:
                other.close()
    finally:
        await db.close()
