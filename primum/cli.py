"""The ``primum`` console script: run the bot, the demo, database upkeep and the model tools."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]

#: Modules that add their own subcommands through ``register(subparsers)``.
PLUGIN_MODULES = ("primum.cli_model", "primum.demo.runner", "primum.cli_report", "primum.replay.cli")


def _run(_: argparse.Namespace) -> int:
    from bot import run_from_settings

    return run_from_settings()


def _database_path(args: argparse.Namespace) -> Path:
    if args.db:
        return Path(args.db)
    from primum.settings import load_settings

    return load_settings().database_path


def _db_migrate(args: argparse.Namespace) -> int:
    from primum.storage import Database, DatabaseError
    from primum.storage.case_chain import seal

    async def migrate() -> int:
        db = await Database.open(_database_path(args), migrate=False)
        try:
            before = await db.user_version()
            after = await db.migrate()
            sealed = await seal(db)
        finally:
            await db.close()
        print(f"{db.path}: schema version {before} -> {after}")  # noqa: T201
        if sealed:
            print(f"sealed {sealed} earlier case row(s) into the hash chain")  # noqa: T201
        return 0

    try:
        return asyncio.run(migrate())
    except DatabaseError as error:
        print(f"primum: {error}", file=sys.stderr)  # noqa: T201
        return 2


def _db_backup(args: argparse.Namespace) -> int:
    from primum.storage import Database, DatabaseError

    source = _database_path(args)
    if not source.is_file():
        message = f"no database at {source}: nothing to back up (check --db or bot.database_path); nothing was created"
        print(f"primum: {message}", file=sys.stderr)  # noqa: T201
        return 2

    async def backup() -> int:
        db = await Database.open(source, migrate=False)
        try:
            target = await db.backup(Path(args.path))
        finally:
            await db.close()
        print(f"backed up {db.path} to {target}")  # noqa: T201
        return 0

    try:
        return asyncio.run(backup())
    except DatabaseError as error:
        print(f"primum: {error}", file=sys.stderr)  # noqa: T201
        return 2


RUN_EPILOG = """Where the token comes from:
  DISCORD_TOKEN is read from the environment or from a .env file in the current folder
  (cp .env.example .env, then fill it in). Other secrets and overrides live there too:
  PRIMUM_DATABASE, PRIMUM_CONFIG (a TOML file merged over config/defaults.toml), LOG_LEVEL.

Without a token:
  primum run plays the demo instead: a local Discord on this machine, a seeded physician
  server and a scripted conversation (the same as `primum demo`). Nothing connects to discord.com.

examples:
  primum run                          # the bot with DISCORD_TOKEN, else the demo
  DISCORD_TOKEN=... primum run        # the token from the environment
  PRIMUM_CONFIG=prod.toml primum run  # override config/defaults.toml"""

MAIN_EPILOG = """examples:
  primum demo                     # watch Primum moderate a simulated server (no token needed)
  primum demo --keep-db demo.sqlite3 && primum report --db demo.sqlite3 --out charts/
  primum run                      # the real bot (DISCORD_TOKEN in .env)
  primum score "did they skip pharmacology at your school?"
  primum <command> --help         # what each command does, with examples"""


def version() -> str:
    """The installed package's version (the checkout's pyproject when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("primum")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _db_verify(args: argparse.Namespace) -> int:
    from primum.storage import Database, DatabaseError
    from primum.storage.case_chain import verify

    source = _database_path(args)
    if not source.is_file():
        print(f"primum: no database at {source}", file=sys.stderr)  # noqa: T201
        return 2

    async def check() -> int:
        db = await Database.open(source, migrate=False)
        try:
            report = await verify(db)
        finally:
            await db.close()
        for problem in report.problems:
            print(f"TAMPERED: {problem}")  # noqa: T201
        verdict = "intact" if report.ok else f"{len(report.problems)} problem(s)"
        print(f"{source}: case log {verdict}; {report.rows} row(s); newest hash {report.head}")  # noqa: T201
        return 0 if report.ok else 1

    try:
        return asyncio.run(check())
    except DatabaseError as error:
        print(f"primum: {error}", file=sys.stderr)  # noqa: T201
        return 2


def build_parser() -> argparse.ArgumentParser:
    """All subcommands, including those registered by feature modules."""
    parser = argparse.ArgumentParser(prog="primum", description="Primum: first, be kind.", epilog=MAIN_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (the demo when no DISCORD_TOKEN is set)",
                         description="Run Primum: connect to Discord with DISCORD_TOKEN, or play the demo without one.",
                         epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.set_defaults(func=_run)

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

    for module_name in PLUGIN_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and dispatch."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.func
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
