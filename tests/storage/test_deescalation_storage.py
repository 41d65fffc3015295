"""De-escalation storage: scheduled actions close once, pending order, the record, ladder settings."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.runtime.scheduler import ActionStatus, NewAction
from primum.storage import Database, GuildSettingsRepository
from primum.storage.deescalation import (
    DeescalationLogRepository,
    LadderSettingsRepository,
    ScheduledActionRepository,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
GUILD, CHANNEL, USER, MOD = 10, 100, 1, 9


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "p.sqlite3")
    yield database
    await database.close()


def new(kind="slowmode", seconds=60, **extra):
    return NewAction(kind=kind, guild_id=GUILD, expires_at=NOW + timedelta(seconds=seconds), reason="heat",
                     channel_id=CHANNEL, **extra)


async def test_add_and_get_round_trip(db):
    repo = ScheduledActionRepository(db)
    stored = await repo.add(new(payload={"seconds": 30, "previous": 0}, actor_id=MOD), NOW)
    again = await repo.get(stored.id)
    assert again == stored
    assert again.status is ActionStatus.PENDING and again.payload == {"seconds": 30, "previous": 0}
    assert again.expires_at == NOW + timedelta(seconds=60) and again.expires_at.tzinfo is not None
    assert again.actor_id == MOD and again.attempts == 0


async def test_pending_is_ordered_by_time_even_with_and_without_microseconds(db):
    repo = ScheduledActionRepository(db)
    late = await repo.add(new(seconds=1), NOW)  # ...:31+00:00
    early = await repo.add(new(seconds=0.5), NOW)  # ...:30.500000+00:00 (sorts after as text)
    other = await repo.add(new(kind="cooldown", seconds=0.1, user_id=USER), NOW)
    assert [a.id for a in await repo.pending()] == [other.id, early.id, late.id]
    assert [a.id for a in await repo.pending(("slowmode",))] == [early.id, late.id]
    assert await repo.pending(()) == []


async def test_complete_happens_once(db):
    repo = ScheduledActionRepository(db)
    stored = await repo.add(new(), NOW)
    assert await repo.complete(stored.id, ActionStatus.DONE, "lifted", NOW) is True
    assert await repo.complete(stored.id, ActionStatus.DONE, "lifted", NOW) is False
    assert await repo.complete(stored.id, ActionStatus.CANCELLED, "x", NOW) is False
    done = await repo.get(stored.id)
    assert (done.status, done.outcome, done.completed_at) == (ActionStatus.DONE, "lifted", NOW)
    assert await repo.pending() == []


async def test_pending_for_filters_by_target(db):
    repo = ScheduledActionRepository(db)
    cooldown = await repo.add(new(kind="cooldown", user_id=USER), NOW)
    await repo.add(new(kind="cooldown", user_id=USER + 1), NOW)
    slowmode = await repo.add(new(), NOW)
    assert [a.id for a in await repo.pending_for(GUILD, "cooldown", user_id=USER)] == [cooldown.id]
    assert [a.id for a in await repo.pending_for(GUILD, "slowmode", channel_id=CHANNEL)] == [slowmode.id]
    assert await repo.pending_for(GUILD + 1, "slowmode") == []


async def test_attempts_are_counted(db):
    repo = ScheduledActionRepository(db)
    stored = await repo.add(new(), NOW)
    assert await repo.record_attempt(stored.id, "HTTP 503", NOW) == 1
    assert await repo.record_attempt(stored.id, "HTTP 503", NOW) == 2
    assert (await repo.get(stored.id)).status is ActionStatus.PENDING


async def test_reason_is_mandatory():
    with pytest.raises(ValueError, match="reason"):
        NewAction(kind="slowmode", guild_id=GUILD, expires_at=NOW, reason="  ")
    with pytest.raises(ValueError, match="aware"):
        NewAction(kind="slowmode", guild_id=GUILD, expires_at=NOW.replace(tzinfo=None), reason="x")


async def test_log_records_reasons(db):
    repo = DeescalationLogRepository(db)
    await repo.add(guild_id=GUILD, channel_id=CHANNEL, action="slowmode", actor_id=MOD, reason="heated thread",
                   detail={"seconds": 30}, at=NOW)
    await repo.add(guild_id=GUILD, action="heat_notice", reason="channel heat 1.7", at=NOW)
    entries = await repo.for_guild(GUILD)
    assert [(e.action, e.actor_id, e.reason) for e in entries] == [
        ("slowmode", MOD, "heated thread"), ("heat_notice", None, "channel heat 1.7")]
    assert entries[0].detail == {"seconds": 30}
    with pytest.raises(ValueError, match="reason"):
        await repo.add(guild_id=GUILD, action="cooldown", reason="", at=NOW)


async def test_ladder_settings_merge_guild_then_channel(db):
    repo = LadderSettingsRepository(GuildSettingsRepository(db))
    assert await repo.overrides(GUILD, CHANNEL) == {}
    await repo.set(GUILD, {"slowmode_seconds": 60, "notice_at": 2}, now=NOW, updated_by=MOD)
    await repo.set(GUILD, {"slowmode_seconds": 120}, now=NOW, channel_id=CHANNEL, updated_by=MOD)
    await repo.set(GUILD, {"thread_at": 5}, now=NOW)  # merges into the guild scope
    assert await repo.overrides(GUILD) == {"slowmode_seconds": 60, "notice_at": 2, "thread_at": 5}
    assert await repo.overrides(GUILD, CHANNEL) == {"slowmode_seconds": 120, "notice_at": 2, "thread_at": 5}
    assert await repo.reset(GUILD, CHANNEL) is True
    assert await repo.overrides(GUILD, CHANNEL) == {"slowmode_seconds": 60, "notice_at": 2, "thread_at": 5}
    assert await repo.reset(GUILD, CHANNEL) is False


async def test_complete_knows_it_won_while_another_read_is_open(db):
    """Many undos finish together after a restart; one coroutine's open read must not hide another's close."""
    repo = ScheduledActionRepository(db)
    actions = [await repo.add(new(seconds=10 * i + 10), NOW) for i in range(3)]
    async with db._reader.execute("SELECT id FROM scheduled_actions") as open_read:  # another coroutine's read
        await open_read.fetchone()
        assert await repo.complete(actions[0].id, ActionStatus.DONE, "lifted", NOW) is True
        assert await repo.complete(actions[0].id, ActionStatus.DONE, "lifted", NOW) is False
    assert (await repo.get(actions[0].id)).status is ActionStatus.DONE


async def test_a_new_action_comes_back_while_an_older_read_is_still_open(db):
    """Under WAL a reader with an unfinished statement keeps its old snapshot (see the cases test)."""
    repo = ScheduledActionRepository(db)
    await repo.add(new(), NOW)
    await repo.add(new(), NOW)
    cursor = await db._reader.execute("SELECT id FROM scheduled_actions")
    await cursor.fetchone()
    try:
        stored = await repo.add(new(), NOW)
    finally:
        await cursor.close()
    assert stored.id == 3 and stored.kind == "slowmode"
