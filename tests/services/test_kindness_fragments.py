"""One line sent in quick short messages is read whole: the piece that completes it is nudged, once."""
# ruff: noqa: F811  (the tests' parameters name the fixtures imported below)

from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.fragments import FragmentRuns, is_piece
from primum.domain.policy import Action
from primum.runtime.clock import FakeClock

# the kindness service's own fixtures (a temp database, a started service with a fake port)
from tests.services.test_kindness_service import (  # noqa: F401
    GENERAL,
    VENTING,
    A,
    B,
    G,
    db,
    env,
    facts,
    make_service,
)

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


async def send(service, clock, text: str, *, author: int = A, channel: int = GENERAL, after_s: float = 5):
    clock.advance(after_s)
    return await service.handle_message(facts(clock, author=author, channel=channel), text)


async def test_a_line_split_into_pieces_is_nudged_on_the_piece_that_completes_it(env) -> None:
    service, port, clock = env
    handled = [await send(service, clock, piece) for piece in ("watch", "your", "back")]
    assert [h.nudge is not None for h in handled] == [False, False, True]
    assert handled[2].decision.action is Action.NUDGE
    assert handled[2].scored.score == pytest.approx(0.95)  # the line's score, not the piece's
    assert len(port.dms) == 1


async def test_pieces_after_the_line_crossed_add_nothing(env) -> None:
    service, port, clock = env
    for piece in ("watch", "your", "back"):
        await send(service, clock, piece)
    after = [await send(service, clock, piece) for piece in ("lol", "ok")]
    assert [h.scored.score for h in after] == [pytest.approx(0.01), pytest.approx(0.01)]  # not flagged again
    assert len(port.dms) == 1


async def test_a_hide_is_judged_on_the_piece_alone(db) -> None:
    clock = FakeClock()
    service, port = make_service(db, clock, hide_threshold=0.9)
    await service.scorer.start()
    handled = [await send(service, clock, piece) for piece in ("watch", "your", "back")]
    assert handled[2].scored.score == pytest.approx(0.95)  # over the hide cut-off as a line ...
    assert handled[2].decision.action is Action.NUDGE  # ... but no piece is: a nudge, never a hide
    assert port.deleted == []


@pytest.mark.parametrize(("pieces", "gaps", "kwargs"), [
    (("watch", "your", "back"), (5, 5, 45), {}),  # a pause longer than the gap ends the run
    (("watch", "your", "back"), (5, 5, 5), {"authors": (A, B, A)}),  # another member's words are not the line
    (("watch", "your", "back"), (5, 5, 5), {"channels": (GENERAL, VENTING, GENERAL)}),
    (("watch", "I mean it is your call really", "back"), (5, 5, 5), {}),  # a long message ends the run
])
async def test_pieces_that_are_not_one_line_stay_apart(env, pieces, gaps, kwargs) -> None:
    service, port, clock = env
    authors = kwargs.get("authors", (A,) * len(pieces))
    channels = kwargs.get("channels", (GENERAL,) * len(pieces))
    handled = [await send(service, clock, p, author=a, channel=c, after_s=g)
               for p, g, a, c in zip(pieces, gaps, authors, channels, strict=True)]
    assert all(h.nudge is None for h in handled)
    assert port.dms == []


async def test_an_edit_is_scored_alone(env) -> None:
    service, _, clock = env
    await send(service, clock, "watch")
    await send(service, clock, "your")
    clock.advance(5)
    handled = await service.handle_message(facts(clock), "back", edited=True)
    assert handled.nudge is None


async def test_forgetting_a_member_drops_their_pieces(env) -> None:
    service, _, clock = env
    await send(service, clock, "watch")
    await send(service, clock, "your")
    assert len(service.fragments) == 1
    await service.records.forget(G, A, actor_id=A)
    assert len(service.fragments) == 0
    assert (await send(service, clock, "back")).nudge is None


@pytest.mark.parametrize(("text", "piece"), [
    ("you", True), ("are an", True), ("go back to", True), ("a b c d", True),
    ("this is five words long", False), ("👍", False), ("12", False), ("", False),
])
def test_a_piece_is_a_short_message_with_a_letter(text: str, piece: bool) -> None:
    assert is_piece(text) is piece


def test_runs_hold_at_most_a_few_pieces_and_expire() -> None:
    runs = FragmentRuns()
    key = (G, GENERAL, A)
    texts = []
    for i in range(12):
        found = runs.add(key, T0 + timedelta(seconds=i), f"w{i}x")
        texts.append(found.text if found else None)
    assert texts[0] is None and texts[1] == "w0x w1x"
    assert texts[-1] == " ".join(f"w{i}x" for i in range(4, 12))  # the last eight
    runs.add((G, GENERAL, B), T0 + timedelta(seconds=60), "later")  # any message drops expired runs
    assert len(runs) == 1


async def test_the_sweep_drops_pieces_once_the_gap_has_passed(env) -> None:
    service, _, clock = env
    await send(service, clock, "watch")
    clock.advance(10)
    await service.sweep()
    assert len(service.fragments) == 1  # still inside the gap
    clock.advance(25)
    await service.sweep()
    assert len(service.fragments) == 0  # no message needed: the text is not kept past the gap
