"""Appeals, the pure part: who may appeal a case, who may decide it, and who is asked to.

* :func:`check_appeal`: a member appeals a case about them, once per state of the case;
* :func:`check_decide` / :func:`choose_reviewer`: an appeal goes to someone who took no part in
  the case, nor in the conversation behind it, and who outranks the appellant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from primum.domain.cases import APPEALABLE_KINDS, CaseHistory, CaseStatus
from primum.domain.moderation_rules import ALLOWED, Decision, Party, Rank, check_rank, refuse


class AppealStatus(StrEnum):
    """An appeal is open until an uninvolved moderator upholds or overturns the case."""

    OPEN = "open"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


@dataclass(frozen=True)
class Appeal:
    """A member's appeal of one case."""

    id: int
    guild_id: int
    case_id: int
    appellant_id: int
    statement: str
    reviewer_id: int | None
    status: AppealStatus
    created_at: datetime
    remind_at: datetime
    reminded_at: datetime | None
    decided_by: int | None
    decided_at: datetime | None
    decision_reason: str | None
    decision_case_id: int | None
    review_channel_id: int | None
    review_message_id: int | None


def appeal_still_decided(history: CaseHistory, last_decision_row: int | None) -> bool:
    """Whether the case is as its last appeal left it (then a new appeal has nothing new to decide).

    An amendment after the decision (a new reason, a longer duration) is a new state of the case
    that the member may appeal again; the decision row itself or nothing since means "decided".
    """
    return last_decision_row is None or history.current.id <= last_decision_row


def check_appeal(history: CaseHistory, appellant_id: int, *, already_appealed: bool) -> Decision:
    """A member may appeal a case about them, once, if its kind is appealable and it still stands."""
    original = history.original
    if original.target_id != appellant_id:
        return refuse("not_target", "You can only appeal a case about you; /standing lists yours.")
    if original.kind not in APPEALABLE_KINDS:
        return refuse("not_appealable", f"A {original.kind.value} case can't be appealed.")
    if already_appealed:
        return refuse("already_appealed", "This case has already been appealed; /standing shows the outcome.")
    if history.current.status is CaseStatus.OVERTURNED:
        return refuse("overturned", "This case has already been overturned.")
    return ALLOWED


def check_decide(reviewer: Party, history: CaseHistory, appellant_id: int,
                 conversation: Iterable[int] = (), appellant: Party | None = None) -> Decision:
    """Only a moderator who took no part in the case, nor in the conversation behind it, decides.

    ``conversation`` is everyone who replied to or mentioned the appellant (or was addressed by
    them) around the case; ``appellant``, when known, also applies the rank rule.
    """
    if reviewer.rank < Rank.MODERATOR:
        return refuse("not_moderator", "Only moderators and owners can decide appeals.")
    if reviewer.user_id == appellant_id:
        return refuse("appellant", "You can't decide your own appeal.")
    if reviewer.user_id in history.participants:
        return refuse("involved", "You took part in this case; a moderator who didn't must decide the appeal.")
    if reviewer.user_id in set(conversation):
        return refuse("in_conversation", "You were in the conversation behind this case; a moderator who "
                                          "wasn't must decide the appeal.")
    return check_rank(reviewer, appellant) if appellant is not None else ALLOWED


def choose_reviewer(
    candidates: Sequence[Party], involved: Iterable[int], open_load: Mapping[int, int] | None = None,
    appellant: Party | None = None,
) -> int | None:
    """The uninvolved moderator with the fewest open appeals (moderators before owners, then by id).

    ``involved`` is everyone who took part in the case or the conversation behind it, plus the
    appellant; with ``appellant`` given, only someone who outranks them. None when nobody is left;
    the caller then posts the appeal to the review channel for any uninvolved moderator to take.
    """
    excluded = set(involved)
    load = open_load or {}
    eligible = [p for p in candidates if p.rank >= Rank.MODERATOR and not p.is_bot and p.user_id not in excluded
                and (appellant is None or check_rank(p, appellant))]
    if not eligible:
        return None
    best = min(eligible, key=lambda p: (load.get(p.user_id, 0), p.rank, p.user_id))
    return best.user_id
