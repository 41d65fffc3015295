"""Other features' events as cases: one mapping from the event stream to the record.

Features announce what they did (``hide``, ``slowmode``, ``cooldown``, ``verified``); the
Moderation cog turns each into an :class:`~primum.domain.cases.ActionRecord` here, so no feature
has to know about cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from primum.domain.cases import ActionRecord


def _jump(guild_id: Any, channel_id: Any, message_id: Any = None) -> str | None:
    if guild_id is None or channel_id is None:
        return None
    tail = f"/{message_id}" if message_id is not None else ""
    return f"https://discord.com/channels/{guild_id}/{channel_id}{tail}"


def action_from_event(event: Mapping[str, Any]) -> ActionRecord | None:
    """The case another feature's event stands for, or None when it is not a moderation action.

    Features announce what they did on the event stream (``hide``, ``slowmode``, ``cooldown``,
    ``verified``); this one mapping puts each on the record, so no feature has to know about
    cases. Re-applied cooldowns (after a rejoin) are the same case. A denial carries the
    moderator's reason, which events never do, so the verification cog dispatches it itself.
    """
    kind = event.get("type")
    guild_id = event.get("guild_id")
    if guild_id is None:
        return None
    if kind == "hide":
        category = str(event.get("category", "unkind"))
        return ActionRecord(
            guild_id=int(guild_id), kind="hide", target_id=event.get("author_id"), actor_id=None,
            reason=f"be-kind model: {category} (score {float(event.get('score', 0)):.2f} "
                   f"≥ hide threshold {float(event.get('threshold', 0)):.2f})",
            evidence_url=_jump(guild_id, event.get("channel_id")),
            details={"channel_id": event.get("channel_id"), "message_id": event.get("message_id"),
                     "rule": f"be-kind: {category}"},
        )
    if kind in {"slowmode", "cooldown"}:
        if event.get("reapplied"):
            return None
        actor = event.get("actor_id")
        default_reason = f"de-escalation ladder: automatic {kind}"
        target = event.get("channel_id") if kind == "slowmode" else event.get("user_id")
        duration = event.get("duration_s")
        return ActionRecord(
            guild_id=int(guild_id), kind=kind, target_id=target, actor_id=actor,
            reason=str(event.get("reason") or default_reason),
            evidence_url=_jump(guild_id, event.get("channel_id")),
            duration_s=int(duration) if duration is not None else None,
            details={"channel_id": event.get("channel_id"), "rule": "de-escalation"},
        )
    if kind == "verified":
        return ActionRecord(
            guild_id=int(guild_id), kind="verification", target_id=event.get("user_id"),
            actor_id=event.get("reviewer_id"), reason="approved: NPI checked against the NPPES registry",
            details={"request_id": event.get("request_id"), "decision": "approved", "rule": "verification"},
        )
    return None
