"""The ladder: one rung per message, episodes, repeat guards, cooldowns (tables)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.heat import HeatParts, HeatReading
from primum.domain.ladder import (
    ChannelLadder,
    Cooldown,
    ModAlert,
    Notice,
    Slowmode,
    SuggestThread,
    decide,
)
from primum.domain.ladder_config import ALL_RUNGS, LadderConfig, Rung
from primum.domain.scored import ScoredMessage

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
A, B, C = 1, 2, 3


def scored(author=A, score=0.8, nudges=0, mid=1, *, flagged=None, seen=None, deescalating=False, disputed=False):
    other = B if author == A else A  # a two-person exchange: each answers the other
    return ScoredMessage(10, 100, mid, author, T0, other, (), score, {"insult": score}, score >= 0.7, nudges,
                         flagged=score >= 0.7 if flagged is None else flagged, threshold=0.7,
                         nudge_seen_at=seen, deescalating=deescalating, disputed=disputed)


def reading(heat, member=0.0):
    return HeatReading(channel_heat=heat, member_heat=member, parts=HeatParts(), hottest=(A, B))


def run(heats, config=None, *, score=0.9, slowmode_active=False, spacing_s=10, warm_up=True):
    """Feed flagged messages from A and B in turn with the given channel heats; return step names.

    ``warm_up`` first feeds three flagged messages from A, B, A at heat 0, so the guards (several
    members, several flags) allow every rung and the table is about heat alone (the slow-burn
    notice, which needs no heat, is switched off here and tested on its own).
    """
    config = config or LadderConfig(slow_burn_flags=20)
    state = ChannelLadder()
    if warm_up:
        for i in range(3):
            decide(state, config, scored(author=(A, B)[i % 2], score=score, mid=100 + i), reading(0.0), T0)
    names = []
    for i, heat in enumerate(heats):
        steps = decide(state, config, scored(author=(A, B)[i % 2], score=score, mid=i + 1), reading(heat),
                       T0 + timedelta(seconds=i * spacing_s), slowmode_active=slowmode_active)
        names.append(",".join(type(step).__name__ for step in steps))
    return names, state


# Default thresholds: notice 1.5, slowmode 3, thread 4.5, alert 6; exit ratio 0.6.
@pytest.mark.parametrize(
    ("name", "heats", "expected"),
    [
        ("calm stays quiet", [0.2, 0.5, 1.0, 1.4], ["", "", "", ""]),
        ("notice at the first threshold", [1.0, 1.6], ["", "Notice"]),
        # beyond the notice, both members must go on after it: the slowmode comes two messages later
        ("one rung per message on a spike", [7.0, 7.0, 7.0, 7.0, 7.0, 7.0],
         ["Notice", "", "Slowmode", "SuggestThread", "ModAlert", ""]),
        ("climbs only as far as the level", [3.2, 3.2, 3.2, 3.2], ["Notice", "", "Slowmode", ""]),
        ("hysteresis: dipping just below does not restart", [1.6, 1.2, 1.6, 1.2], ["Notice", "", "", ""]),
        ("a new episode after calm starts at the bottom again (the notice's repeat guard still runs)",
         [3.5, 3.5, 3.5, 0.1, 3.5, 3.5, 3.5], ["Notice", "", "Slowmode", "", "", "", "Slowmode"]),
    ],
)
def test_channel_rungs(name, heats, expected):
    names, _ = run(heats)
    assert names == expected, name


def test_new_episode_posts_a_notice_when_the_repeat_guard_has_passed():
    names, _ = run([3.5, 3.5, 3.5, 0.1, 3.5, 3.5, 3.5], spacing_s=150)
    assert names == ["Notice", "", "Slowmode", "", "Notice", "", "Slowmode"]


def test_episode_ends_only_below_the_exit_threshold():
    _, state = run([1.6, 0.95])  # 0.95 >= 1.5 * 0.6: still level 1
    assert (state.level, state.rung) == (1, 1)
    _, state = run([1.6, 0.85])
    assert (state.level, state.rung) == (0, 0)


@pytest.mark.parametrize(
    ("steps", "heats", "expected"),
    [
        ((Rung.SLOWMODE,), [3.5, 3.5, 3.5], ["", "", "Slowmode"]),  # the notice rung is climbed silently
        ((Rung.NOTICE,), [7.0, 7.0, 7.0, 7.0], ["Notice", "", "", ""]),
        ((), [7.0, 7.0], ["", ""]),
    ],
)
def test_disabled_rungs_are_skipped(steps, heats, expected):
    names, _ = run(heats, LadderConfig(steps=steps, slow_burn_flags=20))
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
    steps = [decide(state, config, scored(author=(A, B)[i % 2], mid=i + 1), reading(7.0), T0) for i in range(7)]
    assert steps[:2] == [[], [Notice(heat=7.0, level=4)]]  # one flagged message alone does nothing
    assert steps[2] == []  # only one member went on after the notice
    assert steps[3] == [Slowmode(45, timedelta(minutes=2.5))]  # both did
    assert steps[4] == [SuggestThread((A, B))]
    assert steps[5] == [ModAlert("heat", (2, 3, 4, 5, 6), (A, B), 7.0, f"heat:100:{int(T0.timestamp())}")]
    assert steps[6] == []


# Cooldown: only after a nudge reached the member, its grace period (5 min) passed, and two more
# flagged messages followed; only in a fight (two members each flagged twice); never when disputed.
SEEN = T0  # when A's nudge reached A


def cooldown_run(messages, config=None, *, disputed=False, member_heat=2.0):
    """messages: (author, minutes after T0, flagged). Return the index that cooled A down, or None."""
    state, config = ChannelLadder(), config or LadderConfig()
    for i, (author, minutes, flagged) in enumerate(messages):
        message = scored(author=author, mid=i + 1, flagged=flagged, seen=SEEN if author == A else None,
                         disputed=disputed)
        steps = decide(state, config, message, reading(0.5, member_heat), T0 + timedelta(minutes=minutes))
        if any(isinstance(step, Cooldown) and step.member_id == A for step in steps):
            return i
    return None


@pytest.mark.parametrize(
    ("name", "messages", "expected"),
    [
        ("keeps going after the grace period", [(A, 0, True), (B, 0, True), (B, 0.5, True), (A, 5.5, True),
                                                (A, 6, True)], 4),
        ("one flagged line from the other member is no fight", [(A, 0, True), (B, 0, True), (A, 5.5, True),
                                                                 (A, 6, True), (A, 7, True)], None),
        ("inside the grace period nothing counts", [(B, 0, True), (A, 1, True), (A, 2, True), (A, 3, True),
                                                     (A, 4, True)], None),
        ("a single flagged member is never cooled down", [(A, 5.5, True), (A, 6, True), (A, 7, True)], None),
        ("civil messages are no strikes", [(B, 0, True), (B, 5, True), (A, 5.5, False), (A, 6, False)], None),
        ("a civil message in between: the run starts again", [(A, 0, True), (B, 0, True), (B, 1, True),
                                                               (A, 5.5, True),
                                                               (A, 6, False), (A, 7, True), (A, 7.5, True),
                                                               (A, 8, True)], 7),
        ("scattered misfires are not most of what she wrote", [(A, 0, True), (B, 0, True), (B, 1, True),
                                                                (A, 5.5, True),
                                                                (A, 6, False), (A, 6.5, False), (A, 7, True)],
         None),
    ],
)
def test_cooldown_rule(name, messages, expected):
    assert cooldown_run(messages) == expected, name


def test_no_cooldown_before_the_nudge_was_seen():
    state, config = ChannelLadder(), LadderConfig()
    for i, (author, minutes) in enumerate([(B, 0), (A, 6), (A, 7), (A, 8)]):
        steps = decide(state, config, scored(author=author, mid=i + 1, seen=None), reading(0.5, 2.0),
                       T0 + timedelta(minutes=minutes))
        assert not any(isinstance(step, Cooldown) for step in steps)


def test_a_disputed_nudge_blocks_the_automatic_cooldown():
    messages = [(A, 0, True), (B, 0, True), (B, 0.5, True), (A, 5.5, True), (A, 6, True)]
    assert cooldown_run(messages) == 4
    assert cooldown_run(messages, disputed=True) is None


def test_the_grace_period_is_configurable():
    messages = [(A, 0, True), (B, 0, True), (B, 0.5, True), (A, 1.5, True), (A, 2, True)]
    assert cooldown_run(messages) is None
    assert cooldown_run(messages, LadderConfig(grace_minutes=1)) == 4


def test_one_alert_per_incident_the_cooldown_alert_replaces_the_heat_alert():
    state, config = ChannelLadder(), LadderConfig()
    alerts = []
    for i, (author, minutes) in enumerate([(B, 0), (A, 5.5), (B, 5.6), (A, 6), (B, 6.1), (A, 6.2), (A, 6.3)]):
        steps = decide(state, config, scored(author=author, mid=i + 1, seen=SEEN if author == A else None),
                       reading(7.0, 2.0), T0 + timedelta(minutes=minutes))
        alerts += [step for step in steps if isinstance(step, ModAlert)]
    assert len(alerts) == 1
    assert alerts[0].incident.startswith("heat:100:")


def test_bystander_counterspeech_is_no_flag():
    state, config = ChannelLadder(), LadderConfig()
    for i in range(6):
        decide(state, config, scored(author=A, mid=i + 1, deescalating=True), reading(7.0), T0)
    assert state.flags.count() == 0 and state.rung == 0


@pytest.mark.parametrize(
    ("cooling", "steps_enabled", "expected"),
    [
        (True, ALL_RUNGS, []),
        (False, (Rung.COOLDOWN,), ["Cooldown"]),  # alerts off: no alert
        (False, ALL_RUNGS, ["Cooldown", "ModAlert"]),
    ],
)
def test_cooldown_needs_no_running_cooldown_and_its_rung(cooling, steps_enabled, expected):
    # low heat beside many flags isolates the cooldown's guards (the slow-burn notice is tested on its own)
    state, config = ChannelLadder(), LadderConfig(steps=steps_enabled, slow_burn_flags=20)
    later = T0 + timedelta(minutes=6)
    decide(state, config, scored(mid=9, seen=SEEN), reading(0.5, 2.0), later - timedelta(minutes=5.5))
    decide(state, config, scored(author=B, mid=1), reading(0.5, 2.0), later)
    decide(state, config, scored(author=B, mid=4), reading(0.5, 2.0), later)
    decide(state, config, scored(mid=2, seen=SEEN), reading(0.5, 2.0), later, author_cooling_down=cooling)
    steps = decide(state, config, scored(mid=3, seen=SEEN), reading(0.5, 2.0), later, author_cooling_down=cooling)
    assert [type(step).__name__ for step in steps] == expected


def _cooled(rows):
    """rows: (author, addressed member or None, minutes after T0), all flagged; A's nudge was seen at T0."""
    state, config, cooled = ChannelLadder(), LadderConfig(), []
    for i, (author, to, minutes) in enumerate(rows):
        message = replace(scored(author=author, mid=i + 1, seen=SEEN if author == A else None), reply_to_author_id=to)
        steps = decide(state, config, message, reading(0.5, 2.0), T0 + timedelta(minutes=minutes))
        cooled += [step.member_id for step in steps if isinstance(step, Cooldown)]
    return cooled


def test_only_a_member_of_the_fight_is_cooled_down():
    """B and C fight. A, whom the model keeps flagging, addresses nobody: A is no combatant. The same
    messages with A and B at each other: A is one side of a fight and is cooled down."""
    fight = [(B, C, 0), (C, B, 0.2), (B, C, 0.4), (C, B, 0.6)]
    a_aside = [(A, None, 0.8), (A, None, 6), (A, None, 6.5), (A, None, 7)]
    assert A not in _cooled([*fight, *a_aside])
    a_and_b = [(B, C, 0), (C, B, 0.2), (B, A, 0.4), (C, B, 0.6), (A, B, 0.8), (A, B, 6), (A, B, 6.5), (A, B, 7)]
    assert A in _cooled(a_and_b)


def test_thread_suggestion_and_alert_name_only_the_two_sides():
    """A and B fight; C, flagged once for calling A out, has the most heat: C is named nowhere."""
    state, config = ChannelLadder(), LadderConfig()
    hot = HeatReading(channel_heat=7.0, member_heat=0.0, parts=HeatParts(), hottest=(C, A, B))
    steps = []
    for i, author in enumerate([A, B, C, A, B, A, B, A]):
        steps += decide(state, config, scored(author=author, mid=i + 1), hot, T0 + timedelta(seconds=10 * i))
    thread = next(step for step in steps if isinstance(step, SuggestThread))
    alert = next(step for step in steps if isinstance(step, ModAlert))
    assert thread.member_ids == (A, B)
    assert alert.member_ids == (A, B) and 3 not in alert.message_ids  # message 3 is C's


def test_a_pile_on_gets_a_plea_for_room_naming_no_one_not_a_thread_for_its_crowd():
    """C, d and e each insult B, then go on: a pile-on, no fight. The thread rung asks the channel
    to give B room (pileon=True); a thread would only move the crowd."""
    state, config = ChannelLadder(), LadderConfig()
    d, e = 7, 8
    hot = HeatReading(channel_heat=7.0, member_heat=0.0, parts=HeatParts(), hottest=(C, d, e))
    steps = []
    for i, author in enumerate([C, d, e, C, d, e, C]):
        message = replace(scored(author=author, mid=i + 1), reply_to_author_id=B)
        steps += decide(state, config, message, hot, T0 + timedelta(seconds=10 * i))
    thread = next(step for step in steps if isinstance(step, SuggestThread))
    assert thread.pileon and set(thread.member_ids) == {C, d, e}


def test_in_a_fight_the_thread_suggestion_names_the_pair_that_fights():
    state, config = ChannelLadder(), LadderConfig()
    hot = HeatReading(channel_heat=7.0, member_heat=0.0, parts=HeatParts(), hottest=(B, A))
    steps = []
    for i, author in enumerate([A, B, A, B, A, B, A, B]):
        steps += decide(state, config, scored(author=author, mid=i + 1), hot, T0 + timedelta(seconds=10 * i))
    thread = next(step for step in steps if isinstance(step, SuggestThread))
    assert not thread.pileon and thread.member_ids == (B, A)  # hottest first


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # one member belittles every 20 minutes: heat has long decayed, the second gets a notice
        ([(A, 0), (B, 5, False), (A, 20), (B, 25, False), (A, 40)], ["", "", "Notice", "", ""]),
        # the same member, but 70 minutes apart: never two within the hour
        ([(A, 0), (A, 70), (A, 140)], ["", "", ""]),
        # three different members once each: no slow burn
        ([(A, 0), (B, 20), (C, 40)], ["", "", ""]),
        # a third and fourth flag within the hour of the notice do not repeat it
        ([(A, 0), (A, 20), (A, 40), (A, 55), (A, 85)], ["", "Notice", "", "", "Notice"]),
        # a flag and the member's own near miss after it are one verdict: no notice
        ([(A, 0), (A, 20, "near")], ["", ""]),
    ],
)
def test_a_slow_burn_gets_the_calm_notice_and_nothing_more(rows, expected):
    state, config, names = ChannelLadder(), LadderConfig(), []
    for i, (author, minutes, *flag) in enumerate(rows):
        kind = flag[0] if flag else True
        message = scored(author=author, mid=i + 1, flagged=kind is True,
                         score={True: 0.95, False: 0.1, "near": 0.85}[kind])
        if kind == "near":
            message = replace(message, follow_up=True)
        steps = decide(state, config, message, reading(0.2), T0 + timedelta(minutes=minutes))
        names.append(",".join(type(step).__name__ for step in steps))
    assert names == expected


def test_a_slow_burn_counts_follow_ups_and_is_forgotten_after_its_window():
    state, config = ChannelLadder(), LadderConfig()
    decide(state, config, scored(mid=1, score=0.95), reading(0.2), T0)
    near_miss = replace(scored(mid=2, score=0.8, flagged=False), follow_up=True)
    assert decide(state, config, near_miss, reading(0.2), T0 + timedelta(minutes=25)) == []
    # a flag and two near misses: three within the hour (only two real flags would need no near miss)
    steps = decide(state, config, replace(near_miss, message_id=3), reading(0.2), T0 + timedelta(minutes=50))
    assert [type(step).__name__ for step in steps] == ["Notice"]
    decide(state, config, scored(author=B, mid=4, score=0.1, flagged=False), reading(0.0), T0 + timedelta(hours=3))
    assert state.member_flags == {}


def test_near_misses_alone_never_make_a_slow_burn_once_the_flag_has_left_the_hour():
    state, config = ChannelLadder(), LadderConfig()
    decide(state, config, scored(mid=1, score=0.95), reading(0.2), T0)
    names = []
    for i, minutes in enumerate((65, 70, 75, 80)):
        near_miss = scored(mid=i + 2, score=0.85, flagged=False)
        steps = decide(state, config, near_miss, reading(0.2), T0 + timedelta(minutes=minutes))
        names.append(",".join(type(step).__name__ for step in steps))
    assert names == ["", "", "", ""]
    assert A not in state.member_flags  # nothing of hers is remembered without a flag in the hour
