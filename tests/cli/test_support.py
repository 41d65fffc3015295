"""What every command shares: one clear failure line, and a database worked on without migrating it."""

import asyncio
import sqlite3
from pathlib import Path

import pytest

from primum.cli.support import fail, on_database
from primum.storage import Database, DatabaseError


def test_fail_says_one_line_on_stderr_and_returns_the_code(capsys) -> None:
    assert fail("no database at x.sqlite3") == 2
    assert fail(ValueError("bad"), code=1, command="primum replay") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "primum: no database at x.sqlite3\nprimum replay: bad\n"


def test_on_database_neither_migrates_nor_leaves_it_open(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE kept (x INTEGER)")
    opened: list[Database] = []

    async def version(db: Database) -> int:
        opened.append(db)
        return await db.user_version()

    assert on_database(path, version) == 0  # not migrated
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 0
    with pytest.raises(ValueError, match="no active connection|Connection closed"):  # closed after the work
        asyncio.run(opened[0].user_version())


def test_a_file_that_is_not_a_database_is_a_database_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("not a database", encoding="utf-8")

    async def version(db: Database) -> int:
        return await db.user_version()

    with pytest.raises(DatabaseError):
        on_database(path, version)
