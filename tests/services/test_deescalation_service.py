"""The de-escalation ladder on scored messages with a fake Discord port: heat, steps, guards, alerts, observe mode."""

from datetime import timedelta
from pathlib import Path

import pytest

from primum.domain.scored import ScoredMessage
from primum.domain.templates import TemplateSet
from primum.runtime.clock import FakeClock
from primum.runtime.scheduler import ActionStatus
from tests.services.deescalation_world import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    GUILD,
    OWNER,
    build,
    heated_exchange,
    keeps_going_after_the_grace_period,
    running_world,
)


@pytest.fixture
async def world(tmp_path: Path):
    async with running_world(tmp_path / "p.sqlite3") as w:
        yield w


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


async def test_existing_stronger_slowmode_is_not_touched_by_the_ladder(world):
    world.port.slowmode[CHANNEL] = 60
    await heated_exchange(world)
    assert world.types() == ["heat_notice"]
    assert world.port.slowmode_calls == []


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


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (0.97, ["heat_notice"]),  # flagged twice within the hour, 25 minutes apart: a slow burn's notice
        (0.85, []),  # once flagged, once just under the cut-off: one verdict, her private nudge answers it
    ],
)
async def test_two_flags_of_one_member_within_the_hour_get_the_channel_a_notice(world, second, expected):
    await world.say(ALICE, 0.97, to=BOB, cut_off=0.92)
    for score in (0.05, 0.1):
        world.clock.advance(minutes=12)
        await world.say(BOB, score, to=ALICE, cut_off=0.92)
    world.clock.advance(minutes=1)
    await world.say(ALICE, second, to=BOB, cut_off=0.92)
    assert [t for t in world.types() if t != "heat_follow_up"] == expected
    assert world.port.slowmode_calls == [] and world.port.timeout_calls == []


@pytest.mark.parametrize(
    ("first", "then", "follow_ups", "expected"),
    [
        (0.97, 0.85, 3, ["heat_notice"]),  # flagged, then kept up just under the cut-off: a notice
        (0.97, 0.6, 0, []),  # flagged, then calmer: nothing
        (0.5, 0.85, 0, []),  # never flagged: near misses alone are no evidence
    ],
)
async def test_a_flagged_member_keeping_it_up_under_the_cut_off_gets_a_notice(world, first, then, follow_ups,
                                                                              expected):
    await world.say(ALICE, first, to=BOB, cut_off=0.92)
    for _ in range(3):
        world.clock.advance(40)
        await world.say(BOB, 0.05, to=ALICE, cut_off=0.92)
        world.clock.advance(40)
        await world.say(ALICE, then, to=BOB, cut_off=0.92)
    assert [t for t in world.types() if t != "heat_follow_up"] == expected
    counted = [(e["author_id"], e["score"]) for e in world.events.of_type("heat_follow_up")]
    assert counted == [(ALICE, then)] * follow_ups


async def test_near_misses_never_take_a_channel_beyond_the_notice(world):
    await world.say(ALICE, 0.97, to=BOB, cut_off=0.92)
    await world.say(BOB, 0.97, to=ALICE, cut_off=0.92)
    seen = world.clock.now()
    world.clock.advance(minutes=6)
    for _ in range(12):  # both keep going, each message just under the cut-off
        await world.say(ALICE, 0.9, to=BOB, cut_off=0.92, seen=seen)
        world.clock.advance(15)
        await world.say(BOB, 0.9, to=ALICE, cut_off=0.92, seen=seen)
        world.clock.advance(15)
    assert [t for t in world.types() if t != "heat_follow_up"] == ["heat_notice"]
    # follow-ups stop once the members' own flags leave the ten-minute window (17 of the 24 came before)
    assert len(world.events.of_type("heat_follow_up")) == 17
    assert world.port.slowmode_calls == [] and world.port.timeout_calls == []


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


async def test_ladder_cooldown_of_an_admin_alerts_mods_instead(world):
    await keeps_going_after_the_grace_period(world, ADMIN)
    assert "cooldown_refused" in world.types()
    assert "cannot be timed out" in world.port.alerts[0]


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



async def test_a_forgotten_member_s_earlier_messages_no_longer_count(world):
    from primum.services.cases import CaseLog
    from primum.services.privacy import PrivacyService

    await heated_exchange(world, turns=3)  # Alice twice, Bob once: a notice, no fight yet
    assert world.types() == ["heat_notice"]
    privacy = PrivacyService(world.db, CaseLog(world.db, world.clock, world.events), [world.service])
    assert (await PrivacyService(world.db, privacy.case_log, [world.service]).forget_member(
        GUILD + 1, ALICE, ALICE, self_request=True)).removed["live_heat"] == 0  # another guild's forget
    report = await privacy.forget_member(GUILD, ALICE, ALICE, self_request=True)
    assert report.removed["live_heat"] >= 4  # her heat, her exchange with Bob, her two flags and messages
    assert ALICE not in world.service.heat.hottest(CHANNEL, world.clock.now())
    assert ALICE not in world.service._ladders[CHANNEL].member_flags  # nor her slow-burn memory
    await world.say(BOB, 0.82, to=ALICE)  # without the forget this fourth insult makes a fight: slowmode
    assert "slowmode" not in world.types()



async def test_a_pile_on_is_asked_to_give_room_in_public_naming_no_one(world):
    crowd = (21, 22, 23)
    for i in range(9):
        await world.say(crowd[i % 3], 0.95, to=BOB)
        world.clock.advance(10)
    assert "thread_suggested" in world.types()
    event = world.events.of_type("thread_suggested")[0]
    assert event["pileon"] and set(event["member_ids"]) <= set(crowd)
    posted = [text for _, text in world.port.posts]
    assert TemplateSet({}).render("pileon_notice", channel=f"<#{CHANNEL}>") in posted
    assert not any("<@" in text for text in posted)  # nobody is named in the channel
