"""``primum report --db FILE --out DIR``: the owners' weekly charts, offline, from a database file."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from primum.cli.support import fail, on_database

if TYPE_CHECKING:
    from primum.storage import Database


def _report(args: argparse.Namespace) -> int:
    """Read the database without migrating it, draw the charts, write them to ``--out``."""
    from primum.reporting.weekly import load_names, load_rows, render_report, write_report
    from primum.runtime.clock import utc_now
    from primum.storage import DatabaseError

    db_path = Path(args.db)
    if not db_path.exists():
        return fail(f"database {db_path} does not exist")

    async def load(db: Database) -> Any:
        since = utc_now() - timedelta(weeks=args.weeks) if args.weeks > 0 else None
        return await load_rows(db, args.guild, since), await load_names(db, args.guild)

    try:
        rows, names = on_database(db_path, load)
    except DatabaseError as error:
        return fail(error)
    paths = write_report(render_report(rows, names=names.members, channel_names=names.channels), Path(args.out))
    for path in paths:
        print(path)  # noqa: T201
    return 0


REPORT_EPILOG = """examples:
  primum report --db data/primum.sqlite3 --out report/
  primum report --db data/primum.sqlite3 --out report/ --guild 123456789 --weeks 0
  primum demo --scenario kindness --keep-db demo.sqlite3 && primum report --db demo.sqlite3 --out report/

Channels and moderators show by the names Primum saw while it ran (kept in the database);
a channel or moderator it never saw shows as an id. `/mod-settings report` in Discord draws
the same charts with the names Discord shows now."""


def register(subparsers: Any) -> None:
    """Add ``primum report`` to the console script."""
    parser = subparsers.add_parser(
        "report", help="write the owners' weekly report charts (PNG) from a database",
        description="Draw the owners' charts from a Primum database, offline and read only.",
        epilog=REPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", required=True, help="the Primum database file (read only; not migrated)")
    parser.add_argument("--out", required=True, help="directory for the PNG files (created if needed)")
    parser.add_argument("--guild", type=int, default=None, help="only this guild id (default: all guilds)")
    parser.add_argument("--weeks", type=int, default=12, help="how many weeks back (0: everything; default 12)")
    parser.set_defaults(func=_report)
