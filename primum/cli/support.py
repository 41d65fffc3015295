"""What every command shares: one way to fail with a clear line, and to work on a database file offline."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from primum.storage import Database

T = TypeVar("T")


def fail(message: object, *, code: int = 2, command: str = "primum") -> int:
    """Print ``command: message`` on stderr and return the exit code (2: the input was wrong)."""
    print(f"{command}: {message}", file=sys.stderr)  # noqa: T201
    return code


def on_database(path: Path, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` on the database at ``path`` (opened without migrating, closed after) in its own event loop.

    A database Primum cannot open raises ``primum.storage.DatabaseError``.
    """
    from primum.storage import Database

    async def run() -> T:
        async with await Database.open(path, migrate=False) as db:
            return await work(db)

    return asyncio.run(run())
