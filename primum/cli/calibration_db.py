"""Labelled examples for ``primum calibrate --from-db``, from every feature that stores them.

Each source is one loader: an async function that reads a database and returns
:class:`~primum.storage.report_reviews.CalibrationExample` rows (a score, a 0/1 label, the model
version; never text). A source whose table is missing (an older database, a feature not merged)
is skipped; the calibration itself does not care where a label came from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from primum.storage import Database
from primum.storage.report_reviews import CalibrationExample, calibration_examples

Loader = Callable[[Database, int | None], Awaitable[list[CalibrationExample]]]


async def _report_verdicts(db: Database, guild_id: int | None) -> list[CalibrationExample]:
    """Moderators' verdicts on "This was a mistake" reports (cogs/report_review.py)."""
    return await calibration_examples(db, guild_id=guild_id)


async def _observe_verdicts(db: Database, guild_id: int | None) -> list[CalibrationExample]:
    """Observe mode's Correct / Wrong verdicts on what Primum would have done to a message."""
    from primum.domain.observe import examples
    from primum.storage.policy import PolicyRepository

    reports = await PolicyRepository(db).labelled(guild_id)
    return [
        CalibrationExample(r.guild_id, "observe", e.score, e.category or "unkind", e.label, e.model_version)
        for r, e in _paired(reports, examples)
    ]


def _paired(reports: list[Any], make: Any) -> list[tuple[Any, Any]]:
    """Each report with its example (reports that make none, e.g. channel steps, are left out)."""
    out = []
    for report in reports:
        made = make([(report.action, report.score, report.category, report.verdict, report.model_version)])
        if made:
            out.append((report, made[0]))
    return out


#: name -> loader; a feature that stores labelled examples adds itself here.
SOURCES: dict[str, Loader] = {"report verdicts": _report_verdicts, "observe-mode verdicts": _observe_verdicts}


async def load_labelled(path: Path, guild_id: int | None = None) -> tuple[list[CalibrationExample], list[str]]:
    """Every source's examples from the database at ``path`` (read only, not migrated), and the sources read."""
    found: list[CalibrationExample] = []
    read: list[str] = []
    async with await Database.open(path, migrate=False) as db:
        for name, loader in SOURCES.items():
            try:
                found += await loader(db, guild_id)
            except sqlite3.OperationalError:  # that feature's table is not in this database
                continue
            read.append(name)
    if not read:
        raise RuntimeError(f"{path} holds no labelled examples yet (run `primum db migrate --db {path}`, "
                           "then let moderators give verdicts)")
    return found, read
