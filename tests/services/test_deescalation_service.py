"""The de-escalation service with a fake Discord port: ladder, timed actions, overrides, rejoin, restart."""

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from primum.domain.ladder import LadderConfigError
from primum.domain.scored import ScoredMessage
from primum.domain.templates import TemplateSet
from primum.runtime.clock import FakeClock, SystemClock
from primum.runtime.events import EventSink
from primum.runtime.scheduler import ActionStatus
from primum.services.deescalation import (
    ActionRefused,
    DeescalationService,
    describe,
    render_chart,
)
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
        from primum.services.deescalation import TargetGone

        if user_id not in self.members:
            raise TargetGone("not a member")
        self.timeout_calls.append((user_id, until))
        self.timeouts[user_id] = until

    async def timed_out_until(self, guild_id, user_id):
        from primum.services.deescalation import TargetGone

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
                  counterspeech=False):
        """One scored message; be-kind's verdict follows the score (flagged at 0.7)."""
        self.next_message += 1
        scored = ScoredMessage(GUILD, channel, self.next_message, author, self.clock.now(), to, (), score,
                               {category: score}, score >= 0.7, nudges, flagged=score >= 0.7, threshold=0.7,
                               nudge_seen_at=seen, counterspeech=counterspeech)
        return await self.service.on_scored(scored)


async def build(path: Path, clock, events=None, port=None):
    db = await Database.open(path)
    events = events or EventSink(clock=clock)
    port = port or FakePort(clock)
    service = DeescalationService(db=db, guild_settings=GuildSettingsRepository(db), events=events, clock=clock,
                                  port=port)
    await service.start()
    return World(service, port, events, clock, db)


@pytest.fixture
async def world(tmp_path: Path):
    w = await build(tmp_path / "p.sqlite3", FakeClock())
    yield w
    await w.service.stop()
    await w.db.close()


async def heated_exchange(world, turns=4, spacing_s=20):
    """Alice and Bob insult each other by reply, alternating."""
    for i in range(turns):
        author, other = (ALICE, BOB) if i % 2 == 0 else (BOB, ALICE)
        await world.say(author, 0.82, to=other)
        world.clock.advance(spacing_s)


async def test_heated_exchange_notice_then_slowmode_then_it_lifts_itself(world):
    await heated_exchange(world)
    assert world.types() == ["heat_notice", "slowmode"]
    assert world.port.posts[0] == (CHANNEL, TemplateSet({}).render("heat_notice", channel=f"<#{CHANNEL}>"))
    assert world.port.slowmode[CHANNEL] == 30
    slowmode = world.events.of_type("slowmode")[0]
    assert slowmode["by"] == "ladder" and slowmode["seconds"] == 30 and slowmode["previous"] == 0
    row = await world.service.actions.get(slowmode["action_id"])
    assert row.status is ActionStatus.PENDING and row.expires_at == world.clock.now() - timedelta(seconds=20) \
        + timedelta(minutes=10)
    world.clock.advance(minutes=10)
    await world.service.scheduler.run_due()
    assert world.port.slowmode[CHANNEL] == 0
    lifted = world.events.of_type("slowmode_lifted")[0]
    assert (lifted["outcome"], lifted["why"], lifted["actor_id"]) == ("lifted", "expired", None)


async def test_debate_without_incivility_never_climbs(world):
    for i in range(40):
        await world.say(ALICE if i % 2 == 0 else BOB, 0.2, to=BOB if i % 2 == 0 else ALICE)
        world.clock.advance(15)
    assert world.types() == []


async def test_manual_slowmode_change_is_left_alone(world):
    await heated_exchange(world)
    world.port.slowmode[CHANNEL] = 120  # a moderator changed it by hand
    world.clock.advance(minutes=10)
    await world.service.scheduler.run_due()
    assert world.port.slowmode[CHANNEL] == 120
    assert world.events.of_type("slowmode_lifted")[0]["outcome"] == "manual_override"
    entries = await world.service.record.for_guild(GUILD)
    assert entries[-1].action == "slowmode_lifted" and entries[-1].detail["outcome"] == "manual_override"


async def test_existing_stronger_slowmode_is_not_touched_by_the_ladder(world):
    world.port.slowmode[CHANNEL] = 60
    await heated_exchange(world)
    assert world.types() == ["heat_notice"]
    assert world.port.slowmode_calls == []


async def test_refused_slowmode_cancels_the_row(world):
    world.port.refuse_slowmode = True
    await heated_exchange(world)
    rows = await world.service.actions.recent(GUILD)
    assert [(r.status, r.outcome) for r in rows] == [(ActionStatus.CANCELLED, "refused")]
    assert "slowmode" not in world.types()


async def keeps_going_after_the_grace_period(world, member=ALICE):
    """Bob and the member trade insults; the member's nudge reached them; 6 minutes later they go on."""
    seen = world.clock.now()
    await world.say(BOB, 0.86, to=member)
    await world.say(member, 0.86, to=BOB, seen=seen)
    world.clock.advance(minutes=6)
    for _ in range(2):
        await world.say(member, 0.86, to=BOB, seen=seen)
        world.clock.advance(30)


async def test_repeat_offender_after_nudges_gets_a_cooldown_and_mods_one_alert(world):
    await keeps_going_after_the_grace_period(world)
    assert "cooldown" in world.types() and world.types().count("mod_alert") == 1
    cooldown = world.events.of_type("cooldown")[0]
    assert cooldown["user_id"] == ALICE and cooldown["by"] == "ladder"
    assert world.port.timeouts[ALICE] == world.clock.now() - timedelta(seconds=30) + timedelta(minutes=10)
    alert = world.port.alerts[0]
    assert f"https://discord.com/channels/{GUILD}/{CHANNEL}/" in alert and "cooling down" in alert
    world.clock.advance(minutes=10)
    await world.service.scheduler.run_due()
    lifted = world.events.of_type("cooldown_lifted")[0]
    assert (lifted["user_id"], lifted["outcome"]) == (ALICE, "expired")


async def test_no_cooldown_inside_the_grace_period(world):
    seen = world.clock.now()
    await world.say(BOB, 0.86, to=ALICE)
    for _ in range(8):
        await world.say(ALICE, 0.9, to=BOB, seen=seen)
        world.clock.advance(20)
    assert "cooldown" not in world.types()


async def test_a_bad_model_flagging_one_member_never_slows_or_times_out(world):
    seen = world.clock.now()
    for i in range(40):  # Alice is civil, but the model flags everything she says; Bob is not flagged
        await world.say(ALICE, 0.95, to=BOB, seen=seen)
        await world.say(BOB, 0.1, to=ALICE)
        world.clock.advance(30 if i % 2 else 20)
    assert set(world.types()) <= {"heat_notice"}
    assert world.port.timeout_calls == [] and world.port.slowmode_calls == []


async def test_bystander_counterspeech_adds_no_heat(world):
    await world.say(ALICE, 0.86, to=BOB)
    before = world.service.heat.channel_heat(CHANNEL, world.clock.now())
    for _ in range(5):
        await world.say(OWNER, 0.9, counterspeech=True)  # "both of you please stop", flagged by the model
    after = world.service.heat.channel_heat(CHANNEL, world.clock.now())
    assert after - before < 0.3  # only the bounded rate/participant terms move
    assert "slowmode" not in world.types()


async def test_a_combatants_counterspeech_still_counts(world):
    await world.say(ALICE, 0.86, to=BOB)
    await world.say(BOB, 0.86, to=ALICE)
    await world.say(ALICE, 0.9, to=BOB, counterspeech=True)  # "please stop, you idiot" from a flagged member
    await world.say(BOB, 0.86, to=ALICE)
    assert "slowmode" in world.types()


@pytest.mark.parametrize(("user", "why"), [(OWNER, "they own the server"), (ADMIN, "they are an administrator")])
async def test_owner_and_admins_cannot_be_timed_out_and_it_says_so(world, user, why):
    result = await world.service.cooldown_member(GUILD, user, timedelta(minutes=5), reason="heated", actor_id=MOD)
    assert not result.ok and why in result.message
    assert world.events.of_type("cooldown_refused")[0]["why"] == why
    assert world.port.timeout_calls == []
    assert await world.service.actions.recent(GUILD) == []  # nothing timed was written


async def test_ladder_cooldown_of_an_admin_alerts_mods_instead(world):
    await keeps_going_after_the_grace_period(world, ADMIN)
    assert "cooldown_refused" in world.types()
    assert "cannot be timed out" in world.port.alerts[0]


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


async def test_configuration_per_guild_and_channel(world):
    await world.service.configure(GUILD, {"slowmode_seconds": 90}, actor_id=OWNER)
    await world.service.configure(GUILD, {"steps": ["notice"]}, actor_id=OWNER, channel_id=OTHER_CHANNEL)
    assert (await world.service.config_for(GUILD, CHANNEL)).slowmode_seconds == 90
    other = await world.service.config_for(GUILD, OTHER_CHANNEL)
    assert other.slowmode_seconds == 90 and [str(s) for s in other.steps] == ["notice"]
    with pytest.raises(LadderConfigError, match="slowmode_seconds"):
        await world.service.configure(GUILD, {"slowmode_seconds": 50_000}, actor_id=OWNER)
    assert (await world.service.config_for(GUILD, CHANNEL)).slowmode_seconds == 90
    await heated_exchange(world)
    assert world.port.slowmode[CHANNEL] == 90
    assert await world.service.reset_config(GUILD, actor_id=OWNER) is True
    assert (await world.service.config_for(GUILD, CHANNEL)).slowmode_seconds == 30


async def test_heat_view_text_and_chart(world):
    await heated_exchange(world)
    view = await world.service.heat_view(GUILD, CHANNEL)
    assert view.heat > 1.5 and view.level >= 2 and view.members[0][0] in {ALICE, BOB}
    text = describe(view, {ALICE: "Dr Alice"})
    assert "Heat in" in text and "slowmode lifts <t:" in text
    steps = [step for _, step in view.steps]
    assert steps[:2] == ["notice", "slowmode"]  # chart markers where the ladder fired, oldest first
    png = await asyncio.to_thread(render_chart, view)
    assert png.startswith(b"\x89PNG") and len(png) > 2_000


async def test_restart_with_20_pending_expiries_real_time(tmp_path: Path):
    """Kill with 10 slowmodes and 10 cooldowns pending; restart; every one lifts once, within 2 s."""
    path = tmp_path / "p.sqlite3"
    clock = SystemClock()
    events = EventSink(clock=clock)
    port = FakePort(clock)
    channels = list(range(200, 210))
    users = list(range(500, 510))
    port.slowmode.update(dict.fromkeys(channels, 0))
    port.members.update(users)
    first = await build(path, clock, events, port)
    start = clock.now()
    for i, channel in enumerate(channels):
        await first.service.slowmode_channel(GUILD, channel, seconds=30, duration=timedelta(seconds=1 + 0.1 * i),
                                             reason="load", actor_id=MOD)
    for i, user in enumerate(users):
        await first.service.cooldown_member(GUILD, user, timedelta(seconds=1.05 + 0.1 * i), reason="load",
                                            actor_id=MOD)
    assert clock.now() - start < timedelta(seconds=0.9)
    first.service.scheduler.abandon()  # SIGKILL: no stop(), no close()
    await asyncio.sleep(1.2)  # some expire while "down"
    second = await build(path, clock, events, port)
    await asyncio.sleep(2.4)
    await second.service.stop()
    try:
        lifted = events.of_type("slowmode_lifted") + events.of_type("cooldown_lifted")
        assert len(lifted) == 20 and len({e["action_id"] for e in lifted}) == 20
        assert all(e["late_s"] < 2.0 for e in lifted), sorted(e["late_s"] for e in lifted)
        assert all(port.slowmode[c] == 0 for c in channels)
        assert {e["outcome"] for e in events.of_type("slowmode_lifted")} == {"lifted"}
        assert [c for c, s in port.slowmode_calls].count(200) == 2  # applied once, lifted once
    finally:
        await first.db.close()
        await second.db.close()


async def test_one_alert_per_incident_even_across_a_restart(tmp_path: Path):
    from primum.domain.ladder import ModAlert

    clock = FakeClock()
    first = await build(tmp_path / "i.sqlite3", clock)
    alert = ModAlert("heat", (1, 2), (ALICE, BOB), 6.5, "heat:100:1")
    await first.service._mod_alert(GUILD, CHANNEL, alert, None)
    await first.service._mod_alert(GUILD, CHANNEL, ModAlert("cooldown", (2,), (ALICE,), 6.5, "heat:100:1"), None)
    await first.service.stop()
    await first.db.close()
    again = await build(tmp_path / "i.sqlite3", clock, port=first.port)
    await again.service._mod_alert(GUILD, CHANNEL, alert, None)
    assert len(first.port.alerts) == 1
    assert [e["type"] for e in first.events.events + again.events.events].count("mod_alert_suppressed") == 2
    await again.service.stop()
    await again.db.close()


async def test_observe_mode_reports_the_steps_and_touches_nothing(world):
    from primum.services.observe import ObserveService
    from primum.storage.policy import PolicyRepository

    reports = []

    class ObservePort:
        async def post_report(self, guild_id, content, report_id):
            reports.append(content)
            return 99, report_id

        async def tell_owner(self, guild_id, content):
            return True

    world.service.observe = ObserveService(world.service.guild_settings, PolicyRepository(world.db), world.clock,
                                           world.events, port=ObservePort())
    for i in range(4):
        author, other = (ALICE, BOB) if i % 2 == 0 else (BOB, ALICE)
        world.next_message += 1
        scored = ScoredMessage(GUILD, CHANNEL, world.next_message, author, world.clock.now(), other, (), 0.86,
                               {"insult": 0.86}, False, 0, flagged=True, threshold=0.7, observe=True)
        await world.service.on_scored(scored)
        world.clock.advance(20)
    assert world.port.posts == [] and world.port.slowmode_calls == []  # nothing happened in the channel
    assert any("a calm notice" in text for text in reports) and any("a slowmode" in text for text in reports)
