"""De-escalation end to end: real discord.py against the local Discord, be-kind's FakeScorer, real time.

Covers the ladder from real messages (notice -> slowmode -> it lifts itself), mandatory reasons,
a moderator's manual slowmode change, rejoining during a cooldown, /heat with its chart, the
owner/admin refusal, and a crash with 20 pending expiries (that one on a FakeClock moved by hand, so
machine load cannot fail it; ``benchmarks/deescalation_restart.py`` measures real-time lateness).

The fixture here is self-contained; when the lead's tests/e2e/conftest.py harness exists it can
replace ``Harness``/``harness`` (the tests only need: server, world, bot, events, db path).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from primum.app import PrimumBot
from primum.inference.fake import FakeScorer
from primum.localdiscord import ControlError, LocalDiscord, PhysicianServer, seed_physician_server
from primum.localdiscord.client import DiscordErrorGuard, fast_client_kwargs, point_discord_py_at, start_client
from primum.runtime.clock import Clock, FakeClock, SystemClock, from_iso
from primum.runtime.events import EventSink
from primum.settings import ModelSettings, Settings
from primum.storage import Database

pytestmark = pytest.mark.e2e

EXTENSIONS = ["cogs.be_kind", "cogs.deescalation"]


@dataclass
class Harness:
    server: LocalDiscord
    world: PhysicianServer
    events: EventSink
    db_path: Path
    bot: PrimumBot
    db: Database
    task: asyncio.Task[None]
    clock: Clock

    @property
    def service(self) -> Any:
        return self.bot.get_cog("Deescalation").service  # type: ignore[union-attr]

    async def start_bot(self) -> None:
        """A fresh process: new connection to the same database file, new bot, same local Discord."""
        self.db = await Database.open(self.db_path)
        settings = Settings(sync_commands="global", model=ModelSettings(backend="fake"))
        self.bot = PrimumBot(settings=settings, db=self.db, scorer=FakeScorer(), events=self.events,
                             clock=self.clock, extensions=EXTENSIONS, **fast_client_kwargs())
        self.task = await start_client(self.bot, self.server)
        await self.wait_for(lambda: self.service.scheduler.running, what="the scheduler")

    async def kill_bot(self) -> tuple[PrimumBot, Database]:
        """Like SIGKILL for an in-process bot: timers dropped, the client task cancelled, no cleanup."""
        bot, db = self.bot, self.db
        for cog in list(bot.cogs.values()):
            abandon = getattr(cog, "abandon", None)
            if abandon is not None:
                abandon()
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task
        await self.server.drop_connection(4000)
        return bot, db

    async def wait_for(self, predicate: Any, timeout: float = 5.0, what: str = "") -> Any:  # noqa: ASYNC109
        return await self.server.wait_for(predicate, timeout, what=what)

    async def event(self, type_: str, timeout: float = 5.0, **match: Any) -> dict[str, Any]:  # noqa: ASYNC109
        def find() -> dict[str, Any] | None:
            for event in self.events.events:
                if event["type"] == type_ and all(event.get(k) == v for k, v in match.items()):
                    return event
            return None

        return await self.wait_for(find, timeout, what=f"event {type_} {match}")

    async def slash(self, user_id: int, command: str, channel_id: int | None = None, **options: Any) -> str:
        """Run a slash command and return the text of the bot's (first) answer."""
        rec = self.server.invoke_slash(user_id, command, options, channel_id=channel_id)
        await self.server.wait_interaction_response(rec)
        if rec.response_type == 5:  # deferred: wait for the follow-up
            return (await self.answer(rec)).content
        assert rec.response is not None
        return str(rec.response.data.get("content", ""))

    async def answer(self, rec: Any) -> Any:
        """The message that answers a deferred interaction (not the empty "thinking…" placeholder)."""

        def find() -> Any:
            for message_id in [*rec.followup_ids, rec.original_message_id]:
                message = self.server.world.messages.get(message_id) if message_id else None
                if message is not None and (message.content or message.attachments):
                    return message
            return None

        return await self.wait_for(find, what=f"the answer to interaction {rec.id}")


@pytest.fixture
async def harness(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """The bot on the real clock; ``parametrize("harness", ["fake_clock"], indirect=True)`` gives a FakeClock."""
    fake = getattr(request, "param", None) == "fake_clock"
    clock: Clock = FakeClock(datetime.now(UTC)) if fake else SystemClock()
    with DiscordErrorGuard() as guard:
        async with LocalDiscord(heartbeat_interval_ms=500) as server:
            world = seed_physician_server(server)
            events = EventSink(clock=clock)
            with point_discord_py_at(server):
                h = Harness(server, world, events, tmp_path / "p.sqlite3", None, None, None,  # type: ignore[arg-type]
                            clock)
                await h.start_bot()
                leftovers: list[tuple[PrimumBot, Database]] = []
                h.leftovers = leftovers  # type: ignore[attr-defined]
                try:
                    yield h
                finally:
                    await h.bot.close()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await asyncio.wait_for(h.task, 5)
                    await h.db.close()
                    for bot, db in leftovers:
                        await bot.close()
                        await db.close()
            server.assert_clean()
    guard.check()


def doctors(h: Harness) -> tuple[int, int]:
    ids = h.world.physician_ids
    return ids[0], ids[1]


async def configure(h: Harness, **values: Any) -> None:
    for key, value in values.items():
        answer = await h.slash(h.world.owner_id, "deescalation config", setting=key, value=str(value))
        assert "is now" in answer, answer


async def heated_exchange(h: Harness, channel: int, turns: int = 3) -> list[int]:
    """Two physicians trade insults by reply (FakeScorer: 'idiot' 0.82, 'moron' 0.86)."""
    a, b = doctors(h)
    lines = ["With respect, you are an idiot about beta blockers.", "Only a moron would say that.",
             "You idiot, read the trial.", "Moron. Read it yourself."]
    last: int | None = None
    ids = []
    for i in range(turns):
        author = a if i % 2 == 0 else b
        message = h.server.user_says(author, channel, lines[i % len(lines)], reply_to=last)
        last = message.id
        ids.append(message.id)
        await h.wait_for(lambda n=i + 1: _scored_count(h) >= n, what="be-kind scored the message")
        await h.wait_for(lambda: not _busy(h, channel), what="de-escalation caught up")
    return ids


def _scored_count(h: Harness) -> int:
    """How many scored messages de-escalation has seen (one heat sample each)."""
    state = h.service.heat._channels
    return sum(len(channel.history) for channel in state.values())


def _busy(h: Harness, channel: int) -> bool:
    lock = h.service._locks.get(channel)
    return lock is not None and lock.locked()


async def test_heated_exchange_notice_slowmode_and_it_lifts_itself(harness: Harness) -> None:
    h = harness
    general = h.world.general
    await configure(h, slowmode_minutes=0.05)  # 3 seconds
    await heated_exchange(h, general, turns=4)
    notice = await h.event("heat_notice", channel_id=general)
    posted = h.server.world.messages[notice["notice_message_id"]]
    assert posted.content.startswith("Let's take a breath") and posted.author_id == h.world.bot_id
    slowmode = await h.event("slowmode", channel_id=general)
    assert slowmode["by"] == "ladder" and h.server.slowmode(general) == 30
    lifted = await h.event("slowmode_lifted", timeout=6, channel_id=general)
    assert lifted["outcome"] == "lifted" and 0 <= lifted["late_s"] < 1.0
    assert h.server.slowmode(general) == 0
    assert not any("breath" in m.content for m in h.server.bot_messages(h.world.channel("politics")))


async def test_civil_debate_in_politics_never_triggers(harness: Harness) -> None:
    h = harness
    politics = h.world.channel("politics")
    a, b = doctors(h)
    last = None
    for i in range(12):
        text = ["Single payer would lower admin costs.", "I disagree: wait times would rise.",
                "The data from Canada is mixed, honestly.", "Fair, but Germany's multi-payer works."][i % 4]
        last = h.server.user_says(a if i % 2 == 0 else b, politics, text, reply_to=last).id
    await h.wait_for(lambda: _scored_count(h) >= 12, what="all scored")
    await asyncio.sleep(0.2)
    assert not h.events.of_type("heat_notice") and h.server.slowmode(politics) == 0


@pytest.mark.parametrize("command", ["cooldown channel", "cooldown member", "cooldown lift"])
async def test_reasons_are_mandatory(harness: Harness, command: str) -> None:
    h = harness
    mod = next(iter(h.world.moderators.values()))
    target = doctors(h)[0]
    options: dict[str, Any] = {"member": target} if command == "cooldown member" else {}
    with pytest.raises((ControlError, KeyError, ValueError)):
        h.server.invoke_slash(mod, command, options, channel_id=h.world.general)  # no reason at all
    answer = await h.slash(mod, command, h.world.general, reason="   ", **options)  # blank
    assert "reason is required" in answer
    assert h.server.slowmode(h.world.general) == 0 and h.server.timeout_until(target) is None


async def test_reasons_are_recorded_and_commands_need_moderators(harness: Harness) -> None:
    h = harness
    mod = next(iter(h.world.moderators.values()))
    general = h.world.general
    answer = await h.slash(mod, "cooldown channel", general, reason="heated statin thread", seconds=45, minutes=5)
    assert "Slowmode of 45 seconds per message until <t:" in answer and h.server.slowmode(general) == 45
    answer = await h.slash(mod, "cooldown lift", general, reason="everyone calmed down")
    assert "lifted" in answer and h.server.slowmode(general) == 0
    entries = await h.service.record.for_guild(h.world.guild_id)
    assert [(e.action, e.actor_id, e.reason) for e in entries] == [
        ("slowmode", mod, "heated statin thread"), ("slowmode_lifted", mod, "everyone calmed down")]
    patches = h.server.requests_to("PATCH", rf"/channels/{general}$")
    assert patches[0].reason is not None and patches[0].reason.startswith("Primum de-escalation: heated statin thread")
    with pytest.raises(ControlError):  # hidden by default_member_permissions
        h.server.invoke_slash(doctors(h)[0], "cooldown channel", {"reason": "because"}, channel_id=general)


async def test_manual_slowmode_change_is_not_overwritten(harness: Harness) -> None:
    h = harness
    mod = next(iter(h.world.moderators.values()))
    general = h.world.general
    await h.slash(mod, "cooldown channel", general, reason="cool it", seconds=30, minutes=0.05)
    assert h.server.slowmode(general) == 30
    h.server.channel(general).rate_limit_per_user = 120  # another moderator, by hand, in the Discord client
    lifted = await h.event("slowmode_lifted", timeout=6, channel_id=general)
    assert lifted["outcome"] == "manual_override"
    assert h.server.slowmode(general) == 120


async def test_member_who_rejoins_during_a_cooldown_gets_it_back(harness: Harness) -> None:
    h = harness
    mod = next(iter(h.world.moderators.values()))
    target = doctors(h)[0]
    answer = await h.slash(mod, "cooldown member", h.world.general, member=target, reason="insults", minutes=1)
    assert "cooling down" in answer
    until = h.server.timeout_until(target)
    assert until is not None
    h.server.member_leave(target)
    h.server.member_join(target)
    assert h.server.timeout_until(target) is None  # a fresh membership
    event = await h.event("cooldown", reapplied=True, user_id=target)
    await h.wait_for(lambda: h.server.timeout_until(target), what="the timeout re-applied")
    assert abs((h.server.timeout_until(target) - until).total_seconds()) < 0.01
    assert event["expires_at"] == h.events.of_type("cooldown")[0]["expires_at"]
    answer = await h.slash(mod, "cooldown lift", h.world.general, member=target, reason="apologised")
    assert "lifted" in answer and h.server.timeout_until(target) is None
    lifted = await h.event("cooldown_lifted", user_id=target)
    assert (lifted["outcome"], lifted["actor_id"]) == ("lifted", mod)


async def test_owner_and_admins_cannot_be_timed_out(harness: Harness) -> None:
    h = harness
    mod = next(iter(h.world.moderators.values()))
    answer = await h.slash(mod, "cooldown member", h.world.general, member=h.world.owner_id, reason="test")
    assert "won't act on the server owner" in answer  # the rank rule answers before Discord is asked
    assert h.server.timeout_until(h.world.owner_id) is None
    assert h.events.of_type("cooldown") == []


async def test_one_rude_member_with_a_civil_partner_is_never_cooled_down(harness: Harness) -> None:
    """Only one member is flagged: a notice at most, never a cooldown (see tests/e2e/test_policy.py for one)."""
    h = harness
    general = h.world.general
    a, b = doctors(h)
    await configure(h, steps="notice,cooldown,alert", grace_minutes=0.05)
    first = h.server.user_says(b, general, "Beta blockers after MI: the data are solid.")
    last = first.id
    for i in range(6):
        author = a if i % 2 == 0 else b
        text = "You idiot." if author == a else "Let's look at the trial together."
        last = h.server.user_says(author, general, text, reply_to=last).id
        await h.wait_for(lambda n=i + 2: _scored_count(h) >= n, what="scored")
        await h.wait_for(lambda: not _busy(h, general), what="caught up")
        if i == 1:
            await asyncio.sleep(3.2)  # past the grace period: A keeps going, alone
    assert h.events.of_type("cooldown") == [] and h.server.timeout_until(a) is None
    assert h.events.of_type("slowmode") == [] and h.server.timeout_until(b) is None


async def test_heat_command_text_and_chart(harness: Harness) -> None:
    h = harness
    general = h.world.general
    await heated_exchange(h, general, turns=2)
    mod = next(iter(h.world.moderators.values()))
    rec = h.server.invoke_slash(mod, "heat", {}, channel_id=general)
    await h.server.wait_interaction_response(rec)
    message = await h.answer(rec)
    assert "Heat in" in message.content and message.ephemeral
    assert message.attachments and message.attachments[0].data.startswith(b"\x89PNG")


@pytest.mark.parametrize("harness", ["fake_clock"], indirect=True)
async def test_restart_with_20_pending_expiries(harness: Harness) -> None:
    """Killed with 20 pending expiries (8 slowmodes, 12 cooldowns): after a restart each lifts once, when due.

    The bot runs on a FakeClock moved by hand, and the test awaits the undos (``run_due``/``drain``)
    instead of sleeping, so a busy machine cannot make it fail; ``benchmarks/deescalation_restart.py``
    measures the real-time lateness.
    """
    h = harness
    clock = h.clock
    assert isinstance(clock, FakeClock)
    guild = h.world.guild_id
    mod = next(iter(h.world.moderators.values()))
    channels = list(h.world.channels.values())
    members = h.world.physician_ids + [m for m in h.world.moderators.values() if m != mod]
    members += list(h.world.unverified.values())
    members = members[: 20 - len(channels)]
    assert len(channels) + len(members) == 20
    start = clock.now()
    for i, channel in enumerate(channels):  # due at 10, 20, ... s
        result = await h.service.slowmode_channel(guild, channel, seconds=10, reason="restart test", actor_id=mod,
                                                  duration=timedelta(seconds=10 * i + 10))
        assert result.ok, result.message
    for i, member in enumerate(members):  # due at 15, 25, ... s
        result = await h.service.cooldown_member(guild, member, reason="restart test", actor_id=mod,
                                                 duration=timedelta(seconds=10 * i + 15))
        assert result.ok, result.message
    h.leftovers.append(await h.kill_bot())  # type: ignore[attr-defined]
    clock.advance(52)  # down for 52 s: 5 slowmodes and 4 cooldowns fall due meanwhile
    await h.start_bot()
    scheduler = h.service.scheduler
    await scheduler.drain()  # start-up undid the past-due ones at once
    assert len(_lifts(h)) == 9
    assert all(from_iso(e["t"]) == start + timedelta(seconds=52) for e in _lifts(h))
    armed = scheduler.armed()
    assert len(armed) == 11 and all(action.expires_at > clock.now() for action in armed)
    for action in armed:  # the rest were re-armed: nothing before its time, exactly it at its time
        clock.advance((action.expires_at - clock.now()).total_seconds() - 0.5)
        assert await scheduler.run_due() == 0
        clock.advance(0.5)
        before = len(_lifts(h))
        assert await scheduler.run_due() >= 1
        await scheduler.drain()
        lifted = _lifts(h)[before:]
        assert [e["action_id"] for e in lifted] == [action.id] and lifted[0]["late_s"] == 0.0
    lifts = _lifts(h)
    assert len(lifts) == 20 and len({e["action_id"] for e in lifts}) == 20  # none lost, none twice
    assert {e["outcome"] for e in lifts if e["type"] == "slowmode_lifted"} == {"lifted"}
    assert all(h.server.slowmode(c) == 0 for c in channels)
    patches = Counter(int(r.path.rsplit("/", 1)[1]) for r in h.server.requests_to("PATCH", r"^/channels/\d+$"))
    assert all(patches[c] == 2 for c in channels)  # set once, lifted once
    timeouts = Counter(int(r.path.rsplit("/", 1)[1]) for r in h.server.requests_to("PATCH", r"/members/\d+$"))
    assert all(timeouts[m] == 1 for m in members)  # applied once; Discord ends them itself
    rows = await h.service.actions.recent(guild, limit=50)
    assert len(rows) == 20 and all(row.status == "done" for row in rows)


def _lifts(h: Harness) -> list[dict[str, Any]]:
    """Every lift so far, in the order they happened."""
    return [e for e in h.events.events if e["type"] in {"slowmode_lifted", "cooldown_lifted"}]


async def _pile_on(h: Harness, channel: int, *, by_reply: bool) -> None:
    """Three members each post insults; by reply, each answers the previous insult (joining in on the
    member who asked), otherwise nobody is addressed. Same words, same members, same order."""
    target, *others = h.world.physician_ids[:4]
    last = h.server.user_says(target, channel, "Is a D-dimer useful in a 70 year old? Honest question.").id
    lines = ["Only a moron would ask that.", "Right, what an idiot.", "Idiot question, honestly.",
             "Moron. Look it up.", "Such an idiot.", "Moron."]
    for i, text in enumerate(lines):
        message = h.server.user_says(others[i % 3], channel, text, reply_to=last if by_reply else None,
                                     force=True)  # posted even once slowmode is on
        last = message.id
        await h.wait_for(lambda n=i + 2: _scored_count(h) >= n, what="be-kind scored the message")
        await h.wait_for(lambda: not _busy(h, channel), what="de-escalation caught up")


async def test_a_pile_on_by_reply_chain_is_slowed_down(harness: Harness) -> None:
    h = harness
    general = h.world.general
    await _pile_on(h, general, by_reply=True)
    assert h.events.of_type("heat_notice") and h.events.of_type("slowmode")


async def test_the_same_insults_addressing_nobody_are_a_notice_at_most(harness: Harness) -> None:
    h = harness
    general = h.world.general
    await _pile_on(h, general, by_reply=False)
    assert h.events.of_type("heat_notice") and not h.events.of_type("slowmode")


async def test_two_members_trading_insults_without_discord_replies_are_slowed_down(harness: Harness) -> None:
    h = harness
    general = h.world.general
    a, b = doctors(h)
    lines = ["With respect, you are an idiot about beta blockers.", "Only a moron would say that.",
             "You idiot, read the trial.", "Moron. Read it yourself.", "Idiot.", "Moron."]
    for i, text in enumerate(lines):  # back to back, no reply and no mention: still an exchange
        h.server.user_says(a if i % 2 == 0 else b, general, text, force=True)
        await h.wait_for(lambda n=i + 1: _scored_count(h) >= n, what="be-kind scored the message")
        await h.wait_for(lambda: not _busy(h, general), what="de-escalation caught up")
    assert h.events.of_type("heat_notice") and h.events.of_type("slowmode")
