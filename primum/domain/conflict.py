"""Conflict of interest: was the moderator arguing with the member they act on?

Read from ids and timestamps only (replies and mentions both ways, in one channel, in a window);
a conflict does not stop the action, it marks the case and warns the moderator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from primum.domain.moderation_policy import ModerationPolicy


@dataclass(frozen=True)
class Interaction:
    """A message in ``channel_id`` by ``author_id`` that replied to or mentioned ``other_id``."""

    channel_id: int
    author_id: int
    other_id: int
    at: datetime


@dataclass(frozen=True)
class Conflict:
    """The moderator and the target were arguing: where and how much, in the window."""

    channel_id: int
    by_moderator: int
    by_target: int
    last_at: datetime


def detect_conflict(
    interactions: Iterable[Interaction],
    moderator_id: int,
    target_id: int,
    now: datetime,
    policy: ModerationPolicy,
    channel_id: int | None = None,
) -> Conflict | None:
    """Were moderator and target exchanging replies or mentions in one channel in the window?

    "Arguing" is read conservatively from ids: in one channel, within ``conflict_window_minutes``,
    each addressed the other at least ``conflict_min_exchanges`` times. When ``channel_id`` is given
    (a hidden message's channel) only that channel counts; otherwise any channel does.
    """
    if not policy.conflict_check or moderator_id == target_id:
        return None
    since = now - policy.conflict_window
    counts: dict[int, list[int]] = {}
    last: dict[int, datetime] = {}
    for item in interactions:
        if not since <= item.at <= now:
            continue
        if channel_id is not None and item.channel_id != channel_id:
            continue
        if (item.author_id, item.other_id) == (moderator_id, target_id):
            slot = 0
        elif (item.author_id, item.other_id) == (target_id, moderator_id):
            slot = 1
        else:
            continue
        pair = counts.setdefault(item.channel_id, [0, 0])
        pair[slot] += 1
        last[item.channel_id] = max(last.get(item.channel_id, item.at), item.at)
    found = [
        Conflict(channel, pair[0], pair[1], last[channel])
        for channel, pair in counts.items()
        if min(pair) >= policy.conflict_min_exchanges
    ]
    if not found:
        return None
    return max(found, key=lambda c: (c.by_moderator + c.by_target, c.last_at))


def interactions_from_message(
    channel_id: int, author_id: int, at: datetime, replied_to: int | None, mentioned: Iterable[int]
) -> list[Interaction]:
    """The directed interactions one message makes (a reply target and mentions, minus the author)."""
    others = {m for m in mentioned if m != author_id}
    if replied_to is not None and replied_to != author_id:
        others.add(replied_to)
    return [Interaction(channel_id, author_id, other, at) for other in sorted(others)]
