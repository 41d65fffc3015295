"""Migration 0011 (issue 17): `warn` and `purge` become case kinds; every old row keeps verifying."""

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.domain.cases import CaseKind
from primum.storage import Database, discover_migrations
from primum.storage.appeals import AppealRepository
from primum.storage.case_chain import verify
from primum.storage.cases import AppendOnlyError, CaseRepository, NewCase
from primum.storage.report_rows import report_rows

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GUILD, MOD, MEMBER, CHANNEL = 10, 1, 2, 5


def new(kind: CaseKind, reason: str, details: dict[str, int] | None = None, target: int | None = MEMBER) -> NewCase:
    return NewCase(guild_id=GUILD, kind=kind, target_id=target, actor_id=MOD, reason=reason, details=details or {})


async def version_10_log(path: Path) -> list[tuple[int, str, str]]:
    """A log written by Primum before 0011: a warning stored as a note, a purge stored as a hide."""
    db = await Database.open(path, migrate=False)
    assert await db.migrate(discover_migrations()[:10]) == 10
    repo = CaseRepository(db)
    warning = await repo.add(new(CaseKind.NOTE, "personal attacks in #general", {"warning": 1}), NOW)
    await repo.add(new(CaseKind.HIDE, "spam burst", {"purge": 4, "channel_id": CHANNEL}), NOW)
    await repo.amend(warning.id, actor_id=7, reason="a clearer warning", now=NOW + timedelta(minutes=1))
    await repo.add(new(CaseKind.NOTE, "asked to keep it civil"), NOW + timedelta(minutes=2))
    await AppealRepository(db).add(guild_id=GUILD, case_id=warning.id, appellant_id=MEMBER, statement="please",
                                   reviewer_id=9, now=NOW, remind_at=NOW)
    with pytest.raises(AppendOnlyError, match="CHECK"):  # the schema before 0011 refuses the new kinds
        await repo.add(new(CaseKind.WARN, "a warning of its own"), NOW)
    chain = [(int(r["id"]), str(r["prev_hash"]), str(r["row_hash"]))
             for r in await db.fetch_all("SELECT id, prev_hash, row_hash FROM cases ORDER BY id")]
    await db.close()
    return chain


async def test_old_rows_keep_their_hashes_and_verify_after_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "v10.sqlite3"
    before = await version_10_log(path)
    async with await Database.open(path) as db:
        assert await db.user_version() == len(discover_migrations()) >= 11
        after = [(int(r["id"]), str(r["prev_hash"]), str(r["row_hash"]))
                 for r in await db.fetch_all("SELECT id, prev_hash, row_hash FROM cases ORDER BY id")]
        assert after == before
        report = await verify(db)
        assert report.ok and report.rows == 4 and report.head == before[-1][2]
        assert await db.fetch_all("PRAGMA foreign_key_check") == []
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await db.execute("UPDATE cases SET kind = 'warn' WHERE id = 1")


async def test_a_newest_row_deleted_before_the_migration_is_still_reported_after_it(tmp_path: Path) -> None:
    path = tmp_path / "v10.sqlite3"
    await version_10_log(path)
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER cases_no_delete")
    raw.execute("DELETE FROM cases WHERE id = 4")
    raw.commit()
    raw.close()
    async with await Database.open(path) as db:  # migrates to 0011: the table is rebuilt
        report = await verify(db)
        assert report.problems == ("case row(s) 4-4 deleted (the newest rows are missing)",)


async def test_old_warnings_and_purges_read_as_their_own_kinds_and_new_ones_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "v10.sqlite3"
    await version_10_log(path)
    async with await Database.open(path) as db:
        repo = CaseRepository(db)
        warning = await repo.history(1)
        assert warning is not None and [r.kind for r in warning.rows] == [CaseKind.WARN, CaseKind.WARN]
        purge = await repo.get(2)
        assert purge is not None and purge.kind is CaseKind.PURGE
        assert (await repo.get(4)).kind is CaseKind.NOTE  # type: ignore[union-attr]
        assert (await AppealRepository(db).for_case(1)) is not None  # the appeal still points at its case
        fresh_warning = await repo.add(new(CaseKind.WARN, "a warning of its own"), NOW)
        fresh_purge = await repo.add(new(CaseKind.PURGE, "cleaning up", {"messages": 3, "channel_id": CHANNEL},
                                         target=None), NOW)
        assert (fresh_warning.kind, fresh_purge.kind) == (CaseKind.WARN, CaseKind.PURGE)
        assert [h.number for h in await repo.search(GUILD, kind=CaseKind.WARN)] == [fresh_warning.id]
        assert (await verify(db)).ok


async def test_the_report_counts_old_warnings_and_purges_under_their_own_kinds(tmp_path: Path) -> None:
    path = tmp_path / "v10.sqlite3"
    await version_10_log(path)
    async with await Database.open(path) as db:
        rows = await report_rows(db, GUILD, None)
        assert rows.actions is not None
        assert sorted(kind for _, kind, _ in rows.actions) == ["note", "purge", "warn"]  # originals only
