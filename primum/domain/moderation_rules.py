"""Who may act on whom: ranks, the parties of an action and the rules every moderator command checks.

* :func:`check_action`: the rank rule of :mod:`primum.domain.ranks` (nobody acts on themselves, a
  peer, anyone higher, the owner or the bot), then nobody above their own (or the bot's) top role;
* :func:`check_amend` / :func:`amended_status`: who may amend a case, and what an amendment leaves.

The rules take plain values (ids, ranks, role positions) and never touch Discord or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from primum.domain.cases import REMOVAL_KINDS, CaseHistory, CaseKind, CaseStatus
from primum.domain.ranks import Level, Person, rank_refusal


class Rank(IntEnum):
    """Who someone is in the guild, for permission rules (higher may do more)."""

    MEMBER = 0
    MODERATOR = 1
    OWNER = 2  # the guild owner or an administrator


def rank_of(*, is_owner: bool, is_admin: bool, has_moderator_role: bool, can_moderate: bool) -> Rank:
    """The rank from what the guild says about someone (checked at run time, not only by Discord)."""
    if is_owner or is_admin:
        return Rank.OWNER
    if has_moderator_role or can_moderate:
        return Rank.MODERATOR
    return Rank.MEMBER


@dataclass(frozen=True)
class Party:
    """Someone in an action: the actor, the target or the bot (plain values from the guild)."""

    user_id: int
    rank: Rank = Rank.MEMBER
    top_role_position: int = 0
    is_owner: bool = False  # the guild owner (not merely an administrator)
    is_bot: bool = False
    is_verified_physician: bool = False


@dataclass(frozen=True)
class Decision:
    """Whether an action may go ahead; ``message`` explains a refusal in one sentence."""

    allowed: bool
    message: str = ""
    code: str = "ok"

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def refuse(code: str, message: str) -> Decision:
    return Decision(False, message, code)


def person(party: Party) -> Person:
    """The rank-rule view of a party: the owner, an administrator, a moderator or a member."""
    if party.is_owner:
        return Person(party.user_id, Level.OWNER)
    level = {Rank.OWNER: Level.ADMIN, Rank.MODERATOR: Level.MODERATOR}.get(party.rank, Level.MEMBER)
    return Person(party.user_id, level)


def check_rank(actor: Party, target: Party | None, bot_id: int | None = None) -> Decision:
    """The one rank rule (see :func:`primum.domain.ranks.rank_refusal`); no target: moderators only."""
    if target is None:
        return ALLOWED if actor.rank >= Rank.MODERATOR else refuse(
            "not_moderator", "Only moderators and owners can do that.")
    refusal = rank_refusal(person(actor), person(target), bot_id)
    return ALLOWED if refusal is None else refuse(refusal.code, refusal.message)


#: Kinds that change nothing in Discord for the member (a note, a warning by DM): the rank rule only.
_RECORD_ONLY_KINDS = frozenset({CaseKind.NOTE, CaseKind.WARN})
#: Kinds that do something to the member through Discord (role hierarchy applies).
_HIERARCHY_KINDS = frozenset({CaseKind.KICK, CaseKind.BAN, CaseKind.COOLDOWN, CaseKind.HIDE, CaseKind.PURGE})


def check_action(kind: CaseKind, actor: Party, target: Party, bot: Party) -> Decision:
    """May ``actor`` have Primum do ``kind`` to ``target``? Checked at run time for every command.

    Order matters only for the message: the first broken rule is named.
    """
    ranked = check_rank(actor, target, bot.user_id)
    if not ranked:
        return ranked
    if kind in _RECORD_ONLY_KINDS:
        return ALLOWED
    if target.is_bot and kind in REMOVAL_KINDS:
        return refuse("target_other_bot", "Primum doesn't remove other bots; an owner can do that in Discord.")
    if kind in _HIERARCHY_KINDS:
        if target.top_role_position >= bot.top_role_position:
            return refuse(
                "above_bot",
                "That member's highest role is at or above Primum's, so Primum can't act on them. "
                "An owner can move Primum's role higher in Server Settings → Roles.",
            )
        if actor.rank < Rank.OWNER and target.top_role_position >= actor.top_role_position:
            return refuse("above_actor", "That member's highest role is at or above yours; ask an owner.")
    return ALLOWED


def check_amend(history: CaseHistory, actor: Party, target: Party | None = None) -> Decision:
    """Moderators may amend a case, never one about themselves or (the rank rule) about a peer or higher."""
    if actor.rank < Rank.MODERATOR:
        return refuse("not_moderator", "Only moderators and owners can amend a case.")
    if history.original.target_id == actor.user_id:
        return refuse("target_self", "You can't amend a case about yourself.")
    return check_rank(actor, target) if target is not None else ALLOWED


def amended_status(history: CaseHistory) -> CaseStatus:
    """The status a moderator's amendment leaves: an overturned case stays overturned.

    Overturned on appeal is final unless a new appeal decides otherwise, so ``/case amend`` can add
    a note or a correction to an overturned case but never turn it back.
    """
    return CaseStatus.OVERTURNED if history.current.status is CaseStatus.OVERTURNED else CaseStatus.AMENDED
