"""Removals that wait for a second moderator: removing a verified physician takes two people.

A kick or ban of a verified physician is stored as a :class:`Confirmation` request; a second
moderator (never the one who asked, never the target, and one who outranks the target) confirms
or declines it before it expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from primum.domain.cases import REMOVAL_KINDS, CaseKind
from primum.domain.moderation_policy import ModerationPolicy
from primum.domain.moderation_rules import ALLOWED, Decision, Party, Rank, check_rank, refuse


class ConfirmationStatus(StrEnum):
    """A removal waiting for a second moderator."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    EXPIRED = "expired"
    FAILED = "failed"  # confirmed, but Discord refused the action


@dataclass(frozen=True)
class Confirmation:
    """A removal of a verified physician waiting for a second moderator."""

    id: int
    guild_id: int
    kind: CaseKind
    target_id: int
    requester_id: int
    reason: str
    evidence_url: str | None
    details: Mapping[str, Any]
    conflict: bool
    status: ConfirmationStatus
    created_at: datetime
    expires_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    case_id: int | None
    review_channel_id: int | None
    review_message_id: int | None


def needs_second_moderator(kind: CaseKind, target: Party, policy: ModerationPolicy) -> bool:
    """Removing a verified physician (kick or ban) waits for a second moderator's confirmation."""
    return policy.two_moderator_rule and kind in REMOVAL_KINDS and target.is_verified_physician


def check_confirmation(requester_id: int, target_id: int | None, confirmer: Party,
                       target: Party | None = None) -> Decision:
    """May ``confirmer`` be the second moderator? Not the requester, not the target, not a member,
    and (when the target is known) only someone who outranks the target."""
    if confirmer.rank < Rank.MODERATOR:
        return refuse("not_moderator", "Only moderators and owners can confirm a removal.")
    if confirmer.user_id == requester_id:
        return refuse("same_moderator", "A second, different moderator has to confirm this.")
    if target_id is not None and confirmer.user_id == target_id:
        return refuse("target_self", "You can't confirm an action against yourself.")
    return check_rank(confirmer, target) if target is not None else ALLOWED
