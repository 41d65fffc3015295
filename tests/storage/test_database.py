"""Storage: migrations from empty and from every earlier version, WAL, refusal to reset."""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from primum.storage import HEAD_VERSION, Database, DatabaseError, GuildSettingsRepository, discover_migrations
from primum.storage.database import Migration

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


async def test_empty_database_migrates_to_head_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "p.sqlite3")
    try:
        assert await db.user_version() == HEAD_VERSION
        mode = await db.fetch_one("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
        fk = await db.fetch_one("PRAGMA foreign_keys")
        assert fk is not None and fk[0] == 1
    finally:
        await db.close()


@pytest.mark.parametrize("start", range(HEAD_VERSION))
async def test_migrates_from_each_earlier_version(tmp_path: Path, start: int) -> None:
    path = tmp_path / "p.sqlite3"
    steps = discover_migrations()
    db = await Database.open(path, migrate=False)
    assert await db.migrate(steps[:start]) == start
    await db.close()
    reopened = await Database.open(path)
    try:
        assert await reopened.user_version() == HEAD_VERSION
        tables = {row[0] for row in await reopened.fetch_all("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "guild_settings" in tables
    finally:
        await reopened.close()


async def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "p.sqlite3")
    try:
        assert await db.migrate() == HEAD_VERSION
    finally:
        await db.close()


async def test_a_failing_migration_rolls_back_whole(tmp_path: Path) -> None:
    bad = tmp_path / "migrations"
    bad.mkdir()
    steps = discover_migrations()
    broken = bad / f"{HEAD_VERSION + 1:04d}_broken.sql"
    broken.write_text("CREATE TABLE half_done (id INTEGER);\nTHIS IS NOT SQL;\n", encoding="utf-8")
    db = await Database.open(tmp_path / "p.sqlite3")
    try:
        with pytest.raises(DatabaseError, match="rolled back"):
            await db.migrate([*steps, Migration(HEAD_VERSION + 1, broken)])
        assert await db.user_version() == HEAD_VERSION
        assert await db.fetch_one("SELECT name FROM sqlite_master WHERE name = 'half_done'") is None
    finally:
        await db.close()


async def test_database_from_a_newer_version_is_refused_not_reset(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE keep_me (x)")
        raw.execute(f"PRAGMA user_version = {HEAD_VERSION + 5}")
    with pytest.raises(DatabaseError, match="written by a newer version"):
        await Database.open(path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT name FROM sqlite_master WHERE name='keep_me'").fetchone() is not None


async def test_corrupt_file_gets_a_clear_error_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    garbage = b"this is not a database at all" * 200
    path.write_bytes(garbage)
    with pytest.raises(DatabaseError, match="not a usable SQLite database"):
        await Database.open(path)
    assert path.read_bytes() == garbage


async def test_online_backup_while_open(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "live.sqlite3")
    try:
        settings = GuildSettingsRepository(db)
        await settings.set(1, "nudge_threshold", 0.8, now=NOW)
        target = await db.backup(tmp_path / "copy.sqlite3")
        with pytest.raises(DatabaseError, match="already exists"):
            await db.backup(target)
    finally:
        await db.close()
    copy = await Database.open(target)
    try:
        assert await GuildSettingsRepository(copy).get(1, "nudge_threshold") == 0.8
    finally:
        await copy.close()


async def test_guild_settings_scopes_and_unset(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "p.sqlite3")
    try:
        repo = GuildSettingsRepository(db)
        await repo.set(7, "nudge_threshold", 0.7, now=NOW, updated_by=99)
        await repo.set(7, "nudge_threshold", 0.9, now=NOW, scope="channel:5")
        await repo.set(7, "nudge_threshold", 0.75, now=NOW)
        assert await repo.get(7, "nudge_threshold") == 0.75
        assert await repo.get(7, "nudge_threshold", "channel:5") == 0.9
        assert await repo.get(8, "nudge_threshold") is None
        assert await repo.all_for_guild(7) == {("", "nudge_threshold"): 0.75, ("channel:5", "nudge_threshold"): 0.9}
        assert await repo.unset(7, "nudge_threshold", "channel:5") is True
        assert await repo.unset(7, "nudge_threshold", "channel:5") is False
    finally:
        await db.close()


async def test_a_locked_database_is_waited_for_not_lost(tmp_path: Path) -> None:
    """Another process holding the write lock briefly (a backup tool, a second CLI) delays, never drops, a write."""
    import asyncio
    import threading

    path = tmp_path / "p.sqlite3"
    db = await Database.open(path)
    try:
        locked = threading.Event()

        def hold_lock() -> None:
            other = sqlite3.connect(path, timeout=5)
            other.execute("BEGIN EXCLUSIVE")
            locked.set()
            threading.Event().wait(0.5)
            other.rollback()
            other.close()

        holder = threading.Thread(target=hold_lock)
        holder.start()
        await asyncio.to_thread(locked.wait)
        await GuildSettingsRepository(db).set(3, "nudge_window_s", 600, now=NOW)
        holder.join()
        assert await GuildSettingsRepository(db).get(3, "nudge_window_s") == 600
    finally:
        await db.close()


async def test_concurrent_transactions_and_writes_take_turns(tmp_path: Path) -> None:
    """One shared connection: a write must never commit inside another coroutine's transaction."""
    import asyncio

    db = await Database.open(tmp_path / "p.sqlite3")
    repo = GuildSettingsRepository(db)
    try:
        async def transfer(n: int) -> None:
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO guild_settings (guild_id, scope, key, value, updated_at) VALUES (?, '', ?, '1', ?)",
                    (n, "a", NOW.isoformat()),
                )
                await asyncio.sleep(0)  # let the others try to start theirs meanwhile
                if n % 2:
                    raise RuntimeError("roll this one back")
                await conn.execute(
                    "INSERT INTO guild_settings (guild_id, scope, key, value, updated_at) VALUES (?, '', ?, '1', ?)",
                    (n, "b", NOW.isoformat()),
                )

        results = await asyncio.gather(
            *(transfer(n) for n in range(10)), *(repo.set(100 + n, "k", n, now=NOW) for n in range(10)),
            return_exceptions=True,
        )
        assert [type(r) for r in results[:10]] == [type(None), RuntimeError] * 5
        rows = await db.fetch_all("SELECT guild_id, key FROM guild_settings WHERE guild_id < 100 ORDER BY 1, 2")
        assert [(r[0], r[1]) for r in rows] == [(n, k) for n in range(0, 10, 2) for k in ("a", "b")]
        assert all([await repo.get(100 + n, "k") == n for n in range(10)])
    finally:
        await db.close()
