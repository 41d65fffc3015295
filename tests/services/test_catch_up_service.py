# mypy: disable-error-code="union-attr"
"""Catch-up rules without Discord: marks, the age window, no nudge for old messages, no old heat."""


import pytest

from primum.domain.scored import ScoredMessage
from primum.runtime.clock import FakeClock
from primum.services.catch_up import CatchUpResult, CatchUpService
from primum.settings import CatchUpSettings
from primum.storage.scored_marks import ScoredMarksRepository
from tests.services.test_kindness_service import GENERAL, UNKIND, db, facts, make_service  # noqa: F401

KIND = "Thanks, that helped."


@pytest.fixture
async def env(db):  # noqa: F811
    clock = FakeClock()
    kindness, port = make_service(db, clock, nudge_window_minutes=0)
    await kindness.scorer.start()
    heat: list[ScoredMessage] = []
    kindness.on_scored = heat.append
    service = CatchUpService(kindness=kindness, marks=ScoredMarksRepository(db), settings=CatchUpSettings(),
                             clock=clock, events=kindness.events)
    return service, port, clock, heat


async def test_a_first_start_catches_nothing_up(env) -> None:
    service, _, _, _ = env
    assert await service.window(1) is None


async def test_missed_messages_are_scored_once_and_only_recent_ones_nudged_or_heated(env) -> None:
    service, port, clock, heat = env
    live = facts(clock)
    await service.seen(live, await service.kindness.handle_message(live, KIND))
    heat.clear()
    old = facts(clock)  # posted while Primum was down, 15 minutes before it came back
    recent = facts(clock)
    clock.advance(14 * 60)
    quite_recent = facts(clock)
    clock.advance(60)
    window = await service.window(1)
    assert window is not None and window.after(GENERAL) == live.message_id
    result = CatchUpResult()
    assert await service.handle_missed(window, live, KIND, result) is None  # already scored
    first = await service.handle_missed(window, old, UNKIND, result)
    assert first is not None and first.nudge is None  # 15 min old: scored, not nudged
    assert (await service.handle_missed(window, recent, "you idiot", result)).nudge is None
    handled = await service.handle_missed(window, quite_recent, UNKIND, result)
    assert handled.nudge is not None and len(port.dms) == 1  # 1 min old: nudged privately
    assert heat == [handled.scored]  # only the 1-minute-old message feeds de-escalation
    assert (result.scored, result.nudged, result.not_nudged_old, result.skipped_seen) == (3, 1, 2, 1)
    # A second catch-up (another session reset) finds nothing new and never acts twice.
    again = CatchUpResult()
    window = await service.window(1)
    for message in (old, recent, quite_recent):
        assert await service.handle_missed(window, message, UNKIND, again) is None
    assert again.skipped_seen == 3 and len(port.dms) == 1


async def test_messages_older_than_the_window_are_left_alone(env) -> None:
    service, port, clock, _ = env
    live = facts(clock)
    await service.seen(live, await service.kindness.handle_message(live, KIND))
    ancient = facts(clock)
    clock.advance(minutes=31)
    result = CatchUpResult()
    assert await service.handle_missed(await service.window(1), ancient, UNKIND, result) is None
    assert result.skipped_old == 1 and result.scored == 0 and port.dms == []


async def test_a_message_not_scored_live_is_not_marked_so_catch_up_scores_it(env) -> None:
    service, _, clock, _ = env
    first = facts(clock)
    await service.seen(first, await service.kindness.handle_message(first, KIND))
    service.kindness.load_wait_s = 0.0
    service.kindness.scorer._state = service.kindness.scorer._state.LOADING  # scorer reloading
    missed = facts(clock)
    handled = await service.kindness.handle_message(missed, UNKIND)
    assert handled.skipped == "scorer_loading"
    await service.seen(missed, handled)
    service.kindness.scorer._state = service.kindness.scorer._state.READY
    window = await service.window(1)
    assert window.after(GENERAL) == first.message_id
    result = CatchUpResult()
    assert (await service.handle_missed(window, missed, UNKIND, result)).nudge is not None
