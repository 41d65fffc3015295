"""Load test for be-kind through the local Discord: N messages/s over 20 channels for a while.

    python benchmarks/load_be_kind.py --duration 120 --rate 50            # the real model
    python benchmarks/load_be_kind.py --duration 5 --rate 20 --backend fake

Prints: messages sent and scored (none may be left unscored), nudges delivered, p50/p95/p99/max
time from a member's message to the nudge DM being accepted by Discord, the worst event-loop
stall (must stay under 250 ms) and whether discord.py ever warned that the heartbeat was late.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from primum.app import PrimumBot, make_scorer  # noqa: E402
from primum.localdiscord import LocalDiscord, seed_physician_server  # noqa: E402
from primum.localdiscord.client import fast_client_kwargs, point_discord_py_at, start_client, stop_client  # noqa: E402
from primum.runtime.events import EventSink  # noqa: E402
from primum.settings import ModelSettings, Settings  # noqa: E402
from primum.storage import Database  # noqa: E402

KIND = [
    "Start metoprolol 25 mg BID and titrate to heart rate.",
    "I disagree; the trial excluded patients over 75, so I'd be careful generalising.",
    "Has anyone used tenecteplase for submassive PE? Curious about bleeding rates.",
    "Thanks for the case, the ECG is a great teaching example.",
    "CKD stage 3b: I hold metformin below eGFR 30, reduce below 45.",
]
#: Unkind lines both the shipped model and the keyword fake flag, so every one should be nudged.
UNKIND = [
    "Did they even teach you pharmacology at your school, or did you skip it?",
    "Only an idiot would order that.",
    "Oh sweetie, bless your heart, leave the ECGs to the grown-ups.",
    "You're a moron if you think that dose is safe.",
]


class _Late(logging.Handler):
    """Counts discord.py's own warnings that the gateway heartbeat was late or blocked."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "heartbeat" in message.lower() or "behind" in message.lower():
            self.records.append(message)


@dataclass
class LoadResult:
    """The numbers a load run produces."""

    sent: int = 0
    scored: int = 0
    expected_nudges: int = 0  # messages drawn from UNKIND
    decided: int = 0  # of those, how many the scorer put over the nudge threshold
    nudges: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    max_stall_ms: float = 0.0
    stalls_ms: list[float] = field(default_factory=list)
    heartbeat_warnings: list[str] = field(default_factory=list)
    scorer: str = ""

    def percentile(self, p: float) -> float:
        """The p-th percentile of message-to-nudge latency (ms)."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def _stall(self, p: float) -> float:
        if not self.stalls_ms:
            return float("nan")
        ordered = sorted(self.stalls_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def report(self) -> str:
        """Human-readable summary."""
        return (
            f"scorer {self.scorer}: sent {self.sent}, scored {self.scored}, unscored {self.sent - self.scored}\n"
            f"unkind lines sent {self.expected_nudges}, over the nudge threshold {self.decided}, "
            f"nudges delivered {self.nudges}/{self.decided}; message→nudge ms: "
            f"p50 {self.percentile(50):.1f}  p95 {self.percentile(95):.1f}  p99 {self.percentile(99):.1f}  "
            f"max {max(self.latencies_ms, default=float('nan')):.1f}"
            f"{f'  mean {statistics.fmean(self.latencies_ms):.1f}' if self.latencies_ms else ''}\n"
            f"event-loop lateness ms: p99 {self._stall(99):.1f}  p99.9 {self._stall(99.9):.1f}  "
            f"worst {self.max_stall_ms:.1f}  (ticks over 250 ms: {sum(s > 250 for s in self.stalls_ms)} "
            f"of {len(self.stalls_ms)}); late-heartbeat warnings: {len(self.heartbeat_warnings)}"
        )


async def _watch_loop(result: LoadResult, stop: asyncio.Event, tick_s: float = 0.01) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(tick_s)
        late_ms = (loop.time() - before - tick_s) * 1000
        result.stalls_ms.append(late_ms)
        result.max_stall_ms = max(result.max_stall_ms, late_ms)


async def run_load(
    *, duration_s: float, rate: float, channels: int = 20, backend: str = "default", unkind_share: float = 0.1,
    scorer: Any | None = None, db_path: Path | None = None, settle_s: float = 30.0,
) -> LoadResult:
    """Drive ``rate`` messages/s for ``duration_s`` through the local Discord and measure."""
    result = LoadResult()
    late = _Late()
    logging.getLogger("discord").addHandler(late)
    tmp = tempfile.TemporaryDirectory() if db_path is None else None
    path = db_path or Path(tmp.name) / "load.sqlite3"  # type: ignore[union-attr]
    rng = random.Random(4)
    try:
        async with LocalDiscord(heartbeat_interval_ms=1000, validate=False) as server:
            world = seed_physician_server(server)
            channel_ids = [server.create_channel(f"load-{i}").id for i in range(channels)]
            authors = world.physician_ids
            db = await Database.open(path)
            settings = Settings(database_path=path, sync_commands="off",
                                model=ModelSettings(backend=backend))
            the_scorer = scorer or make_scorer(settings)
            events = EventSink()
            sent_at: dict[int, float] = {}
            delivered: dict[int, float] = {}

            decided: set[int] = set()

            def on_event(event: dict[str, Any]) -> None:
                if event["type"] == "nudge" and event.get("message_id") in sent_at:
                    decided.add(event["message_id"])
                if event["type"] == "nudge_delivery" and event.get("message_id") in sent_at:
                    delivered[event["message_id"]] = time.perf_counter()

            events.subscribe(on_event)
            bot = PrimumBot(settings=settings, db=db, scorer=the_scorer, events=events,
                            extensions=["cogs.be_kind"], **fast_client_kwargs())
            with point_discord_py_at(server):
                task = await start_client(bot, server, timeout=60)
                try:
                    result.scorer = the_scorer.version
                    for _ in range(1200):
                        if the_scorer.state.value != "loading":
                            break
                        await asyncio.sleep(0.1)
                    if the_scorer.state.value != "ready":
                        raise RuntimeError(f"scorer is {the_scorer.state}; cannot run the load test")
                    cog: Any = bot.get_cog("BeKind")
                    # every unkind message may be nudged: the per-author window would hide the latency
                    await cog.service.policies.set_window(world.guild_id, "nudge", timedelta(0),
                                                          actor_id=world.owner_id)
                    stop = asyncio.Event()
                    watcher = asyncio.create_task(_watch_loop(result, stop))
                    start = time.perf_counter()
                    total = int(duration_s * rate)
                    for index in range(total):
                        target = start + index / rate
                        delay = target - time.perf_counter()
                        if delay > 0:
                            await asyncio.sleep(delay)
                        unkind = rng.random() < unkind_share
                        text = rng.choice(UNKIND if unkind else KIND)
                        msg = server.user_says(authors[index % len(authors)], channel_ids[index % channels],
                                               f"{text} (#{index})", force=True)
                        result.sent += 1
                        if unkind:
                            result.expected_nudges += 1
                            sent_at[msg.id] = time.perf_counter()
                    deadline = time.perf_counter() + settle_s
                    while time.perf_counter() < deadline and (  # noqa: ASYNC110 (polling two counters)
                        cog.service.scored_count < result.sent or len(delivered) < len(decided)
                    ):
                        await asyncio.sleep(0.05)
                    stop.set()
                    await watcher
                    result.scored = cog.service.scored_count
                    result.nudges = len(delivered)
                    result.decided = len(decided)
                    result.latencies_ms = [(delivered[m] - sent_at[m]) * 1000 for m in delivered]
                finally:
                    await stop_client(bot, task)
                    await db.close()
    finally:
        logging.getLogger("discord").removeHandler(late)
        result.heartbeat_warnings = late.records
        if tmp is not None:
            tmp.cleanup()
    return result


def main(argv: list[str] | None = None) -> int:
    """Parse flags, run, print the numbers; exit 1 when a requirement is missed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load (default 120)")
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second (default 50)")
    parser.add_argument("--channels", type=int, default=20, help="channels to spread over (default 20)")
    parser.add_argument("--backend", default="default", choices=["default", "fake", "hf"],
                        help="scorer backend (default: the shipped model)")
    parser.add_argument("--unkind-share", type=float, default=0.1, help="share of unkind messages (default 0.1)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(run_load(duration_s=args.duration, rate=args.rate, channels=args.channels,
                                  backend=args.backend, unkind_share=args.unkind_share))
    print(result.report())
    ok = (result.scored == result.sent and result.nudges == result.decided and result.max_stall_ms < 250
          and not result.heartbeat_warnings)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
