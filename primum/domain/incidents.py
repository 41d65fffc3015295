"""The guards that keep de-escalation from punishing a civil member for the model's mistake.

Heat says how hot a channel is; these rules say whether that heat is *sustained incivility by
more than one person*, which is the only thing that may slow a channel down or time anyone out:

* a message counts as a **flag** only when be-kind judged it unkind (over its channel's nudge
  cut-off) and it is not counter-speech by a bystander;
* fewer than ``notice_min_flags`` flags in the window: nothing at all (a single sharp line gets
  its private nudge and no more);
* while only one member has been flagged, or fewer than ``escalate_min_flags`` flags: a calm
  notice at most, never slowmode, a thread suggestion, a heat alert or a cooldown;
* a member is cooled down only after a nudge reached them privately, a grace period passed so
  they could read and act on it, and they went on with ``cooldown_strikes`` more flagged
  messages after that; a member who answered the nudge with "This was a mistake" is not
  cooled down automatically (a moderator decides).

Pure: the caller passes the time; nothing here reads a clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from primum.domain.scored import ScoredMessage


@dataclass(frozen=True)
class Flag:
    """One flagged message in a channel."""

    at: datetime
    author_id: int
    message_id: int


@dataclass(frozen=True)
class Guards:
    """The numbers the guards use (from ``LadderConfig``)."""

    window: timedelta = timedelta(minutes=10)
    notice_min_flags: int = 2
    escalate_min_members: int = 2
    escalate_min_flags: int = 3
    grace: timedelta = timedelta(minutes=5)
    cooldown_strikes: int = 2


@dataclass
class FlagWindow:
    """The flagged messages of one channel within the window, oldest first."""

    flags: deque[Flag] = field(default_factory=lambda: deque(maxlen=256))

    def prune(self, now: datetime, window: timedelta) -> None:
        """Forget flags older than the window."""
        while self.flags and now - self.flags[0].at > window:
            self.flags.popleft()

    def add(self, flag: Flag) -> None:
        """Remember one flagged message."""
        self.flags.append(flag)

    def members(self) -> set[int]:
        """Distinct flagged authors."""
        return {flag.author_id for flag in self.flags}

    def count(self) -> int:
        """Flagged messages in the window."""
        return len(self.flags)

    def since(self, author_id: int, moment: datetime) -> list[Flag]:
        """The author's flags at or after ``moment``."""
        return [flag for flag in self.flags if flag.author_id == author_id and flag.at >= moment]

    def message_ids(self, author_id: int | None = None) -> tuple[int, ...]:
        """Flagged message ids (of one author, or anyone), newest last, at most five."""
        ids = [flag.message_id for flag in self.flags if author_id is None or flag.author_id == author_id]
        return tuple(ids[-5:])


def is_flag(scored: ScoredMessage, uncivil_score: float) -> bool:
    """Whether a message counts as sustained-incivility evidence (judged unkind, not de-escalating)."""
    if scored.deescalating:
        return False
    if scored.flagged is not None:
        return scored.flagged
    return scored.score >= uncivil_score


def is_bystander(window: FlagWindow, author_id: int) -> bool:
    """Whether the author has no flag in the window (someone stepping in, not a combatant)."""
    return author_id not in window.members()


def highest_channel_rung(window: FlagWindow, guards: Guards) -> int:
    """How many channel rungs (notice, slowmode, thread, alert) the evidence allows: 0, 1 or 4."""
    if window.count() < guards.notice_min_flags:
        return 0
    if len(window.members()) < guards.escalate_min_members or window.count() < guards.escalate_min_flags:
        return 1
    return 4


def may_escalate(window: FlagWindow, guards: Guards) -> bool:
    """Whether anything beyond a notice is allowed (several members, several flags)."""
    return highest_channel_rung(window, guards) > 1


def strikes_after_grace(window: FlagWindow, scored: ScoredMessage, guards: Guards) -> int:
    """The author's flagged messages after their nudge's grace period ran out (0: no nudge read yet)."""
    if scored.nudge_seen_at is None:
        return 0
    return len(window.since(scored.author_id, scored.nudge_seen_at + guards.grace))


def cooldown_allowed(window: FlagWindow, scored: ScoredMessage, guards: Guards, *, flagged_now: bool) -> bool:
    """Every guard a cooldown needs: a flagged message now, several members, grace passed, strikes."""
    if not flagged_now or scored.disputed or not may_escalate(window, guards):
        return False
    return strikes_after_grace(window, scored, guards) >= guards.cooldown_strikes
