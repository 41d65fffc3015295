"""Real-time restart check for the scheduler: 20 pending expiries, a crash mid-undo, a restart.

Prints how late each action closed on the wall clock (the unit test drives the same story on a
FakeClock, so it never depends on machine load). Usage: ``python benchmarks/scheduler_restart.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from primum.runtime.clock import SystemClock
from primum.runtime.scheduler import NewAction, Scheduler
from primum.storage import Database
from primum.storage.deescalation import ScheduledActionRepository


async def main() -> None:
    clock = SystemClock()
    done: Counter[int] = Counter()

    async def undo(action: Any, why: Any) -> str:
        await asyncio.sleep(0.05)
        return "lifted"

    async def on_done(action: Any, outcome: str, why: Any, now: Any) -> None:
        done[action.id] += 1

    async def make(path: Path) -> tuple[Database, Scheduler]:
        db = await Database.open(path)
        scheduler = Scheduler(ScheduledActionRepository(db), clock, name="bench")
        scheduler.register("slowmode", undo, on_done)
        return db, scheduler

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.sqlite3"
        db, scheduler = await make(path)
        await scheduler.start()
        start = clock.now()
        actions = [await scheduler.schedule(NewAction(kind="slowmode", guild_id=10, channel_id=i,
                                                      expires_at=start + timedelta(seconds=0.3 + 0.1 * i),
                                                      reason="bench")) for i in range(20)]
        await asyncio.sleep(0.62)
        scheduler.abandon()
        await asyncio.sleep(0.3)
        db2, restarted = await make(path)
        restart_at = clock.now()
        report = await restarted.start()
        await asyncio.sleep(2.5)
        await restarted.stop()
        repo = ScheduledActionRepository(db2)
        late_rearmed: list[float] = []
        late_past_due: list[float] = []
        for stored in actions:
            row = await repo.get(stored.id)
            if row is None or row.completed_at is None:
                print(f"action {stored.id}: {row.status if row else 'missing'} after 2.5 s")
                continue
            lateness = (row.completed_at - stored.expires_at).total_seconds()
            (late_rearmed if stored.expires_at > restart_at else late_past_due).append(lateness)
        await db.close()
        await db2.close()
    print(f"restart: {report.past_due} past due, {report.rescheduled} re-armed")
    # a done hook whose row was committed as the process died does not run again (at most once)
    print(f"done hooks run: {len(done)} of 20, twice: {sum(1 for n in done.values() if n > 1)}")
    for name, values in (("re-armed", late_rearmed), ("past due", late_past_due)):
        if values:
            print(f"{name}: lateness median {statistics.median(values) * 1000:.0f} ms, "
                  f"max {max(values) * 1000:.0f} ms (n={len(values)})")


if __name__ == "__main__":
    asyncio.run(main())
