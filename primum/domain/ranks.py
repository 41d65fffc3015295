"""Who may act on whom: one rank rule for every moderator command and button.

Ranks, lowest first: member, moderator, administrator, the server's owner. A moderator action
(a note, a hide, a cooldown, a kick, a forget, an amendment, a verification decision...) is
allowed only when the caller outranks the person it is about:

* members moderate nobody;
* nobody acts on themselves, on Primum, or on the server's owner;
* a moderator never acts on another moderator or anyone higher, an administrator never on another
  administrator (peers ask someone above them);
* the owner may act on anyone but themselves and Primum.

Plain values only (ids and ranks); the cogs read the ranks from Discord when the interaction runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    """Someone's rank in a server; higher outranks lower."""

    MEMBER = 0
    MODERATOR = 1
    ADMIN = 2
    OWNER = 3  # the server's owner


@dataclass(frozen=True)
class Person:
    """The caller or the target of a moderator action."""

    user_id: int
    level: Level = Level.MEMBER


@dataclass(frozen=True)
class Refusal:
    """Why the action may not go ahead: a stable code and one sentence for the caller."""

    code: str
    message: str


_PEER = {
    Level.MODERATOR: "They are a moderator like you; ask an administrator or the owner.",
    Level.ADMIN: "They are an administrator like you; ask the server's owner.",
}


def rank_refusal(actor: Person, target: Person, bot_id: int | None = None) -> Refusal | None:
    """None when ``actor`` may act on ``target``; otherwise the first rule broken."""
    if actor.level < Level.MODERATOR:
        return Refusal("not_moderator", "Only moderators and owners can do that.")
    if bot_id is not None and target.user_id == bot_id:
        return Refusal("target_bot", "Primum won't act on itself.")
    if target.user_id == actor.user_id:
        return Refusal("target_self", "You can't moderate yourself; ask another moderator.")
    if target.level is Level.OWNER:
        return Refusal("target_owner", "Primum won't act on the server owner.")
    if target.level == actor.level:
        return Refusal("target_peer", _PEER.get(actor.level, "They have the same rank as you."))
    if target.level > actor.level:
        return Refusal("target_higher", "They outrank you; ask someone above them.")
    return None


def level_from(*, is_owner: bool, is_admin: bool, is_moderator: bool) -> Level:
    """The level from what the server says about someone (the owner, Administrator or Manage
    Server, a moderator permission or role)."""
    if is_owner:
        return Level.OWNER
    if is_admin:
        return Level.ADMIN
    if is_moderator:
        return Level.MODERATOR
    return Level.MEMBER
