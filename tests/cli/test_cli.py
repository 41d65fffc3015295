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


def test_version_prints_the_package_version(capsys) -> None:
    from importlib.metadata import version

    import pytest

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"primum {version('primum')}"


def test_run_help_explains_the_token_and_the_demo_fallback() -> None:
    result = subprocess.run([sys.executable, "-m", "primum.cli", "run", "--help"], capture_output=True, text=True,
                            check=True)
    text = " ".join(result.stdout.split())
    assert "DISCORD_TOKEN" in text and ".env" in text
    assert "Without a token" in text and "demo" in text


def test_a_bot_that_cannot_reach_discord_ends_in_one_clear_line(tmp_path: Path, monkeypatch, capsys) -> None:
    import discord.http

    from primum.cli import run

    # Nothing listens on port 9 of this machine: the same error as no network, without needing one.
    monkeypatch.setattr(discord.http.Route, "BASE", "http://127.0.0.1:9/api/v10")
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    monkeypatch.setenv("PRIMUM_DATABASE", str(tmp_path / "p.sqlite3"))
    monkeypatch.setenv("PRIMUM_MODEL_BACKEND", "fake")
    monkeypatch.chdir(tmp_path)
    assert run.run_from_settings() == 3
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("primum: could not reach Discord (")
    assert "Traceback" not in err and "not-a-real-token" not in err


def test_help_teaches_with_examples() -> None:
    choices = build_parser()._subparsers._group_actions[0].choices
    for name in ("run", "demo", "report", "score", "evaluate", "calibrate"):
        text = choices[name].format_help()
        assert "examples:" in text, name
        assert f"primum {name}" in text, name
    assert "primum <command> --help" in build_parser().format_help()


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


def test_every_command_module_is_a_listed_plugin() -> None:
    import ast

    from primum.cli import PLUGIN_MODULES

    folder = Path(__file__).resolve().parents[2] / "primum" / "cli"
    registering = {
        f"primum.cli.{path.stem}" for path in folder.glob("*.py")
        if any(isinstance(node, ast.FunctionDef) and node.name == "register"
               for node in ast.parse(path.read_text(encoding="utf-8")).body)
    }
    assert registering == set(PLUGIN_MODULES)
    assert len(PLUGIN_MODULES) == len(set(PLUGIN_MODULES))
