"""A de-escalation service against a fake Discord port, a temp database and a fake clock.

Shared by the de-escalation service tests (``test_deescalation_*.py``, ``test_heat_view.py``).
"""

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

from primum.domain.scored import ScoredMessage
from primum.runtime.clock import FakeClock
from primum.runtime.events import EventSink
from primum.services.deescalation import DeescalationService
from primum.services.deescalation_port import ActionRefused, TargetGone
from primum.storage import Database, GuildSettingsRepository

GUILD, CHANNEL, OTHER_CHANNEL = 10, 100, 101
ALICE, BOB, OWNER, ADMIN, MOD = 1, 2, 3, 4, 9


class FakePort:
    """Discord as a dict: slowmode per channel, timeouts per member, posts and alerts as lists."""

    def __init__(self, clock):
        self.clock = clock
        self.slowmode = {CHANNEL: 0, OTHER_CHANNEL: 0}
        self.timeouts: dict[int, datetime | None] = {}
        self.members = {ALICE, BOB, OWNER, ADMIN, MOD}
        self.posts: list[tuple[int, str]] = []
        self.alerts: list[str] = []
        self.slowmode_calls: list[tuple[int, int]] = []
        self.timeout_calls: list[tuple[int, datetime | None]] = []
        self.refuse_slowmode = False
        self._next_id = 1000

    async def post(self, guild_id, channel_id, text):
        self._next_id += 1
        self.posts.append((channel_id, text))
        return self._next_id

    async def current_slowmode(self, guild_id, channel_id):
        return self.slowmode.get(channel_id)

    async def set_slowmode(self, guild_id, channel_id, seconds, reason):
        if self.refuse_slowmode:
            raise ActionRefused("missing Manage Channels")
        self.slowmode_calls.append((channel_id, seconds))
        self.slowmode[channel_id] = seconds

    async def timeout_refusal(self, guild_id, user_id):
        return {OWNER: "they own the server", ADMIN: "they are an administrator"}.get(user_id)

    async def timeout_member(self, guild_id, user_id, until, reason):
        if user_id not in self.members:
            raise TargetGone("not a member")
        self.timeout_calls.append((user_id, until))
        self.timeouts[user_id] = until

    async def timed_out_until(self, guild_id, user_id):
        if user_id not in self.members:
            raise TargetGone("not a member")
        until = self.timeouts.get(user_id)
        return until if until is not None and until > self.clock.now() else None

    async def alert_moderators(self, guild_id, channel_id, text):
        self.alerts.append(text)
        return True


class World:
    def __init__(self, service, port, events, clock, db):
        self.service, self.port, self.events, self.clock, self.db = service, port, events, clock, db
        self.next_message = 1

    def types(self):
        return [e["type"] for e in self.events.events]

    async def say(self, author, score=0.01, *, to=None, nudges=0, channel=CHANNEL, category="insult", seen=None,
                  counterspeech=False, cut_off=0.7):
        """One scored message; be-kind's verdict follows the score (flagged at ``cut_off``)."""
        self.next_message += 1
        scored = ScoredMessage(GUILD, channel, self.next_message, author, self.clock.now(), to, (), score,
                               {category: score}, score >= cut_off, nudges, flagged=score >= cut_off,
                               threshold=cut_off, nudge_seen_at=seen, counterspeech=counterspeech)
        return await self.service.on_scored(scored)


async def build(path: Path, clock, events=None, port=None):
    db = await Database.open(path)
    events = events or EventSink(clock=clock)
    port = port or FakePort(clock)
    service = DeescalationService(db=db, guild_settings=GuildSettingsRepository(db), events=events, clock=clock,
                                  port=port)
    await service.start()
    return World(service, port, events, clock, db)


@contextlib.asynccontextmanager
async def running_world(path: Path, clock=None) -> AsyncIterator[World]:
    """A started service on a fresh database; stopped and closed afterwards."""
    w = await build(path, clock or FakeClock())
    try:
        yield w
    finally:
        await w.service.stop()
        await w.db.close()


async def heated_exchange(world, turns=4, spacing_s=20):
    """Alice and Bob insult each other by reply, alternating."""
    for i in range(turns):
        author, other = (ALICE, BOB) if i % 2 == 0 else (BOB, ALICE)
        await world.say(author, 0.82, to=other)
        world.clock.advance(spacing_s)



async def keeps_going_after_the_grace_period(world, member=ALICE):
    """Bob and the member trade insults; the member's nudge reached them; 6 minutes later they go on."""
    seen = world.clock.now()
    await world.say(BOB, 0.86, to=member)
    await world.say(member, 0.86, to=BOB, seen=seen)
    await world.say(BOB, 0.86, to=member)
    world.clock.advance(minutes=6)
    for _ in range(2):
        await world.say(member, 0.86, to=BOB, seen=seen)
        world.clock.advance(30)

