"""Case storage: append-only enforced by SQLite itself, amendment chains, appeals, confirmations."""

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.domain.appeals import AppealStatus
from primum.domain.cases import CaseKind, CaseStatus
from primum.domain.conflict import Interaction
from primum.domain.removals import ConfirmationStatus
from primum.storage import Database
from primum.storage.appeals import AppealRepository
from primum.storage.cases import AlreadyAmended, AppendOnlyError, CaseRepository, NewCase
from primum.storage.confirmations import ConfirmationRepository
from primum.storage.interactions import InteractionRepository
from primum.storage.report_rows import report_guilds, report_rows
from primum.storage.standing import active_cooldowns, member_nudges
from primum.storage.tables import table_columns

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GUILD, MOD, MEMBER = 10, 1, 2
AMEND_SQL = ("INSERT INTO cases (guild_id, kind, reason, amends_id, root_id, created_at) "
             "VALUES (?, 'hide', 'abc', ?, ?, ?)")


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "cases.sqlite3")
    yield database
    await database.close()


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


async def test_appeals_once_per_case_decided_once_and_reminded_once(db):
    cases, appeals = CaseRepository(db), AppealRepository(db)
    case = await cases.add(new(), NOW)
    appeal = await appeals.add(guild_id=GUILD, case_id=case.id, appellant_id=MEMBER, statement="please",
                               reviewer_id=5, now=NOW, remind_at=NOW + timedelta(hours=72))
    assert appeal is not None and appeal.status is AppealStatus.OPEN
    assert await appeals.add(guild_id=GUILD, case_id=case.id, appellant_id=MEMBER, statement="again",
                             reviewer_id=5, now=NOW, remind_at=NOW) is None
    assert await appeals.open_load(GUILD) == {5: 1}
    assert await appeals.due_reminders(NOW + timedelta(hours=71)) == []
    later = NOW + timedelta(hours=73)
    assert [a.id for a in await appeals.due_reminders(later)] == [appeal.id]
    assert await appeals.mark_reminded(appeal.id, later)
    assert not await appeals.mark_reminded(appeal.id, later + timedelta(seconds=1))
    assert await appeals.due_reminders(later) == []
    assert await appeals.decide(appeal.id, status=AppealStatus.OVERTURNED, decided_by=5, reason="ok", now=later)
    assert not await appeals.decide(appeal.id, status=AppealStatus.UPHELD, decided_by=6, reason="no", now=later)
    decided = await appeals.get(appeal.id)
    assert decided is not None and decided.status is AppealStatus.OVERTURNED and decided.decided_by == 5
    assert await appeals.open_load(GUILD) == {}
    assert [a.id for a in await appeals.for_member(GUILD, MEMBER)] == [appeal.id]


async def test_confirmations_close_once_and_expire(db):
    repo = ConfirmationRepository(db)
    pending = await repo.add(guild_id=GUILD, kind=CaseKind.BAN, target_id=MEMBER, requester_id=MOD,
                             reason="harassment", evidence_url=None, details={}, conflict=False, now=NOW,
                             expires_at=NOW + timedelta(hours=24))
    assert pending.status is ConfirmationStatus.PENDING
    assert [c.id for c in await repo.pending_for(GUILD, MEMBER)] == [pending.id]
    assert await repo.expired(NOW) == []
    assert await repo.close(pending.id, ConfirmationStatus.CONFIRMED, decided_by=7, now=NOW)
    assert not await repo.close(pending.id, ConfirmationStatus.DECLINED, decided_by=8, now=NOW)
    other = await repo.add(guild_id=GUILD, kind=CaseKind.KICK, target_id=MEMBER, requester_id=MOD,
                           reason="harassment", evidence_url=None, details={}, conflict=False, now=NOW,
                           expires_at=NOW + timedelta(hours=1))
    assert [c.id for c in await repo.expired(NOW + timedelta(hours=2))] == [other.id]


async def test_interactions_between_and_prune(db):
    repo = InteractionRepository(db)
    await repo.add_many(GUILD, [Interaction(5, MOD, MEMBER, NOW - timedelta(hours=2)),
                                Interaction(5, MEMBER, MOD, NOW - timedelta(minutes=1)),
                                Interaction(5, MOD, 9, NOW)])
    found = await repo.between(GUILD, MOD, MEMBER, NOW - timedelta(hours=1))
    assert found == [Interaction(5, MEMBER, MOD, NOW - timedelta(minutes=1))]
    await repo.prune(NOW - timedelta(hours=1))
    assert len(await repo.between(GUILD, MOD, MEMBER, NOW - timedelta(days=1))) == 1


async def test_other_features_tables_are_read_defensively(tmp_path):
    # A database migrated only to 0001: no be-kind, no de-escalation, no cases.
    from primum.storage.database import discover_migrations

    database = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    try:
        await database.migrate(discover_migrations()[:1])
        assert await table_columns(database, "kindness_nudges") == set()
        assert await member_nudges(database, GUILD, MEMBER) == []
        assert await active_cooldowns(database, GUILD, MEMBER, NOW) == []
        rows = await report_rows(database, None, None)
        assert rows.nudges is None and rows.heat is None and rows.actions is None and rows.appeals is None
        assert await report_guilds(database) == []
    finally:
        await database.close()


async def test_nudges_and_cooldowns_when_present(db):
    await db.execute(
        "INSERT INTO kindness_nudges (guild_id, channel_id, message_id, author_id, category, score, threshold, "
        "model_version, created_at, deadline, outcome) VALUES (?, 5, 77, ?, 'insult', 0.9, 0.7, 'v1', ?, ?, 'revised')",
        (GUILD, MEMBER, NOW.isoformat(), NOW.isoformat()),
    )
    await db.execute(
        "INSERT INTO scheduled_actions (kind, guild_id, channel_id, user_id, reason, created_at, expires_at) "
        "VALUES ('cooldown', ?, 5, ?, 'heated', ?, ?)",
        (GUILD, MEMBER, NOW.isoformat(), (NOW + timedelta(minutes=10)).isoformat()),
    )
    nudges = await member_nudges(db, GUILD, MEMBER)
    assert [(n.category, n.outcome) for n in nudges] == [("insult", "revised")]
    cooldowns = await active_cooldowns(db, GUILD, MEMBER, NOW)
    assert [c.expires_at for c in cooldowns] == [NOW + timedelta(minutes=10)]
    assert await active_cooldowns(db, GUILD, MEMBER, NOW + timedelta(minutes=11)) == []
    rows = await report_rows(db, GUILD, NOW - timedelta(days=1))
    assert rows.nudges == [(NOW, "revised")] and rows.actions == [] and rows.heat == []
    assert await report_guilds(db) == [GUILD]


async def test_append_only_error_wraps_integrity_errors(db):
    repo = CaseRepository(db)
    with pytest.raises(AppendOnlyError):
        await repo.add(new(reason="x"), NOW)
