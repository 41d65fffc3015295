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
