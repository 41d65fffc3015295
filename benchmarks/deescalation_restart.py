"""How late timed de-escalation actions lift after a crash, on the real clock.

``python benchmarks/deescalation_restart.py [--json]`` schedules 10 slowmodes and 10 cooldowns
(due 1-2 s later) through the de-escalation service against an in-memory Discord, drops the
scheduler as SIGKILL would, waits 1.2 s (some fall due while "down"), starts a new service on the
same database and waits for every lift. It prints how many lifted, whether any lifted twice, and
the lateness (seconds past the expiry) of the ones that fell due while down and of the re-armed
ones. Target: every lift within 2 s of its expiry, each exactly once. The tests check the same
restart deterministically with a FakeClock (tests/services/test_deescalation_timed.py).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from primum.runtime.clock import SystemClock, from_iso
from primum.runtime.events import EventSink
from primum.services.deescalation import DeescalationService
from primum.storage import Database, GuildSettingsRepository

GUILD, MOD = 10, 9
CHANNELS = list(range(200, 210))
USERS = list(range(500, 510))
TARGET_S = 2.0


class MemoryDiscord:
    """Slowmode per channel and timeouts per member, in dicts (no network: only the scheduler is timed)."""

    def __init__(self) -> None:
        self.slowmode = dict.fromkeys(CHANNELS, 0)
        self.timeouts: dict[int, datetime | None] = {}

    async def post(self, guild_id: int, channel_id: int, text: str) -> int | None:
        return None

    async def current_slowmode(self, guild_id: int, channel_id: int) -> int | None:
        return self.slowmode.get(channel_id)

    async def set_slowmode(self, guild_id: int, channel_id: int, seconds: int, reason: str) -> None:
        self.slowmode[channel_id] = seconds

    async def timeout_refusal(self, guild_id: int, user_id: int) -> str | None:
        return None

    async def timeout_member(self, guild_id: int, user_id: int, until: datetime | None, reason: str) -> None:
        self.timeouts[user_id] = until

    async def timed_out_until(self, guild_id: int, user_id: int) -> datetime | None:
        return self.timeouts.get(user_id)

    async def alert_moderators(self, guild_id: int, channel_id: int | None, text: str) -> bool:
        return True


async def _service(path: Path, clock: SystemClock, events: EventSink, port: MemoryDiscord
                   ) -> tuple[Database, DeescalationService]:
    db = await Database.open(path)
    service = DeescalationService(db=db, guild_settings=GuildSettingsRepository(db), events=events, clock=clock,
                                  port=port)
    await service.start()
    return db, service


async def _run() -> dict[str, object]:
    clock = SystemClock()
    events = EventSink(clock=clock)
    port = MemoryDiscord()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        first_db, first = await _service(path, clock, events, port)
        for i, channel in enumerate(CHANNELS):
            await first.slowmode_channel(GUILD, channel, seconds=30, duration=timedelta(seconds=1 + 0.1 * i),
                                         reason="benchmark", actor_id=MOD)
        for i, user in enumerate(USERS):
            await first.cooldown_member(GUILD, user, timedelta(seconds=1.05 + 0.1 * i), reason="benchmark",
                                        actor_id=MOD)
        first.scheduler.abandon()  # SIGKILL: no stop()
        await first_db.close()
        await asyncio.sleep(1.2)
        restart_at = clock.now()
        db, second = await _service(path, clock, events, port)
        for _ in range(100):
            if len(_lifts(events)) >= len(CHANNELS) + len(USERS):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # anything lifted twice would show up now
        await second.stop()
        await db.close()
    lifts = _lifts(events)
    down = [float(e["late_s"]) for e in lifts if from_iso(str(e["expires_at"])) <= restart_at]
    armed = [float(e["late_s"]) for e in lifts if from_iso(str(e["expires_at"])) > restart_at]
    every = down + armed
    return {
        "lifted": len(lifts),
        "expected": len(CHANNELS) + len(USERS),
        "lifted_twice": len(lifts) - len({e["action_id"] for e in lifts}),
        "fell_due_while_down": len(down),
        "late_s_while_down_max": round(max(down, default=0.0), 3),
        "rearmed": len(armed),
        "late_s_rearmed_median": round(statistics.median(armed), 3) if armed else None,
        "late_s_rearmed_max": round(max(armed, default=0.0), 3),
        "target_s": TARGET_S,
        "ok": len(lifts) == len(CHANNELS) + len(USERS) and all(late < TARGET_S for late in every),
    }


def _lifts(events: EventSink) -> list[dict[str, object]]:
    return [e for e in events.events if e["type"] in {"slowmode_lifted", "cooldown_lifted"}]


def main() -> int:
    """Run once and print the numbers (``--json`` for one JSON object)."""
    result = asyncio.run(_run())
    if "--json" in sys.argv[1:]:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
