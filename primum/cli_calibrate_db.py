"""``primum calibrate --from-db``: observe mode's labelled examples, read from the bot's database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from primum.domain.observe import LabelledExample, examples
from primum.storage import Database
from primum.storage.policy import PolicyRepository


async def load_examples(path: Path, guild_id: int | None = None) -> list[LabelledExample]:
    """The answered reports as (score, label) rows; RuntimeError with a clear message when unreadable."""
    db = await Database.open(path, migrate=False)
    try:
        reports = await PolicyRepository(db).labelled(guild_id)
    except sqlite3.OperationalError as error:
        raise RuntimeError(f"{path} has no observe-mode reports table ({error}); start the bot once to migrate it")\
            from error
    finally:
        await db.close()
    return examples((r.action, r.score, r.category, r.verdict, r.model_version) for r in reports)
