"""``known_names``: channel and moderator names for reports; renamed in place, forgotten per member."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.storage import Database
from primum.storage.database import discover_migrations
from primum.storage.names import CHANNEL, MEMBER, NameRepository, known_names

T0 = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "n.sqlite3")
    yield database
    await database.close()


async def test_names_are_remembered_renamed_and_read_per_guild(db):
    repo = NameRepository(db)
    await repo.remember(1, CHANNEL, [(100, "general"), (101, "cases")], T0)
    await repo.remember(1, MEMBER, [(7, "Dr. Nadia Haddad")], T0)
    await repo.remember(2, CHANNEL, [(200, "lounge")], T0)
    await repo.remember(1, CHANNEL, [(100, "general-chat")], T0 + timedelta(hours=1))
    one = await known_names(db, 1)
    assert one.channels == {100: "general-chat", 101: "cases"} and one.members == {7: "Dr. Nadia Haddad"}
    every = await known_names(db)
    assert every.channels == {100: "general-chat", 101: "cases", 200: "lounge"}


async def test_forget_member_removes_only_that_members_name(db):
    repo = NameRepository(db)
    await repo.remember(1, MEMBER, [(7, "Dr. Nadia Haddad"), (8, "Dr. Marcus Reid")], T0)
    await repo.remember(1, CHANNEL, [(7, "a channel with the same id")], T0)
    await repo.remember(2, MEMBER, [(7, "Nadia elsewhere")], T0)
    assert await repo.forget_member(1, 7) == 1
    assert await repo.forget_member(1, 7) == 0
    assert (await known_names(db, 1)).members == {8: "Dr. Marcus Reid"}
    assert (await known_names(db, 1)).channels == {7: "a channel with the same id"}
    assert (await known_names(db, 2)).members == {7: "Nadia elsewhere"}


async def test_empty_names_and_unknown_kinds(db):
    repo = NameRepository(db)
    await repo.remember(1, CHANNEL, [(100, "")], T0)  # nothing to show: nothing kept
    assert (await known_names(db, 1)).channels == {}
    with pytest.raises(ValueError, match="kind"):
        await repo.remember(1, "role", [(5, "Moderators")], T0)


async def test_a_database_from_before_the_names_reads_as_no_names(tmp_path: Path):
    db = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    await db.migrate(discover_migrations()[:1])
    try:
        names = await known_names(db, 1)
        assert names.channels == {} and names.members == {}
    finally:
        await db.close()
