"""The console script: database upkeep from the command line."""

import sqlite3
import subprocess
import sys
from pathlib import Path

from primum.cli import build_parser, main
from primum.storage import HEAD_VERSION


def test_db_migrate_creates_and_reports(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.sqlite3"
    assert main(["db", "migrate", "--db", str(path)]) == 0
    assert f"schema version 0 -> {HEAD_VERSION}" in capsys.readouterr().out
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == HEAD_VERSION


def test_db_backup_copies_and_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.sqlite3"
    assert main(["db", "migrate", "--db", str(path)]) == 0
    target = tmp_path / "backup" / "copy.sqlite3"
    assert main(["db", "backup", str(target), "--db", str(path)]) == 0
    with sqlite3.connect(target) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == HEAD_VERSION
    assert main(["db", "backup", str(target), "--db", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_db_migrate_refuses_a_newer_database(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {HEAD_VERSION + 1}")
    assert main(["db", "migrate", "--db", str(path)]) == 2
    assert "newer version" in capsys.readouterr().err


def test_console_script_lists_subcommands() -> None:
    result = subprocess.run([sys.executable, "-m", "primum.cli", "--help"], capture_output=True, text=True, check=True)
    for name in ("run", "demo", "db"):
        assert name in result.stdout
    assert {"run", "db"} <= set(build_parser()._subparsers._group_actions[0].choices)


def test_db_backup_refuses_a_database_that_does_not_exist(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "typo" / "primum.sqlite3"
    target = tmp_path / "backup.sqlite3"
    assert main(["db", "backup", str(target), "--db", str(missing)]) == 2
    assert f"no database at {missing}" in capsys.readouterr().err
    assert not missing.exists() and not missing.parent.exists() and not target.exists()


def test_db_verify_names_a_case_changed_outside_primum(tmp_path: Path, capsys) -> None:
    import asyncio
    from datetime import UTC, datetime

    from primum.domain.cases import CaseKind
    from primum.storage import Database
    from primum.storage.cases import CaseRepository, NewCase

    path = tmp_path / "p.sqlite3"

    async def write() -> None:
        async with await Database.open(path) as db:
            for reason in ("first reason", "second reason"):
                await CaseRepository(db).add(NewCase(guild_id=1, kind=CaseKind.NOTE, target_id=2, actor_id=3,
                                                     reason=reason), datetime(2026, 1, 1, tzinfo=UTC))

    asyncio.run(write())
    assert main(["db", "verify", "--db", str(path)]) == 0
    assert "case log intact; 2 row(s)" in capsys.readouterr().out
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER cases_no_update")
        raw.execute("UPDATE cases SET reason = 'rewritten' WHERE id = 2")
    assert main(["db", "verify", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "TAMPERED: case row 2 (case #2) was changed after it was written" in out
