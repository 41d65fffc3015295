"""The case log's hash chain (issue 16): sealed on write and after migrating, checked by verify.

Tampering is done the way someone with the file would do it: a plain sqlite3 connection, the
append-only triggers dropped first.
"""

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.domain.appeals import AppealStatus
from primum.domain.cases import CaseKind, CaseStatus
from primum.storage import Database, discover_migrations
from primum.storage.appeals import AppealRepository
from primum.storage.case_chain import seal, verify
from primum.storage.cases import CaseRepository, NewCase

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GUILD, MOD, MEMBER = 10, 1, 2


def new(kind=CaseKind.HIDE, reason="insulting a colleague"):
    return NewCase(guild_id=GUILD, kind=kind, target_id=MEMBER, actor_id=MOD, reason=reason)


async def three_cases(path: Path) -> None:
    async with await Database.open(path) as db:
        repo = CaseRepository(db)
        first = await repo.add(new(), NOW)
        await repo.amend(first.id, actor_id=7, reason="a clearer reason", now=NOW + timedelta(minutes=1))
        await repo.add(new(CaseKind.NOTE, "keeps derailing threads"), NOW + timedelta(minutes=2))


def tamper(path: Path, *sql: str) -> None:
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER cases_no_update")
    raw.execute("DROP TRIGGER cases_no_delete")
    for statement in sql:
        raw.execute(statement)
    raw.commit()
    raw.close()


async def report(path: Path):
    async with await Database.open(path) as db:
        return await verify(db)


async def test_rows_written_by_primum_verify(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    await three_cases(path)
    result = await report(path)
    assert result.ok and result.rows == 3 and len(result.head) == 64


@pytest.mark.parametrize(("sql", "named"), [
    ("UPDATE cases SET reason = 'nothing happened' WHERE id = 2", "case row 2 (case #1) was changed"),
    ("UPDATE cases SET status = 'overturned' WHERE id = 3", "case row 3 (case #3) was changed"),
    ("UPDATE cases SET target_id = 99 WHERE id = 1", "case row 1 (case #1) was changed"),
    ("DELETE FROM cases WHERE id = 2", "case row(s) 2 deleted"),
    ("DELETE FROM cases WHERE id = 3", "case row(s) 3-3 deleted"),
])
async def test_edits_and_deletions_outside_primum_are_named(tmp_path: Path, sql: str, named: str) -> None:
    path = tmp_path / "p.sqlite3"
    await three_cases(path)
    tamper(path, sql)
    result = await report(path)
    assert not result.ok
    assert any(named in problem for problem in result.problems), result.problems


async def test_a_row_inserted_outside_primum_is_named(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    await three_cases(path)
    tamper(path, "INSERT INTO cases (guild_id, kind, reason, created_at) VALUES (10, 'note', 'planted', 'x')")
    result = await report(path)
    assert any("case row 4 (case #4) has no hash" in problem for problem in result.problems)


async def test_the_seal_is_the_only_update_and_happens_once(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    await three_cases(path)
    async with await Database.open(path) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await db.execute("UPDATE cases SET row_hash = 'x', prev_hash = 'y' WHERE id = 1")


async def test_migration_keeps_rows_and_links_and_seals_them_in_order(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    steps = discover_migrations()
    db = await Database.open(path, migrate=False)
    assert await db.migrate(steps[:5]) == 5
    for minute, reason in enumerate(("insulting a colleague", "a clearer reason", "third one")):
        await db.execute(
            "INSERT INTO cases (guild_id, kind, target_id, actor_id, reason, amends_id, root_id, status, created_at) "
            "VALUES (?, 'hide', ?, ?, ?, ?, ?, ?, ?)",
            (GUILD, MEMBER, MOD, reason, 1 if minute == 1 else None, 1 if minute == 1 else None,
             "amended" if minute == 1 else "active", (NOW + timedelta(minutes=minute)).isoformat()),
        )
    await db.execute("INSERT INTO case_appeals (guild_id, case_id, appellant_id, statement, created_at, remind_at) "
                     "VALUES (?, 1, ?, 'please look again', ?, ?)", (GUILD, MEMBER, NOW.isoformat(), NOW.isoformat()))
    assert await db.migrate() == len(steps)
    assert await seal(db) == 3
    assert await seal(db) == 0
    assert (await verify(db)).ok
    assert await db.fetch_all("PRAGMA foreign_key_check") == []
    history = await CaseRepository(db).history(1)
    assert history is not None and [r.reason for r in history.rows] == ["insulting a colleague", "a clearer reason"]
    appeal = await AppealRepository(db).for_case(1)
    assert appeal is not None and appeal.statement == "please look again"
    newer = await CaseRepository(db).add(new(CaseKind.FORGET, "privacy: the member asked"), NOW)
    assert newer.id == 4 and (await verify(db)).ok
    await db.close()


async def test_one_open_appeal_per_case_but_a_new_one_after_the_decision(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "p.sqlite3") as db:
        case = await CaseRepository(db).add(new(), NOW)
        appeals = AppealRepository(db)
        first = await appeals.add(guild_id=GUILD, case_id=case.id, appellant_id=MEMBER, statement="please",
                                  reviewer_id=5, now=NOW, remind_at=NOW)
        assert first is not None
        assert await appeals.add(guild_id=GUILD, case_id=case.id, appellant_id=MEMBER, statement="again",
                                 reviewer_id=5, now=NOW, remind_at=NOW) is None
        assert await appeals.decide(first.id, status=AppealStatus.UPHELD, decided_by=5, reason="fair", now=NOW)
        second = await appeals.add(guild_id=GUILD, case_id=case.id, appellant_id=MEMBER, statement="amended now",
                                   reviewer_id=6, now=NOW, remind_at=NOW)
        assert second is not None and (await appeals.for_case(case.id)) == second


async def test_statements_expire_after_the_decision_and_can_be_forgotten(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "p.sqlite3") as db:
        cases = CaseRepository(db)
        appeals = AppealRepository(db)
        decided = await appeals.add(guild_id=GUILD, case_id=(await cases.add(new(), NOW)).id, appellant_id=MEMBER,
                                    statement="my words", reviewer_id=5, now=NOW, remind_at=NOW)
        still_open = await appeals.add(guild_id=GUILD, case_id=(await cases.add(new(), NOW)).id,
                                       appellant_id=MEMBER, statement="open words", reviewer_id=5, now=NOW,
                                       remind_at=NOW)
        assert decided is not None and still_open is not None
        await appeals.decide(decided.id, status=AppealStatus.UPHELD, decided_by=5, reason="fair", now=NOW)
        assert await appeals.expire_statements(NOW) == 0  # not yet past the retention
        assert await appeals.expire_statements(NOW + timedelta(seconds=1)) == 1
        assert "my words" not in (await appeals.get(decided.id)).statement  # type: ignore[union-attr]
        assert (await appeals.get(still_open.id)).statement == "open words"  # type: ignore[union-attr]
        assert await appeals.forget_statements(GUILD, MEMBER) == 1
        assert "open words" not in (await appeals.get(still_open.id)).statement  # type: ignore[union-attr]
        assert [c.current.status for c in await cases.search(GUILD)] == [CaseStatus.ACTIVE] * 2  # cases untouched
