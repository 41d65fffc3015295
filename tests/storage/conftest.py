"""A freshly migrated database per test, for the storage tests that do not bring their own."""

from pathlib import Path

import pytest

from primum.storage import Database


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "cases.sqlite3")
    yield database
    await database.close()
