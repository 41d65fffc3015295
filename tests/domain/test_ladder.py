"""The ladder: one rung per message, episodes, repeat guards, cooldowns, configuration (tables)."""

from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.heat import HeatParts, HeatReading
from primum.domain.ladder import (
    ALL_RUNGS,
    TIMEOUT_MAX,
    ChannelLadder,
    Cooldown,
    LadderConfig,
    LadderConfigError,
    ModAlert,
    Notice,
    Rung,
    Slowmode,
    SuggestThread,
    clamp_slowmode,
    clamp_timeout,
    decide,
)
from primum.domain.scored import ScoredMessage

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
A, B = 1, 2


def scored(author=A, score=0.8, nudges=0, mid=1):
    return ScoredMessage(10, 100, mid, author, T0, None, (), score, {"insult": score}, score >= 0.7, nudges)


def reading(heat, member=0.0):
    return HeatReading(channel_heat=heat, member_heat=member, parts=HeatParts(), hottest=(A, B))


def run(heats, config=None, *, score=0.1, slowmode_active=False, spacing_s=10):
    """Feed civil messages with the given channel heats; return the step type names per message."""
    config = config or LadderConfig()
    state = ChannelLadder()
    names = []
    for i, heat in enumerate(heats):
        steps = decide(state, config, scored(score=score, mid=i + 1), reading(heat),
                       T0 + timedelta(seconds=i * spacing_s), slowmode_active=slowmode_active)
        names.append(",".join(type(step).__name__ for step in steps))
    return names, state


# Default thresholds: notice 1.5, slowmode 3, thread 4.5, alert 6; exit ratio 0.6.
@pytest.mark.parametrize(
    ("name", "heats", "expected"),
    [
        ("calm stays quiet", [0.2, 0.5, 1.0, 1.4], ["", "", "", ""]),
        ("notice at the first threshold", [1.0, 1.6], ["", "Notice"]),
        ("one rung per message on a spike", [7.0, 7.0, 7.0, 7.0, 7.0],
         ["Notice", "Slowmode", "SuggestThread", "ModAlert", ""]),
        ("climbs only as far as the level", [3.2, 3.2, 3.2, 3.2], ["Notice", "Slowmode", "", ""]),
        ("hysteresis: dipping just below does not restart", [1.6, 1.2, 1.6, 1.2], ["Notice", "", "", ""]),
        ("a new episode after calm starts with a notice again (repeat guard passed)",
         [3.5, 3.5, 0.1, 3.5, 3.5], ["Notice", "Slowmode", "", "", "Slowmode"]),
    ],
)
def test_channel_rungs(name, heats, expected):
    names, _ = run(heats)
    assert names == expected, name


def test_new_episode_posts_a_notice_when_the_repeat_guard_has_passed():
    names, _ = run([3.5, 3.5, 0.1, 3.5, 3.5], spacing_s=400)
    assert names == ["Notice", "Slowmode", "", "Notice", "Slowmode"]


def test_episode_ends_only_below_the_exit_threshold():
    _, state = run([1.6, 0.95])  # 0.95 >= 1.5 * 0.6: still level 1
    assert (state.level, state.rung) == (1, 1)
    _, state = run([1.6, 0.85])
    assert (state.level, state.rung) == (0, 0)


@pytest.mark.parametrize(
    ("steps", "heats", "expected"),
    [
        ((Rung.SLOWMODE,), [3.5, 3.5], ["", "Slowmode"]),  # the notice rung is climbed silently
        ((Rung.NOTICE,), [7.0, 7.0, 7.0, 7.0], ["Notice", "", "", ""]),
        ((), [7.0, 7.0], ["", ""]),
    ],
)
def test_disabled_rungs_are_skipped(steps, heats, expected):
    names, _ = run(heats, LadderConfig(steps=steps))
    assert names == expected


def test_disabled_ladder_does_nothing():
    names, state = run([9.0, 9.0], LadderConfig(enabled=False))
    assert names == ["", ""] and state.rung == 0


def test_slowmode_is_not_reapplied_while_one_is_running():
    names, _ = run([3.5, 3.5], slowmode_active=True)
    assert names == ["Notice", ""]


def test_step_details_follow_the_config():
    config = LadderConfig(slowmode_seconds=45, slowmode_minutes=2.5)
    state = ChannelLadder()
    steps = [decide(state, config, scored(score=0.1, mid=i), reading(7.0), T0) for i in range(4)]
    assert steps[0] == [Notice(heat=7.0, level=4)]
    assert steps[1] == [Slowmode(45, timedelta(minutes=2.5))]
    assert steps[2] == [SuggestThread((A, B))]
    assert steps[3] == [ModAlert("heat", (), (A, B), 7.0)]


# Cooldown: uncivil (>= 0.7) messages count as strikes once the author was nudged or the notice
# was posted; two strikes and enough member heat cool the author down, followed by a mod alert.
@pytest.mark.parametrize(
    ("name", "messages", "expected_cooldown_at"),
    [
        ("nudged twice, keeps going", [(0.8, 1, 2.0), (0.8, 1, 2.0)], 1),
        ("never nudged and no notice", [(0.8, 0, 2.0), (0.8, 0, 2.0), (0.8, 0, 2.0)], None),
        ("civil messages are no strikes", [(0.3, 2, 2.0), (0.3, 2, 2.0)], None),
        ("low member heat", [(0.8, 1, 0.5), (0.8, 1, 0.5)], None),
        ("one strike, then a second later", [(0.8, 1, 2.0), (0.2, 1, 2.0), (0.9, 1, 2.0)], 2),
    ],
)
def test_cooldown_rule(name, messages, expected_cooldown_at):
    state, config = ChannelLadder(), LadderConfig()
    cooled = None
    for i, (score, nudges, member_heat) in enumerate(messages):
        steps = decide(state, config, scored(score=score, nudges=nudges, mid=i + 1), reading(0.5, member_heat), T0)
        if any(isinstance(step, Cooldown) for step in steps):
            cooled = i
            break
    assert cooled == expected_cooldown_at, name


def test_the_channel_notice_counts_as_a_nudge():
    state, config = ChannelLadder(), LadderConfig()
    first = decide(state, config, scored(score=0.8, mid=1), reading(1.6, 2.0), T0)  # posts the notice
    second = decide(state, config, scored(score=0.8, mid=2), reading(1.6, 2.0), T0)
    third = decide(state, config, scored(score=0.8, mid=3), reading(1.6, 2.0), T0)
    assert [type(s).__name__ for s in first] == ["Notice"]  # the first message came before the notice
    assert second == []
    cooldown, alert = third
    assert cooldown == Cooldown(A, timedelta(minutes=10), 2)
    assert isinstance(alert, ModAlert) and alert.reason == "cooldown" and alert.message_ids == (1, 2, 3)


@pytest.mark.parametrize(
    ("cooling", "steps_enabled", "expected"),
    [
        (True, ALL_RUNGS, []),
        (False, (Rung.COOLDOWN,), ["Cooldown"]),  # alerts off: no alert
        (False, ALL_RUNGS, ["Cooldown", "ModAlert"]),
    ],
)
def test_cooldown_needs_no_running_cooldown_and_its_rung(cooling, steps_enabled, expected):
    state, config = ChannelLadder(), LadderConfig(steps=steps_enabled)
    decide(state, config, scored(nudges=1, mid=1), reading(0.5, 2.0), T0, author_cooling_down=cooling)
    steps = decide(state, config, scored(nudges=1, mid=2), reading(0.5, 2.0), T0, author_cooling_down=cooling)
    assert [type(step).__name__ for step in steps] == expected


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"slowmode_seconds": 120}, lambda c: c.slowmode_seconds == 120),
        ({"slowmode_seconds": "60"}, lambda c: c.slowmode_seconds == 60),
        ({"enabled": "off"}, lambda c: c.enabled is False),
        ({"steps": "notice, slowmode"}, lambda c: c.steps == (Rung.NOTICE, Rung.SLOWMODE)),
        ({"steps": ["alert"]}, lambda c: c.steps == (Rung.ALERT,)),
        ({"notice_at": 1, "slowmode_at": 2.5}, lambda c: c.thresholds[:2] == (1.0, 2.5)),
        ({"cooldown_minutes": 40320}, lambda c: timedelta(minutes=c.cooldown_minutes) == TIMEOUT_MAX),
        ({"slowmode_minutes": 0.05}, lambda c: c.slowmode_minutes == 0.05),
    ],
)
def test_overrides(overrides, check):
    assert check(LadderConfig().with_overrides(overrides))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slowmode_seconds": 0}, "slowmode_seconds"),
        ({"slowmode_seconds": 21_601}, "slowmode_seconds"),  # Discord's limit
        ({"cooldown_minutes": 40_321}, "cooldown_minutes"),  # more than 28 days
        ({"notice_at": 5}, "thresholds must increase"),
        ({"exit_ratio": 0}, "exit_ratio"),
        ({"steps": "notice,shout"}, "steps"),
        ({"enabled": "maybe"}, "enabled"),
        ({"slowmode_seconds": True}, "slowmode_seconds"),
        ({"volume": 3}, "unknown de-escalation setting"),
    ],
)
def test_bad_overrides_name_the_key(overrides, message):
    with pytest.raises(LadderConfigError, match=message):
        LadderConfig().with_overrides(overrides)


def test_config_round_trips_through_json():
    config = LadderConfig(steps=(Rung.NOTICE, Rung.ALERT), slowmode_seconds=90)
    assert LadderConfig().with_overrides(config.as_json()) == config


@pytest.mark.parametrize(("seconds", "expected"), [(-5, 0), (0, 0), (30, 30), (21_600, 21_600), (99_999, 21_600)])
def test_clamp_slowmode(seconds, expected):
    assert clamp_slowmode(seconds) == expected


@pytest.mark.parametrize(
    ("duration", "expected"),
    [(timedelta(0), timedelta(seconds=1)), (timedelta(minutes=10), timedelta(minutes=10)),
     (timedelta(days=60), TIMEOUT_MAX)],
)
def test_clamp_timeout(duration, expected):
    assert clamp_timeout(duration) == expected
