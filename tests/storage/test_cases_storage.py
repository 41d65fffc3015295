"""Case storage: append-only enforced by SQLite itself, amendment chains, search."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.cases import CaseKind, CaseStatus
from primum.storage.cases import AlreadyAmended, AppendOnlyError, CaseRepository, NewCase

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GUILD, MOD, MEMBER = 10, 1, 2
AMEND_SQL = ("INSERT INTO cases (guild_id, kind, reason, amends_id, root_id, created_at) "
             "VALUES (?, 'hide', 'abc', ?, ?, ?)")


def new(kind=CaseKind.HIDE, **extra):
    fields = {"guild_id": GUILD, "kind": kind, "target_id": MEMBER, "actor_id": MOD, "reason": "insulting a colleague"}
    fields.update(extra)
    return NewCase(**fields)


async def test_add_and_read_back(db):
    repo = CaseRepository(db)
    case = await repo.add(new(evidence_url="https://x.test/1", duration_s=600, details={"channel_id": 5},
                              conflict=True), NOW)
    assert case.id == case.number and case.status is CaseStatus.ACTIVE and case.conflict
    assert case.details == {"channel_id": 5} and case.duration_s == 600 and case.created_at == NOW
    assert await repo.get(case.id) == case


@pytest.mark.parametrize("sql", [
    "UPDATE cases SET reason = 'changed quietly'",
    "UPDATE cases SET status = 'overturned' WHERE id = 1",
    "DELETE FROM cases",
    "DELETE FROM cases WHERE id = 1",
    "INSERT OR REPLACE INTO cases (id, guild_id, kind, reason, created_at) VALUES (1, 10, 'note', 'xyz', 'now')",
    "REPLACE INTO cases (id, guild_id, kind, reason, created_at) VALUES (1, 10, 'note', 'xyz', 'now')",
])
async def test_cases_cannot_be_changed_or_deleted(db, sql):
    repo = CaseRepository(db)
    original = await repo.add(new(), NOW)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.execute(sql)
    assert await repo.get(original.id) == original
    assert await repo.count(GUILD) == 1


async def test_amendments_are_new_rows_in_one_chain(db):
    repo = CaseRepository(db)
    original = await repo.add(new(duration_s=60, details={"channel_id": 5}), NOW)
    first = await repo.amend(original.id, actor_id=3, reason="wrong duration", now=NOW + timedelta(minutes=1),
                             duration_s=120)
    second = await repo.amend(first.id, actor_id=4, reason="appeal overturned: context", now=NOW
                              + timedelta(minutes=2), status=CaseStatus.OVERTURNED, details={"appeal_id": 1})
    assert (first.amends_id, first.root_id, first.number) == (original.id, original.id, original.id)
    assert (second.amends_id, second.root_id) == (first.id, original.id)
    assert second.duration_s == 120 and second.details == {"channel_id": 5, "appeal_id": 1}
    history = await repo.history(second.id)
    assert history is not None and [r.id for r in history.rows] == [original.id, first.id, second.id]
    assert history.current.status is CaseStatus.OVERTURNED
    assert await repo.get(original.id) == original  # untouched
    assert await repo.count(GUILD) == 3


async def test_a_row_is_amended_once_and_amendments_keep_the_case_number(db):
    repo = CaseRepository(db)
    original = await repo.add(new(), NOW)
    await repo.amend(original.id, actor_id=3, reason="first", now=NOW)
    # Branching the chain from an already-amended row is refused by SQLite.
    with pytest.raises(sqlite3.IntegrityError, match="already amended"):
        await db.execute(
            AMEND_SQL,
            (GUILD, original.id, original.id, NOW.isoformat()),
        )
    with pytest.raises(sqlite3.IntegrityError, match="case number"):
        await db.execute(
            AMEND_SQL,
            (GUILD, original.id + 1, 999, NOW.isoformat()),
        )
    with pytest.raises(sqlite3.IntegrityError, match="same guild"):
        await db.execute(
            AMEND_SQL,
            (GUILD + 1, original.id, original.id, NOW.isoformat()),
        )
    with pytest.raises(sqlite3.IntegrityError, match="no root_id"):
        await db.execute(
            "INSERT INTO cases (guild_id, kind, reason, root_id, created_at) VALUES (?, 'hide', 'abc', ?, ?)",
            (GUILD, original.id, NOW.isoformat()),
        )


async def test_repository_amend_of_a_stale_row_goes_to_the_head(db):
    repo = CaseRepository(db)
    original = await repo.add(new(), NOW)
    await repo.amend(original.id, actor_id=3, reason="first", now=NOW)
    again = await repo.amend(original.id, actor_id=3, reason="second", now=NOW)  # old id: appended at the head
    history = await repo.history(original.id)
    assert history is not None and history.current == again and len(history.rows) == 3


async def test_already_amended_race_is_reported(db, monkeypatch):
    repo = CaseRepository(db)
    original = await repo.add(new(), NOW)
    stale = await repo.history(original.id)
    await repo.amend(original.id, actor_id=3, reason="first", now=NOW)

    async def stale_history(number, guild_id=None):
        return stale

    monkeypatch.setattr(repo, "history", stale_history)
    with pytest.raises(AlreadyAmended):
        await repo.amend(original.id, actor_id=4, reason="second", now=NOW)


@pytest.mark.parametrize(("column", "value"), [("reason", "  "), ("reason", "ab"), ("kind", "smite"),
                                               ("duration_s", -1)])
async def test_check_constraints(db, column, value):
    fields = {"guild_id": GUILD, "kind": "hide", "reason": "valid reason", "created_at": NOW.isoformat(),
              column: value}
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute(f"INSERT INTO cases ({', '.join(fields)}) VALUES ({', '.join('?' for _ in fields)})",
                         tuple(fields.values()))


async def test_search_filters(db):
    repo = CaseRepository(db)
    a = await repo.add(new(), NOW)
    b = await repo.add(new(kind=CaseKind.NOTE, actor_id=7), NOW)
    c = await repo.add(new(target_id=3), NOW)
    await repo.add(new(guild_id=GUILD + 1), NOW)
    await repo.amend(a.id, actor_id=8, reason="amended", now=NOW)

    async def numbers(**filters):
        return [h.number for h in await repo.search(GUILD, **filters)]

    assert await numbers() == [c.id, b.id, a.id]
    assert await numbers(target_id=MEMBER) == [b.id, a.id]
    assert await numbers(actor_id=7) == [b.id]
    assert await numbers(kind=CaseKind.NOTE) == [b.id]
    assert await numbers(limit=1) == [c.id]
    assert await repo.history(a.id, guild_id=GUILD + 1) is None


async def test_append_only_error_wraps_integrity_errors(db):
    repo = CaseRepository(db)
    with pytest.raises(AppendOnlyError):
        await repo.add(new(reason="x"), NOW)


async def test_a_new_case_comes_back_while_an_older_read_is_still_open(db):
    """Under WAL a reader with an unfinished statement keeps its old snapshot; the new row must
    still come back (it was read back on that reader, and the bot logged an AssertionError)."""
    repo = CaseRepository(db)
    await repo.add(new(), NOW)
    await repo.add(new(), NOW)
    cursor = await db._reader.execute("SELECT id FROM cases")
    await cursor.fetchone()  # one row read, the statement still open: the snapshot is held
    try:
        case = await repo.add(new(reason="a third, while the read is open"), NOW)
    finally:
        await cursor.close()
    assert case.id == 3 and case.reason == "a third, while the read is open"
    assert await repo.get(case.id) == case
