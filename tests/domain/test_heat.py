"""Heat: decay, incivility by category, alternation, rate and participants, hysteresis (tables)."""

from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.heat import HeatConfig, HeatTracker, decay, incivility, next_level, targets_of
from primum.domain.scored import ScoredMessage

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
A, B, C, D = 1, 2, 3, 4
CHANNEL = 100


def msg(author, seconds=0.0, score=0.01, *, reply_to=None, mentions=(), categories=None, channel=CHANNEL, mid=0):
    return ScoredMessage(
        guild_id=10, channel_id=channel, message_id=mid or int(seconds * 1000) + author, author_id=author,
        created_at=T0 + timedelta(seconds=seconds), reply_to_author_id=reply_to, mentioned_ids=tuple(mentions),
        score=score, categories=categories if categories is not None else {"insult": score},
        nudged=False, author_nudges_recent=0,
    )


def feed(tracker, messages):
    return [tracker.observe(m, m.created_at) for m in messages]


@pytest.mark.parametrize(
    ("value", "elapsed", "half_life", "expected"),
    [
        (1.0, 0, 300, 1.0),
        (1.0, 300, 300, 0.5),
        (4.0, 600, 300, 1.0),
        (2.0, -10, 300, 2.0),  # no growth backwards in time
    ],
)
def test_decay(value, elapsed, half_life, expected):
    assert decay(value, elapsed, half_life) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        ({"insult": 0.01}, 0.0),  # below the floor: ordinary messages add nothing
        ({"insult": 0.49}, 0.0),
        ({"insult": 0.8}, 0.8),
        ({"belittling": 0.8}, 0.8),
        ({"identity_attack": 0.8}, 1.2),  # weighted x1.5
        ({"threat": 0.9}, 1.8),  # weighted x2
        ({"profanity": 0.9}, 0.18),  # profanity barely heats
        ({"insult": 0.6, "threat": 0.6}, 1.2),  # the worst weighted category counts, not the sum
        ({}, 0.7),  # no categories: the overall score with weight 1
    ],
)
def test_incivility_is_weighted_by_category(categories, expected):
    assert incivility(msg(A, score=0.7, categories=categories), HeatConfig()) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("reply_to", "mentions", "expected"),
    [
        (None, (), ()),
        (B, (), (B,)),
        (B, (B, C), (B, C)),
        (A, (A,), ()),  # replying to or mentioning yourself is not addressing anyone
    ],
)
def test_targets(reply_to, mentions, expected):
    assert targets_of(msg(A, reply_to=reply_to, mentions=mentions)) == expected


# Civil messages only, so every bit of heat comes from the structure of the exchange.
@pytest.mark.parametrize(
    ("name", "messages", "alternation_parts"),
    [
        ("back and forth by reply", [msg(A, 0, reply_to=B), msg(B, 10, reply_to=A), msg(A, 20, reply_to=B),
                                     msg(B, 30, reply_to=A)], [0.0, 0.2, 0.4, 0.6]),
        ("by mention", [msg(A, 0, mentions=(B,)), msg(B, 10, mentions=(A,))], [0.0, 0.2]),
        ("same direction twice is not alternation", [msg(A, 0, reply_to=B), msg(A, 10, reply_to=B)], [0.0, 0.0]),
        ("too slow to count", [msg(A, 0, reply_to=B), msg(B, 181, reply_to=A)], [0.0, 0.0]),
        ("no one addressed", [msg(A, 0), msg(B, 5), msg(A, 10)], [0.0, 0.0, 0.0]),
        ("streak is capped", [msg(A if i % 2 == 0 else B, i, reply_to=B if i % 2 == 0 else A) for i in range(8)],
         [0.0, 0.2, 0.4, 0.6, 0.8, 0.8, 0.8, 0.8]),
        ("answering someone who just spoke is the second turn", [msg(A, 0), msg(B, 10, reply_to=A),
                                                                  msg(A, 20, reply_to=B)], [0.0, 0.2, 0.4]),
        ("a third member starts their own exchange", [msg(A, 0, reply_to=B), msg(C, 5, reply_to=A),
                                                      msg(B, 10, reply_to=A)], [0.0, 0.2, 0.2]),
    ],
)
def test_alternation(name, messages, alternation_parts):
    readings = feed(HeatTracker(), messages)
    assert [round(r.parts.alternation, 6) for r in readings] == pytest.approx(alternation_parts), name


def test_alternation_reports_the_partner():
    readings = feed(HeatTracker(), [msg(A, 0, reply_to=B), msg(B, 5, reply_to=A)])
    assert readings[0].alternating_with is None
    assert readings[1].alternating_with == A


@pytest.mark.parametrize(
    ("authors", "expected_participants"),
    [
        ([A], 0.0),
        ([A, B], 0.02),
        ([A, B, C, D], 0.06),
        ([A, A, A], 0.0),
        (list(range(1, 30)), 0.2),  # capped
    ],
)
def test_participants_raise_heat_mildly(authors, expected_participants):
    readings = feed(HeatTracker(), [msg(author, 0) for author in authors])
    assert readings[-1].parts.participants == pytest.approx(expected_participants)


@pytest.mark.parametrize(
    ("count", "spacing_s", "expected_rate"),
    [
        (1, 0, 0.015),
        (10, 0, 0.15),
        (20, 0, 0.3),
        (200, 0, 0.3),  # capped: volume alone never reaches the first threshold
        (2, 60, 0.3 * 1.5 / 20),  # the first message has halved after a minute
    ],
)
def test_message_rate_raises_heat_mildly(count, spacing_s, expected_rate):
    readings = feed(HeatTracker(), [msg(A, i * spacing_s) for i in range(count)])
    assert readings[-1].parts.rate == pytest.approx(expected_rate)


@pytest.mark.parametrize("spacing_s", [2, 15, 60])
def test_a_civil_back_and_forth_debate_never_reaches_the_first_threshold(spacing_s):
    """Debate is welcome: 60 quick alternating replies, with a crowd around them, stay calm."""
    tracker = HeatTracker()
    messages = []
    for i in range(60):
        author, other = (A, B) if i % 2 == 0 else (B, A)
        messages.append(msg(author, i * spacing_s, 0.3, reply_to=other))
        messages.append(msg(10 + i % 12, i * spacing_s + 1, 0.1))
    readings = feed(tracker, messages)
    assert max(r.channel_heat for r in readings) <= HeatConfig().civil_ceiling + 1e-9 < 1.5


@pytest.mark.parametrize(
    ("streak_messages", "expected_factor"),
    [(1, 1.0), (2, 1.125), (3, 1.25), (5, 1.5), (8, 1.5)],
)
def test_incivility_inside_an_exchange_is_amplified(streak_messages, expected_factor):
    tracker = HeatTracker()
    messages = [msg(A if i % 2 == 0 else B, i, 0.8, reply_to=B if i % 2 == 0 else A) for i in range(streak_messages)]
    assert feed(tracker, messages)[-1].parts.incivility == pytest.approx(0.8 * expected_factor)


def test_many_civil_messages_stay_below_the_first_threshold():
    """A busy, friendly channel (10 people, a message every 5 s for 10 minutes) is not 'heated'."""
    tracker = HeatTracker()
    members = list(range(1, 11))
    readings = feed(tracker, [msg(members[i % 10], i * 5) for i in range(120)])
    assert max(r.channel_heat for r in readings) < 1.5


def test_a_slow_hostile_exchange_heats_more_than_a_fast_friendly_one():
    slow = HeatTracker()
    hostile = [msg(A if i % 2 == 0 else B, i * 60, 0.82, reply_to=B if i % 2 == 0 else A) for i in range(4)]
    fast = HeatTracker()
    friendly = [msg(A if i % 2 == 0 else B, i * 2, 0.01) for i in range(40)]
    assert feed(slow, hostile)[-1].channel_heat > 3 * feed(fast, friendly)[-1].channel_heat


def test_channel_and_member_heat_decay_and_are_separate_per_channel():
    tracker = HeatTracker(HeatConfig(half_life_s=60, member_half_life_s=120))
    tracker.observe(msg(A, 0, 0.8), T0)
    rate = 0.3 / 20
    assert tracker.channel_heat(CHANNEL, T0) == pytest.approx(0.8 + rate)
    assert tracker.channel_heat(CHANNEL, T0 + timedelta(seconds=60)) == pytest.approx(0.4 + rate / 2)
    assert tracker.member_heat(CHANNEL, A, T0 + timedelta(seconds=120)) == pytest.approx(0.4)
    assert tracker.channel_heat(CHANNEL + 1, T0) == 0.0
    assert tracker.member_heat(CHANNEL, B, T0) == 0.0


def test_hottest_members_first_and_curve_and_prune():
    tracker = HeatTracker()
    feed(tracker, [msg(A, 0, 0.9), msg(B, 1, 0.6), msg(C, 2, 0.01)])
    now = T0 + timedelta(seconds=2)
    assert tracker.hottest(CHANNEL, now) == (A, B)  # C added no member heat
    curve = tracker.curve(CHANNEL, T0 - timedelta(seconds=10), now, 5)
    assert curve[0][1] == 0.0 and curve[-1][1] == pytest.approx(tracker.channel_heat(CHANNEL, now))
    assert tracker.prune(now + timedelta(days=1)) == 1
    assert tracker.hottest(CHANNEL, now) == ()


# Hysteresis: thresholds 1, 2, 3 with exit ratio 0.5.
@pytest.mark.parametrize(
    ("heat", "current", "expected"),
    [
        (0.0, 0, 0),
        (0.99, 0, 0),
        (1.0, 0, 1),
        (2.5, 0, 2),  # may jump levels on the way up
        (9.0, 0, 3),
        (0.6, 1, 1),  # below the threshold but above its exit: stays
        (0.49, 1, 0),
        (1.5, 2, 2),  # 2's exit is 1.0
        (0.99, 2, 1),
        (0.4, 3, 0),  # may fall several levels at once
    ],
)
def test_next_level_with_hysteresis(heat, current, expected):
    assert next_level(heat, current, (1.0, 2.0, 3.0), 0.5) == expected


def test_hysteresis_does_not_flap_around_a_threshold():
    level, levels = 0, []
    for heat in (0.9, 1.05, 0.95, 1.02, 0.8, 0.97, 0.45, 0.9):
        level = next_level(heat, level, (1.0, 2.0), 0.5)
        levels.append(level)
    assert levels == [0, 1, 1, 1, 1, 1, 0, 0]


@pytest.mark.parametrize(("thresholds", "ratio"), [((2.0, 1.0), 0.5), ((1.0, 1.0), 0.5), ((1.0,), 0.0), ((1.0,), 1.5)])
def test_next_level_refuses_bad_thresholds(thresholds, ratio):
    with pytest.raises(ValueError, match=r"thresholds|exit_ratio"):
        next_level(1.0, 0, thresholds, ratio)


def test_forgetting_a_member_drops_their_heat_and_exchanges_in_that_channel_only():
    tracker = HeatTracker()
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for i, (author, other) in enumerate([(1, 2), (2, 1), (1, 2), (2, 1)]):
        tracker.observe(_forget_case(author, other, channel=100, i=i), now + timedelta(seconds=10 * i))
    tracker.observe(_forget_case(1, 2, channel=200, i=9), now + timedelta(seconds=50))
    later = now + timedelta(seconds=60)
    assert tracker.member_heat(100, 1, later) > 0 and set(tracker.hottest(100, later)) == {1, 2}
    assert tracker.forget_member(100, 1) == 3  # heat, last seen, the (1, 2) exchange
    assert tracker.member_heat(100, 1, later) == 0.0 and tracker.hottest(100, later) == (2,)
    assert tracker.member_heat(200, 1, later) > 0  # another channel is not this forget's business
    assert tracker.forget_member(100, 1) == 0 and tracker.forget_member(999, 1) == 0


def _forget_case(author, other, *, channel, i):
    return ScoredMessage(
        guild_id=10, channel_id=channel, message_id=i + 1, author_id=author,
        created_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC), reply_to_author_id=other, mentioned_ids=(),
        score=0.95, categories={"insult": 0.95}, nudged=True, author_nudges_recent=0, flagged=True, threshold=0.7,
    )
