"""``primum db``: migrate, back up and verify the database (safe while the bot runs)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from primum.cli.support import fail, on_database

if TYPE_CHECKING:
    from primum.storage import Database


def _database_path(args: argparse.Namespace) -> Path:
    if args.db:
        return Path(args.db)
    from primum.settings import load_settings

    return load_settings().database_path


def _db_migrate(args: argparse.Namespace) -> int:
    from primum.storage import DatabaseError
    from primum.storage.case_chain import seal

    async def migrate(db: Database) -> tuple[int, int, int]:
        return await db.user_version(), await db.migrate(), await seal(db)

    path = _database_path(args)
    try:
        before, after, sealed = on_database(path, migrate)
    except DatabaseError as error:
        return fail(error)
    print(f"{path}: schema version {before} -> {after}")  # noqa: T201
    if sealed:
        print(f"sealed {sealed} earlier case row(s) into the hash chain")  # noqa: T201
    return 0


def _db_backup(args: argparse.Namespace) -> int:
    from primum.storage import DatabaseError

    source = _database_path(args)
    if not source.is_file():
        return fail(f"no database at {source}: nothing to back up (check --db or bot.database_path); "
                    "nothing was created")

    async def backup(db: Database) -> Path:
        return await db.backup(Path(args.path))

    try:
        target = on_database(source, backup)
    except DatabaseError as error:
        return fail(error)
    print(f"backed up {source} to {target}")  # noqa: T201
    return 0


def _db_verify(args: argparse.Namespace) -> int:
    from primum.storage import DatabaseError
    from primum.storage.case_chain import verify

    source = _database_path(args)
    if not source.is_file():
        return fail(f"no database at {source}")

    try:
        report = on_database(source, verify)
    except DatabaseError as error:
        return fail(error)
    for problem in report.problems:
        print(f"TAMPERED: {problem}")  # noqa: T201
    verdict = "intact" if report.ok else f"{len(report.problems)} problem(s)"
    print(f"{source}: case log {verdict}; {report.rows} row(s); newest hash {report.head}")  # noqa: T201
    return 0 if report.ok else 1


def register(sub: Any) -> None:
    """Add ``primum db migrate|backup|verify``."""
    db = sub.add_parser("db", help="database upkeep")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    migrate = db_sub.add_parser("migrate", help="apply pending migrations")
    migrate.add_argument("--db", help="database file (default: from config)")
    migrate.set_defaults(func=_db_migrate)
    backup = db_sub.add_parser("backup", help="online backup, safe while the bot runs")
    backup.add_argument("path", help="where to write the copy (must not exist)")
    backup.add_argument("--db", help="database file (default: from config)")
    backup.set_defaults(func=_db_backup)
    verify = db_sub.add_parser("verify", help="check the case log's hash chain (exit 1 when a row was tampered with)")
    verify.add_argument("--db", help="database file (default: from config)")
    verify.set_defaults(func=_db_verify)
