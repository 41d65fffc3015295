"""The sustained-incivility guards, played through heat and the ladder together with an injected clock.

Each conversation is a table row: who speaks, when, whether be-kind flagged the message (a bad
model may flag anything), and what the policy may do. The point: policy alone keeps a civil
member safe from slowmode, cooldowns and timeouts, whatever the model says about one person.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.counterspeech import Signals, counterspeech_reason
from primum.domain.heat import HeatConfig, HeatTracker, incivility, margin_factor
from primum.domain.incidents import FlagWindow, Guards, follows_up, highest_channel_rung, notice_evidence
from primum.domain.ladder import ChannelLadder, Cooldown, Slowmode, addressed, decide
from primum.domain.ladder_config import LadderConfig
from primum.domain.scored import ScoredMessage

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
A, B, C, D, E = 1, 2, 3, 4, 5
PARTNER = {A: B, B: A, C: A, D: B, E: B}


def message(i, author, seconds, flagged, *, score=None, seen=None, deescalating=False):
    value = score if score is not None else (0.92 if flagged else 0.2)
    return ScoredMessage(
        guild_id=10, channel_id=100, message_id=i + 1, author_id=author,
        created_at=T0 + timedelta(seconds=seconds), reply_to_author_id=PARTNER[author], mentioned_ids=(),
        score=value, categories={"insult": value}, nudged=False, author_nudges_recent=0,
        flagged=flagged, threshold=0.7, nudge_seen_at=seen, deescalating=deescalating,
    )


def play(rows, config=None, *, seen=None):
    """rows: (author, seconds, flagged). Return every step type name, in order."""
    tracker, state, config = HeatTracker(), ChannelLadder(), config or LadderConfig()
    names = []
    for i, (author, seconds, flagged) in enumerate(rows):
        scored = message(i, author, seconds, flagged, seen=(seen or {}).get(author))
        now = scored.created_at
        reading = tracker.observe(scored, now)
        names += [type(step).__name__ for step in decide(state, config, scored, reading, now)]
    return names


def back_and_forth(n, flagged_authors, gap_s=20.0):
    return [((A, B)[i % 2], i * gap_s, (A, B)[i % 2] in flagged_authors) for i in range(n)]


SANCTIONS = {"Slowmode", "Cooldown", "SuggestThread", "ModAlert"}


@pytest.mark.parametrize(
    ("name", "rows", "allowed"),
    [
        ("civil back-and-forth never escalates", back_and_forth(40, set()), set()),
        ("a bad model flags everything one member says: a notice at most",
         back_and_forth(40, {A}), {"Notice"}),
        ("one sharp line in a civil thread: nothing but its nudge",
         [*back_and_forth(10, set()), (A, 200, True), *[(r[0], 220 + r[1], r[2]) for r in back_and_forth(10, set())]],
         set()),
        ("one member on a rant, nobody answers in kind", [(A, i * 10.0, True) for i in range(12)], {"Notice"}),
        ("A belittles B; a colleague defending B is misflagged once",
         [(A, 0, True), (B, 20, False), (A, 40, True), (C, 60, True), (A, 80, True), (B, 100, False),
          (A, 120, True), (A, 140, True)], {"Notice"}),
        ("A belittles B; B's one reply is misflagged",
         [(A, 0, True), (B, 20, False), (A, 40, True), (B, 60, True), (A, 80, True), (A, 100, True),
          (B, 120, False), (A, 140, True)], {"Notice"}),
    ],
)
def test_civil_members_are_never_sanctioned(name, rows, allowed):
    seen = {A: T0 - timedelta(hours=1), B: T0 - timedelta(hours=1)}  # even with nudges long read
    names = play(rows, seen=seen)
    assert set(names) <= allowed, name


def test_a_real_two_person_escalation_is_de_escalated_in_steps():
    names = play(back_and_forth(6, {A, B}))
    assert names[:2] == ["Notice", "Slowmode"]


def test_a_pile_on_is_de_escalated_though_nobody_was_flagged_twice_before_it():
    # A, D and E each address B with one flagged message; A goes on after the notice
    names = play([(A, 0, True), (D, 10, True), (E, 20, True), (A, 30, True)])
    assert names == ["Notice", "Slowmode"]


def test_three_flagged_members_addressing_different_people_are_no_pile_on():
    names = play([(A, 0, True), (D, 10, True), (C, 20, True), (A, 30, True)])  # C addresses A, not B
    assert names == ["Notice"]


def test_a_single_flagged_message_never_slows_the_channel():
    names = play([(A, 0, True), (B, 5, False), (A, 10, False)], LadderConfig(notice_min_flags=1))
    assert "Slowmode" not in names and "Cooldown" not in names


def test_cooldown_only_after_the_grace_period_and_more_unkind_messages():
    seen = {A: T0, B: T0}
    fast = play(back_and_forth(12, {A, B}, gap_s=20), seen=seen)  # all within 4 minutes of the nudge
    assert "Cooldown" not in fast
    slow = play(back_and_forth(24, {A, B}, gap_s=20), seen=seen)  # goes on past 5 minutes
    assert "Cooldown" in slow


@pytest.mark.parametrize(
    ("messages", "notice_at", "expected"),
    [
        # (author, flagged) in order; notice_at: the message (1-based) at which the notice rung was reached
        ([], None, 0),
        ([(A, True)], None, 0),
        ([(A, True), (A, True)], None, 1),
        ([(A, True)] * 4, 2, 1),  # one member: a notice at most
        ([(A, True), (B, True)], None, 1),  # two members, two flags: still a notice at most
        ([(A, True), (C, False), (C, False), (C, False), (C, False), (C, False), (B, True)], None, 0),  # scattered
        ([(A, True), (B, True), (A, True)], 2, 1),  # only one flag after the notice
        ([(A, True), (B, True), (A, True), (B, True)], 2, 4),  # both went on after the notice
        ([(A, True), (B, True), (A, True), (A, True)], 2, 1),  # only A went on
        ([(A, True), (B, True), (A, True), (C, False), (C, False), (C, False), (C, False), (B, True)], 2, 1),
        ([(A, True), (A, True), (B, True), (A, True), (A, True)], 2, 1),  # B flagged once: no fight
        ([(A, True), (A, True), (B, True), (A, True), (B, True)], 2, 4),  # B twice: a fight
        ([(A, True), (A, True), (C, True), (A, True), (C, True)], 2, 1),  # both kept it up, not at each other
    ],
)
def test_highest_channel_rung(messages, notice_at, expected):
    window = FlagWindow()
    for i, (author, flagged) in enumerate(messages):
        window.observe(T0, author, i + 1, flagged, (PARTNER[author],))
    assert highest_channel_rung(window, Guards(), notice_at) == expected


@pytest.mark.parametrize(
    ("flagged", "deescalating", "score", "expected"),
    [
        (False, False, 0.95, 0.0),  # not flagged by be-kind: no heat, whatever the score
        (True, True, 0.95, 0.0),  # a bystander's "both of you please stop"
        (True, False, 0.7, 0.7 * 0.7),  # just over the cut-off: 70 % of its strength
        (True, False, 1.0, 1.0),
        (None, False, 0.8, 0.8),  # unknown: as before
    ],
)
def test_heat_counts_only_flagged_messages_by_margin(flagged, deescalating, score, expected):
    scored = message(0, A, 0, bool(flagged), score=score, deescalating=deescalating)
    scored = ScoredMessage(**{**scored.__dict__, "flagged": flagged})
    assert incivility(scored, HeatConfig()) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("flagged", "follow_up", "score", "categories", "expected"),
    [
        (False, True, 0.85, {"insult": 0.85}, 0.85 * 0.7),  # a near miss kept up: as if just over the cut-off
        (False, False, 0.85, {"insult": 0.85}, 0.0),  # the same near miss from anyone else: nothing
        (True, False, 0.96, {"insult": 0.3, "threat": 0.2}, 0.96 * 0.85),  # no category says why: overall
        (True, False, 0.96, {"profanity": 0.9}, 0.9 * 0.2 * 0.85),  # profanity still barely heats
    ],
)
def test_follow_ups_and_flags_without_a_category_heat(flagged, follow_up, score, categories, expected):
    scored = replace(message(0, A, 0, flagged, score=score), categories=categories, threshold=0.92,
                     follow_up=follow_up)
    assert incivility(scored, HeatConfig()) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("earlier", "now", "expected"),
    [
        ((A, True), (A, 0.8, False), True),  # flagged, then a near miss by the same member
        ((B, True), (A, 0.8, False), False),  # someone else was flagged
        ((A, False), (A, 0.8, False), False),  # nobody flagged yet
        ((A, True), (A, 0.5, False), False),  # calmer than the follow-up score
        ((A, True), (A, 0.8, True), False),  # counter-speech by a bystander is never heat
    ],
)
def test_follows_up(earlier, now, expected):
    window = FlagWindow()
    window.observe(T0, earlier[0], 1, earlier[1], (PARTNER[earlier[0]],))
    author, score, deescalating = now
    scored = message(1, author, 30, False, score=score, deescalating=deescalating)
    assert follows_up(window, scored, 0.75) is expected


def test_a_lone_member_s_near_misses_are_not_notice_evidence():
    # one flag and its author's own messages just under the cut-off are one model verdict: the
    # private nudge answers it, the room gets no notice (two flags of their own still do)
    window = FlagWindow()
    window.observe(T0, A, 1, True, (B,))
    window.observe(T0, B, 2, False, (A,))
    for i in (3, 5):
        window.observe(T0, A, i, False, (B,), follow_up=True)
        window.observe(T0, B, i + 1, False, (A,))
    assert not notice_evidence(window, Guards()) and highest_channel_rung(window, Guards(), None) == 0
    window.observe(T0, A, 7, True, (B,))
    assert notice_evidence(window, Guards())


def test_follow_ups_count_once_two_members_are_flagged_and_never_allow_more():
    window = FlagWindow()
    window.observe(T0, A, 1, True, (B,))
    for i in range(2, 8):  # the two flags end up too far apart to be dense
        window.observe(T0, C, i, False)
    window.observe(T0, B, 8, True, (A,))
    assert not notice_evidence(window, Guards())
    window.observe(T0, A, 9, False, (B,), follow_up=True)  # A keeps it up, and B is flagged too
    assert notice_evidence(window, Guards()) and highest_channel_rung(window, Guards(), None) == 1
    for i in range(10, 30):  # both keep going under the cut-off after the notice
        window.observe(T0, A if i % 2 else B, i, False, (B if i % 2 else A,), follow_up=True)
    assert highest_channel_rung(window, Guards(), 9) == 1
    assert len(window.follow_ups) == 21 and window.count() == 2
    assert window.forget_member(A) == 1 + 12 + 11  # flags, messages, follow-ups
    assert all(A not in flag.targets for flag in window.follow_ups)


def test_margin_factor_edges():
    assert margin_factor(0.9, None, 0.7) == 1.0
    assert margin_factor(0.5, 0.7, 0.7) == pytest.approx(0.7)


@pytest.mark.parametrize(
    ("text", "signals", "expected"),
    [
        ("whoa… both of you please stop", Signals(), True),
        ("this is way over the line. reporting to the mods", Signals(), True),
        ("let's keep it civil folks", Signals(), True),
        ("calm down, everyone", Signals(), True),
        ("anything", Signals(mentions_moderators=True), True),
        ("you are an idiot", Signals(), False),
        ("stop being such a moron " + "word " * 40, Signals(), False),  # long rants are not excused
        ("i'll meet you halfway: public option, private on top", Signals(), False),
    ],
)
def test_counterspeech(text, signals, expected):
    assert (counterspeech_reason(text, signals) is not None) == expected


def test_cooldown_step_names_the_strikes():
    state, config = ChannelLadder(), LadderConfig()
    tracker = HeatTracker()
    steps = []
    for i, (author, minutes) in enumerate([(B, 0), (A, 0.1), (B, 0.2), (A, 6), (B, 6.1), (A, 6.2)]):
        scored = message(i, author, minutes * 60, True, seen=T0)
        steps += decide(state, config, scored, tracker.observe(scored, scored.created_at), scored.created_at)
    cooldowns = [step for step in steps if isinstance(step, Cooldown)]
    assert cooldowns and cooldowns[0].strikes == 2
    assert any(isinstance(step, Slowmode) for step in steps)


def test_a_flagged_reply_to_a_flagged_message_joins_in_on_its_target():
    window = FlagWindow()
    window.observe(T0, A, 1, True, (B,))  # A insults B
    window.observe(T0, C, 2, True, (A,), reply_to=1)  # C answers A's insult, piling on B
    window.observe(T0, D, 3, True, (C,), reply_to=2)  # D answers C: joins in on B (and A)
    assert [flag.targets for flag in window.flags] == [(B,), (A, B), (C, A, B)]
    assert window.pileons()[B] == {A, C, D}  # a pile-on of three on B


def test_a_reply_to_an_unflagged_message_joins_in_on_nobody():
    window = FlagWindow()
    window.observe(T0, A, 1, False, (B,))
    window.observe(T0, C, 2, True, (A,), reply_to=1)
    assert [flag.targets for flag in window.flags] == [(A,)]


def test_two_members_venting_at_the_system_are_no_fight():
    # each flagged twice (a model that dislikes venting), neither addresses the other, others between
    window = FlagWindow()
    for i, (author, flagged) in enumerate([(A, True), (C, False), (B, True), (C, False), (A, True), (D, False),
                                           (B, True), (A, False), (B, False)]):
        window.observe(T0 + timedelta(seconds=20 * i), author, i + 1, flagged)
    assert window.sustained(2) == {A, B} and window.fighting_pairs(2) == set()
    assert highest_channel_rung(window, Guards(), notice_seq=3) == 1


def test_two_members_trading_insults_without_replying_are_a_fight():
    # back to back, no reply or mention: each flagged message answers the one right before it
    window = FlagWindow()
    for i, author in enumerate([A, B, A, B]):
        window.observe(T0 + timedelta(seconds=20 * i), author, i + 1, True)
    assert window.fighting_pairs(2) == {(A, B)}
    assert highest_channel_rung(window, Guards(), notice_seq=2) == 4


def test_a_flagged_message_long_after_the_last_one_answers_no_one():
    window = FlagWindow()
    window.observe(T0, A, 1, True)
    window.observe(T0 + timedelta(minutes=4), B, 2, True)
    assert [flag.targets for flag in window.flags] == [(), ()]


def test_forgetting_a_member_drops_their_flags_and_their_id_from_others():
    window = FlagWindow()
    for i, author in enumerate([A, B, A, B]):
        window.observe(T0 + timedelta(seconds=20 * i), author, i + 1, True)
    window.observe(T0 + timedelta(seconds=100), C, 5, False)
    assert window.fighting_pairs(2) == {(A, B)}
    assert window.forget_member(A) == 2 + 2  # two flags and their two messages
    assert [flag.author_id for flag in window.flags] == [B, B]
    assert all(A not in flag.targets for flag in window.flags)
    assert [seen.author_id for seen in window.messages] == [B, B, C]
    assert window.fighting_pairs(2) == set() and highest_channel_rung(window, Guards(), notice_seq=2) <= 1
    assert window.forget_member(A) == 0


def _first_slowmode(replying, *, score, gap_s, implicit=True):
    """Two members trade insults ``gap_s`` apart; the message index of the first Slowmode (None: never)."""
    tracker, state, config = HeatTracker(), ChannelLadder(), LadderConfig()
    for i in range(12):
        author = (A, B)[i % 2]
        scored = message(i, author, gap_s * i, True, score=score)
        if not replying:
            scored = replace(scored, reply_to_author_id=None)
        now = scored.created_at
        if implicit:
            scored = addressed(state, config, scored, now)
        if any(isinstance(step, Slowmode) for step in decide(state, config, scored, tracker.observe(scored, now), now)):
            return i
    return None


@pytest.mark.parametrize(("score", "gap_s"), [(0.8, 45), (0.75, 90)])
def test_insults_traded_without_replies_are_slowed_as_soon_as_replied_ones(score, gap_s):
    replied = _first_slowmode(True, score=score, gap_s=gap_s)
    assert replied is not None and replied <= 4
    assert _first_slowmode(False, score=score, gap_s=gap_s) == replied
    # without the implicit answer, heat missed the exchange: later or never
    unanswered = _first_slowmode(False, score=score, gap_s=gap_s, implicit=False)
    assert unanswered is None or unanswered > replied

def test_addressed_names_whom_an_unaddressed_flagged_message_answers():
    state, config = ChannelLadder(), LadderConfig()
    first = replace(message(0, A, 0, True), reply_to_author_id=None)
    decide(state, config, first, HeatTracker().observe(first, first.created_at), first.created_at)
    answer = replace(message(1, B, 30, True), reply_to_author_id=None)
    assert addressed(state, config, answer, answer.created_at).answering_id == A
    civil = replace(message(1, B, 30, False), reply_to_author_id=None)
    assert addressed(state, config, civil, civil.created_at).answering_id is None  # only flagged ones
    late = replace(message(1, B, 400, True), reply_to_author_id=None)
    assert addressed(state, config, late, late.created_at).answering_id is None  # long after
    replying = message(1, B, 30, True)
    assert addressed(state, config, replying, replying.created_at) is replying  # already addresses A


@pytest.mark.parametrize(("authors", "rung"), [
    ((A, A), 1),  # one member's belittling scattered through a thread: a slow burn, a notice
    ((A, C), 0),  # two members each misflagged once, far apart: scattered misfires, nothing
])
def test_scattered_flags_allow_a_notice_only_when_one_member_keeps_it_up(authors, rung):
    window = FlagWindow()
    for i in range(14):  # two flags seven messages apart, civil messages between them
        author = authors[0] if i == 2 else authors[1] if i == 9 else (B, D)[i % 2]
        window.observe(T0 + timedelta(seconds=40 * i), author, i + 1, i in (2, 9), (B,) if i in (2, 9) else ())
    assert window.dense() < 2
    assert highest_channel_rung(window, Guards()) == rung
