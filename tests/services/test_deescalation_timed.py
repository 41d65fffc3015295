"""De-escalation's timed actions with a fake Discord port: slowmodes and cooldowns, early lifts, restarts."""

from datetime import timedelta
from pathlib import Path

import pytest

from primum.runtime.clock import FakeClock
from primum.runtime.events import EventSink
from primum.runtime.scheduler import ActionStatus
from tests.services.deescalation_world import (
    ADMIN,
    ALICE,
    CHANNEL,
    GUILD,
    MOD,
    OWNER,
    FakePort,
    build,
    heated_exchange,
    running_world,
)


@pytest.fixture
async def world(tmp_path: Path):
    async with running_world(tmp_path / "p.sqlite3") as w:
        yield w


async def test_manual_slowmode_change_is_left_alone(world):
    await heated_exchange(world)
    world.port.slowmode[CHANNEL] = 120  # a moderator changed it by hand
    world.clock.advance(minutes=10)
    await world.service.scheduler.run_due()
    assert world.port.slowmode[CHANNEL] == 120
    assert world.events.of_type("slowmode_lifted")[0]["outcome"] == "manual_override"
    entries = await world.service.record.for_guild(GUILD)
    assert entries[-1].action == "slowmode_lifted" and entries[-1].detail["outcome"] == "manual_override"


async def test_refused_slowmode_cancels_the_row(world):
    world.port.refuse_slowmode = True
    await heated_exchange(world)
    rows = await world.service.actions.recent(GUILD)
    assert [(r.status, r.outcome) for r in rows] == [(ActionStatus.CANCELLED, "refused")]
    assert "slowmode" not in world.types()


@pytest.mark.parametrize(("user", "why"), [(OWNER, "they own the server"), (ADMIN, "they are an administrator")])
async def test_owner_and_admins_cannot_be_timed_out_and_it_says_so(world, user, why):
    result = await world.service.cooldown_member(GUILD, user, timedelta(minutes=5), reason="heated", actor_id=MOD)
    assert not result.ok and why in result.message
    assert world.events.of_type("cooldown_refused")[0]["why"] == why
    assert world.port.timeout_calls == []
    assert await world.service.actions.recent(GUILD) == []  # nothing timed was written


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("slowmode_channel", {"channel_id": CHANNEL, "seconds": 30, "duration": timedelta(minutes=5)}),
        ("cooldown_member", {"user_id": ALICE, "duration": timedelta(minutes=5)}),
        ("lift_channel", {"channel_id": CHANNEL}),
        ("lift_member", {"user_id": ALICE}),
    ],
)
async def test_reasons_are_mandatory(world, call, kwargs):
    result = await getattr(world.service, call)(GUILD, reason="   ", actor_id=MOD, **kwargs)
    assert not result.ok and "reason" in result.message
    assert world.port.slowmode_calls == [] and world.port.timeout_calls == []


@pytest.mark.parametrize(
    ("seconds", "duration", "ok"),
    [(0, timedelta(minutes=5), False), (21_601, timedelta(minutes=5), False), (21_600, timedelta(minutes=5), True),
     (30, timedelta(0), False)],
)
async def test_slowmode_limits(world, seconds, duration, ok):
    result = await world.service.slowmode_channel(GUILD, CHANNEL, seconds=seconds, duration=duration,
                                                  reason="heated", actor_id=MOD)
    assert result.ok is ok


async def test_cooldown_longer_than_28_days_is_refused(world):
    result = await world.service.cooldown_member(GUILD, ALICE, timedelta(days=28, seconds=1), reason="x",
                                                 actor_id=MOD)
    assert not result.ok and "28 days" in result.message


async def test_moderator_slowmode_and_early_lift_record_reasons(world):
    result = await world.service.slowmode_channel(GUILD, CHANNEL, seconds=60, duration=timedelta(minutes=30),
                                                  reason="heated debate", actor_id=MOD)
    assert result.ok and world.port.slowmode[CHANNEL] == 60
    lift = await world.service.lift_channel(GUILD, CHANNEL, reason="calmer now", actor_id=MOD)
    assert lift.ok and world.port.slowmode[CHANNEL] == 0
    lifted = world.events.of_type("slowmode_lifted")[0]
    assert (lifted["outcome"], lifted["why"], lifted["actor_id"]) == ("lifted", "early", MOD)
    entries = await world.service.record.for_guild(GUILD)
    assert [(e.action, e.actor_id, e.reason) for e in entries] == [
        ("slowmode", MOD, "heated debate"), ("slowmode_lifted", MOD, "calmer now")]
    again = await world.service.lift_channel(GUILD, CHANNEL, reason="again", actor_id=MOD)
    assert not again.ok  # nothing pending: lifting twice is harmless


async def test_second_moderator_slowmode_supersedes_and_restores_the_original(world):
    world.port.slowmode[CHANNEL] = 5  # the channel's own setting
    await world.service.slowmode_channel(GUILD, CHANNEL, seconds=60, duration=timedelta(minutes=5), reason="a",
                                         actor_id=MOD)
    await world.service.slowmode_channel(GUILD, CHANNEL, seconds=120, duration=timedelta(minutes=5), reason="b",
                                         actor_id=MOD)
    world.clock.advance(minutes=5)
    await world.service.scheduler.run_due()
    assert world.port.slowmode[CHANNEL] == 5
    outcomes = [(r.status, r.outcome) for r in await world.service.actions.recent(GUILD)]
    assert outcomes == [(ActionStatus.DONE, "lifted"), (ActionStatus.CANCELLED, "superseded")]


async def test_early_member_lift(world):
    await world.service.cooldown_member(GUILD, ALICE, timedelta(minutes=5), reason="insults", actor_id=MOD)
    result = await world.service.lift_member(GUILD, ALICE, reason="apologised", actor_id=MOD)
    assert result.ok and world.port.timeouts[ALICE] is None
    assert world.events.of_type("cooldown_lifted")[0]["outcome"] == "lifted"


async def test_rejoin_during_a_cooldown_gets_it_back(world):
    await world.service.cooldown_member(GUILD, ALICE, timedelta(minutes=5), reason="insults", actor_id=MOD)
    until = world.port.timeouts[ALICE]
    world.port.members.discard(ALICE)  # left...
    world.port.timeouts[ALICE] = None
    world.clock.advance(minutes=2)
    world.port.members.add(ALICE)  # ...and came back
    result = await world.service.on_member_join(GUILD, ALICE)
    assert result is not None and result.ok and world.port.timeouts[ALICE] == until
    assert world.events.of_type("cooldown")[-1]["reapplied"] is True
    world.clock.advance(minutes=4)
    assert await world.service.on_member_join(GUILD, ALICE) is None  # expired: nothing to re-apply


async def test_hand_extended_timeout_is_left_alone(world):
    await world.service.cooldown_member(GUILD, ALICE, timedelta(minutes=5), reason="insults", actor_id=MOD)
    world.port.timeouts[ALICE] = world.clock.now() + timedelta(hours=1)  # a moderator extended it
    world.clock.advance(minutes=5)
    await world.service.scheduler.run_due()
    assert world.events.of_type("cooldown_lifted")[0]["outcome"] == "manual_override"



async def test_restart_with_20_pending_expiries(tmp_path: Path):
    """Killed with 10 slowmodes and 10 cooldowns pending: after a restart each lifts exactly once, when due.

    The clock is a FakeClock moved by hand and expiries are awaited (``run_due``/``drain``), so the test
    does not depend on how busy the machine is; ``benchmarks/deescalation_restart.py`` measures the
    real-time lateness.
    """
    path = tmp_path / "p.sqlite3"
    clock = FakeClock()
    events = EventSink(clock=clock)
    port = FakePort(clock)
    channels, users = list(range(200, 210)), list(range(500, 510))
    port.slowmode.update(dict.fromkeys(channels, 0))
    port.members.update(users)
    first = await build(path, clock, events, port)
    start = clock.now()
    for i, channel in enumerate(channels):  # due at 10, 20, ... 100 s
        result = await first.service.slowmode_channel(GUILD, channel, seconds=30, reason="load", actor_id=MOD,
                                                      duration=timedelta(seconds=10 * i + 10))
        assert result.ok
    for i, user in enumerate(users):  # due at 15, 25, ... 105 s
        result = await first.service.cooldown_member(GUILD, user, timedelta(seconds=10 * i + 15), reason="load",
                                                     actor_id=MOD)
        assert result.ok
    first.service.scheduler.abandon()  # SIGKILL: no stop(), no close()
    await first.db.close()

    clock.advance(52)  # down for 52 s: 5 slowmodes and 4 cooldowns fall due meanwhile
    second = await build(path, clock, events, port)
    try:
        await second.service.scheduler.drain()  # start() undid the past-due ones at once
        at_start = _lifts(events)
        assert len(at_start) == 9
        assert all(e["t"] == clock.now().isoformat() for e in at_start)  # when the bot came back, not later
        armed = second.service.scheduler.armed()
        assert len(armed) == 11 and all(action.expires_at > clock.now() for action in armed)
        for action in armed:  # the rest: nothing before its time, exactly it at its time
            clock.advance((action.expires_at - clock.now()).total_seconds() - 0.5)
            assert await second.service.scheduler.run_due() == 0
            clock.advance(0.5)
            before = len(_lifts(events))
            assert await second.service.scheduler.run_due() >= 1
            await second.service.scheduler.drain()
            lifted = _lifts(events)[before:]
            assert [e["action_id"] for e in lifted] == [action.id] and lifted[0]["late_s"] == 0.0
        lifts = _lifts(events)
        assert len(lifts) == 20 and len({e["action_id"] for e in lifts}) == 20  # none lost, none twice
        assert clock.now() == start + timedelta(seconds=105)
        assert all(port.slowmode[c] == 0 for c in channels)
        assert {e["outcome"] for e in events.of_type("slowmode_lifted")} == {"lifted"}
        assert {e["outcome"] for e in events.of_type("cooldown_lifted")} == {"expired"}
        assert all([c for c, _ in port.slowmode_calls].count(c) == 2 for c in channels)  # set once, lifted once
        rows = await second.service.actions.recent(GUILD, limit=50)
        assert len(rows) == 20 and {row.status for row in rows} == {ActionStatus.DONE}
    finally:
        await second.service.stop()
        await second.db.close()
    third = await build(path, clock, events, port)  # and once more: nothing is left to lift
    await third.service.scheduler.drain()
    assert third.service.scheduler.armed() == [] and len(_lifts(events)) == 20
    await third.service.stop()
    await third.db.close()


def _lifts(events: EventSink) -> list[dict]:
    """Every lift so far, in the order they happened."""
    return [e for e in events.events if e["type"] in {"slowmode_lifted", "cooldown_lifted"}]
