"""The author's answer to a nudge: "I'll edit it", "Keep it as is" or "This was a mistake"."""

from __future__ import annotations

from dataclasses import dataclass

from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.storage.kindness import KindnessRepository


@dataclass(frozen=True)
class ResponseResult:
    """The answer to a button press."""

    ok: bool
    message: str


async def respond(repo: KindnessRepository, clock: Clock, events: EventSink, nudge_id: int, user_id: int,
                  response: str) -> ResponseResult:
    """Record the author's answer (the first one counts); a mistake becomes a report for review."""
    nudge = await repo.nudge(nudge_id)
    if nudge is None:
        return ResponseResult(False, "This nudge no longer exists (its data may have been deleted).")
    if nudge.author_id != user_id:
        return ResponseResult(False, "Only the author of the message can answer this note.")
    first = await repo.set_response(nudge_id, response)
    if response == "mistake":
        reported = await repo.report_mistake(nudge, clock.now())
        if reported:
            events.emit(
                "nudge_report", guild_id=nudge.guild_id, channel_id=nudge.channel_id,
                message_id=nudge.message_id, nudge_id=nudge.id, category=nudge.category,
            )
        return ResponseResult(True, "Thank you — the owners will review it. Nothing happens to you or your message.")
    events.emit("nudge_response", nudge_id=nudge.id, response=response, first=first)
    if response == "will_edit":
        return ResponseResult(True, "Thank you. Edit it any time in the next few minutes; nothing else happens.")
    return ResponseResult(True, "Understood. Your message stays as it is; nothing else happens.")
