"""What came of a nudge: revised, withdrawn or kept, decided once when it happens (or its window ends)."""

from __future__ import annotations

from datetime import datetime

from primum.domain.policy import AfterNudge, Outcome, classify_outcome
from primum.runtime.events import EventSink
from primum.storage.kindness import KindnessRepository, NudgeRecord


async def settle(repo: KindnessRepository, events: EventSink, nudge: NudgeRecord, happened: AfterNudge,
                 now: datetime, *, edit_score: float | None = None) -> Outcome | None:
    """Record the outcome ``happened`` means for an open nudge (once: a repeat records nothing).

    An edit that decides nothing yet (still inside the window and still over) keeps its score.
    """
    outcome = classify_outcome(happened, at=now, deadline=nudge.deadline)
    if outcome is None:
        if edit_score is not None:
            await repo.note_edit_score(nudge.id, edit_score)
        return None
    if not await repo.resolve(nudge.id, outcome.value, now, edit_score=edit_score):
        return None
    events.emit(
        "nudge_outcome", guild_id=nudge.guild_id, channel_id=nudge.channel_id, message_id=nudge.message_id,
        author_id=nudge.author_id, nudge_id=nudge.id, outcome=outcome.value, category=nudge.category,
        seconds_after_nudge=round((now - nudge.created_at).total_seconds(), 3),
    )
    return outcome
