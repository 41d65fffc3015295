"""The restart-safe scheduler: on time, once, across a crash, with retries and early lifts."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.runtime.clock import FakeClock, SystemClock
from primum.runtime.scheduler import ActionStatus, NewAction, RetryLater, Scheduler, Why
from primum.storage import Database
from primum.storage.deescalation import ScheduledActionRepository


class Recorder:
    """An idempotent undo handler that remembers when it ran and a done hook that counts closes."""

    def __init__(self, clock, delay_s=0.0):
        self.clock = clock
        self.delay_s = delay_s
        self.undone = Counter()
        self.done = Counter()
        self.done_at = {}
        self.fail_first = set()

    async def undo(self, action, why):
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if action.id in self.fail_first:
            self.fail_first.discard(action.id)
            raise RetryLater("HTTP 503")
        self.undone[action.id] += 1
        return "lifted" if self.undone[action.id] == 1 else "already_lifted"

    async def on_done(self, action, outcome, why, now):
        self.done[action.id] += 1
        self.done_at[action.id] = (now, outcome, why)


async def make(path, clock, recorder, **kwargs):
    db = await Database.open(path)
    scheduler = Scheduler(ScheduledActionRepository(db), clock, name="test", **kwargs)
    scheduler.register("slowmode", recorder.undo, recorder.on_done)
    return db, scheduler


def action(at, kind="slowmode", channel=1):
    return NewAction(kind=kind, guild_id=10, channel_id=channel, expires_at=at, reason="test")


async def test_the_row_is_written_before_anything_is_applied(tmp_path: Path):
    clock = FakeClock()
    recorder = Recorder(clock)
    db, scheduler = await make(tmp_path / "p.sqlite3", clock, recorder)
    try:
        stored = await scheduler.schedule(action(clock.now() + timedelta(minutes=5)))
        row = await ScheduledActionRepository(db).get(stored.id)
        assert row is not None and row.status is ActionStatus.PENDING
        with pytest.raises(KeyError, match="no undo handler"):
            await scheduler.schedule(action(clock.now(), kind="unknown"))
    finally:
        await db.close()


async def test_fake_clock_run_due(tmp_path: Path):
    clock = FakeClock()
    recorder = Recorder(clock)
    db, scheduler = await make(tmp_path / "p.sqlite3", clock, recorder)
    try:
        await scheduler.start()
        first = await scheduler.schedule(action(clock.now() + timedelta(minutes=1)))
        second = await scheduler.schedule(action(clock.now() + timedelta(minutes=10)))
        assert await scheduler.run_due() == 0
        clock.advance(minutes=1)
        assert await scheduler.run_due() == 1
        assert recorder.done == Counter({first.id: 1})
        assert [a.id for a in scheduler.armed()] == [second.id]
        await scheduler.stop()
    finally:
        await db.close()


async def test_short_real_expiries_fire_on_time(tmp_path: Path):
    clock = SystemClock()
    recorder = Recorder(clock)
    db, scheduler = await make(tmp_path / "p.sqlite3", clock, recorder)
    try:
        await scheduler.start()
        start = clock.now()
        actions = [await scheduler.schedule(action(start + timedelta(seconds=0.2 * (i + 1)))) for i in range(3)]
        await asyncio.sleep(0.8)
        for stored in actions:
            at, outcome, why = recorder.done_at[stored.id]
            assert 0 <= (at - stored.expires_at).total_seconds() < 0.15
            assert (outcome, why) == ("lifted", Why.EXPIRED)
        await scheduler.stop()
    finally:
        await db.close()


async def _until(condition, timeout_s: float = 30.0) -> None:
    """Wait for background work (not for the clock): the fake clock decides what is due."""
    for _ in range(int(timeout_s / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("background work did not finish")


async def test_kill_with_20_pending_expiries_then_restart(tmp_path: Path):
    """Crash with 20 pending expiries (one mid-undo, some past due at restart): each closes once, on time.

    The clock is a FakeClock, so the test says exactly which actions are done, running, past due and
    still ahead at each step, however slow the machine is (the real-time version is
    benchmarks/scheduler_restart.py).
    """
    path = tmp_path / "p.sqlite3"
    clock = FakeClock()
    recorder = Recorder(clock)
    stuck = asyncio.Event()  # never set: the undo that is running when the process dies
    started: list[int] = []
    real_undo = recorder.undo

    async def undo(action, why):
        started.append(action.id)
        if action.id == actions[4].id and not stuck.is_set():
            await asyncio.Event().wait()
        return await real_undo(action, why)

    db, scheduler = await make(path, clock, recorder)
    scheduler.register("slowmode", undo, recorder.on_done)
    await scheduler.start()
    start = clock.now()
    actions = [await scheduler.schedule(action(start + timedelta(seconds=10 + i), channel=i)) for i in range(20)]
    clock.advance(14.5)  # 0-3 are due and close; 4 is due and still undoing when the process dies
    scheduler.poke()
    await _until(lambda: len(recorder.done) == 4 and actions[4].id in started)
    scheduler.abandon()  # the process dies: no cleanup, no waiting
    assert set(recorder.done) == {a.id for a in actions[:4]}
    clock.advance(5)  # down for 5 s: 4 (interrupted) and 5-9 are past due at the restart
    stuck.set()
    db2, restarted = await make(path, clock, recorder)
    restarted.register("slowmode", undo, recorder.on_done)
    report = await restarted.start()
    try:
        assert (report.past_due, report.rescheduled) == (6, 10)
        await _until(lambda: len(recorder.done) == 10)
        for step in range(10):  # the re-armed ones close as their time comes, not before
            assert {a.id for a in actions[10 + step:]}.isdisjoint(recorder.done)
            clock.advance(1)
            restarted.poke()
            await _until(lambda step=step: actions[10 + step].id in recorder.done)
        await restarted.stop()
        assert set(recorder.done) == {a.id for a in actions}  # none lost
        assert all(count == 1 for count in recorder.done.values())  # none closed twice
        repo = ScheduledActionRepository(db2)
        for i, stored in enumerate(actions):
            row = await repo.get(stored.id)
            assert row.status is ActionStatus.DONE
            # closed when the clock first reached them: at the crash step, at the restart, or on time
            closed_at = 14.5 if i < 4 else 19.5 if i < 10 else 10.5 + i
            assert row.completed_at == start + timedelta(seconds=closed_at)
    finally:
        await db.close()
        await db2.close()


async def test_a_crash_in_the_middle_of_an_undo_redoes_it_idempotently(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    clock = FakeClock()
    recorder = Recorder(clock, delay_s=10)
    db, scheduler = await make(path, clock, recorder)
    await scheduler.start()
    stored = await scheduler.schedule(action(clock.now()))
    scheduler.poke()
    await asyncio.sleep(0.05)  # the undo is running (sleeping inside the handler)
    scheduler.abandon()
    recorder.delay_s = 0
    db2, restarted = await make(path, clock, recorder)
    await restarted.start()
    await restarted.drain()
    await restarted.stop()
    await db.close()
    await db2.close()
    assert recorder.done == Counter({stored.id: 1})


async def test_transient_failures_are_retried_and_the_row_kept(tmp_path: Path):
    clock = SystemClock()
    recorder = Recorder(clock)
    db, scheduler = await make(tmp_path / "p.sqlite3", clock, recorder, retry_delays_s=(0.05,))
    try:
        await scheduler.start()
        stored = await scheduler.schedule(action(clock.now() + timedelta(seconds=0.05)))
        recorder.fail_first.add(stored.id)
        await asyncio.sleep(0.4)
        row = await ScheduledActionRepository(db).get(stored.id)
        assert row.status is ActionStatus.DONE and row.attempts == 1
        assert recorder.done[stored.id] == 1
        await scheduler.stop()
    finally:
        await db.close()


async def test_gives_up_after_max_attempts(tmp_path: Path):
    clock = FakeClock()

    async def always_fails(action, why):
        raise RetryLater("HTTP 503")

    db = await Database.open(tmp_path / "p.sqlite3")
    scheduler = Scheduler(ScheduledActionRepository(db), clock, retry_delays_s=(0.0,), max_attempts=3)
    scheduler.register("slowmode", always_fails)
    try:
        await scheduler.start()
        stored = await scheduler.schedule(action(clock.now()))
        for _ in range(3):
            await scheduler.run_due()
        row = await ScheduledActionRepository(db).get(stored.id)
        assert (row.status, row.outcome, row.attempts) == (ActionStatus.FAILED, "gave_up", 3)
        await scheduler.stop()
    finally:
        await db.close()


async def test_early_fire_is_idempotent_and_wins_over_the_timer(tmp_path: Path):
    clock = FakeClock()
    recorder = Recorder(clock, delay_s=0.05)
    db, scheduler = await make(tmp_path / "p.sqlite3", clock, recorder)
    try:
        await scheduler.start()
        stored = await scheduler.schedule(action(clock.now() + timedelta(seconds=1)))
        clock.advance(1)
        results = await asyncio.gather(scheduler.fire(stored.id), scheduler.run_due(), scheduler.fire(stored.id))
        assert results[0] == "lifted" and results[2] == "lifted"
        assert await scheduler.fire(stored.id) is None
        assert recorder.undone[stored.id] == 1 and recorder.done[stored.id] == 1
        await scheduler.stop()
    finally:
        await db.close()


async def test_cancel_closes_without_undo_and_start_loads_only_its_kinds(tmp_path: Path):
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    recorder = Recorder(clock)
    db, scheduler = await make(tmp_path / "p.sqlite3", clock, recorder)
    try:
        stored = await scheduler.schedule(action(clock.now()))
        assert await scheduler.cancel(stored.id, "refused") is True
        assert await scheduler.cancel(stored.id) is False
        await ScheduledActionRepository(db).add(action(clock.now(), kind="other_feature"), clock.now())
        report = await scheduler.start()
        assert (report.past_due, report.rescheduled) == (0, 0)
        assert recorder.undone == Counter()
        await scheduler.stop()
    finally:
        await db.close()
