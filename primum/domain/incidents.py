"""The guards that keep de-escalation from punishing a civil member for the model's mistake.

Heat says how hot a channel is; these rules say whether that heat is *sustained incivility by
more than one person*, which is the only thing that may slow a channel down or time anyone out:

* a message counts as a **flag** only when be-kind judged it unkind (over its channel's nudge
  cut-off) and it is not counter-speech by a bystander;
* fewer than ``notice_min_flags`` flags in the window, or fewer than two among the channel's
  last ``DENSE_MESSAGES`` messages unless one member has ``notice_min_flags`` of them (a slow
  burn: one member's belittling scattered through a thread): nothing at all (a single sharp line,
  or the scattered false positives of an imperfect model across members, get their private nudges
  and no more);
* a calm notice at most, never slowmode, a thread suggestion, a heat alert or a cooldown, until
  there is a *fight* (two members each flagged ``escalate_member_flags`` times, whose flagged
  messages address each other by reply or mention, or by answering right after the other's
  flagged message) or a *pile-on* (``pileon_members`` flagged members addressing one member; a
  flagged reply to a flagged message joins in on whomever that message addressed), and
  ``escalate_min_flags`` flags in all. One flagged line from the member being belittled, or from
  a colleague stepping in to defend them, and members venting at the EHR rather than at each
  other, are the model's likeliest mistakes; they must not turn one person's rudeness, or a bad
  day, into a slowmode for everyone;
* beyond the notice, the incivility must go on *after* it: two more flagged messages from two
  different members since the notice (people who keep going once asked to stop), and half of
  the channel's last ``DENSE_MESSAGES`` messages flagged (a fight, not scattered misfires);
* a member is cooled down only when they are one side of the fight or one of the pile-on (not a
  bystander the model keeps flagging beside it), after a nudge reached them privately, a grace
  period passed so they could read and act on it, and they went on with ``cooldown_strikes``
  more flagged messages after that, most of what they wrote since (two in three) and their last
  ``cooldown_strikes + 1`` messages all flagged in a row; a member who answered the nudge with
  "This was a mistake" is not cooled down automatically (a moderator decides).

Pure: the caller passes the time; nothing here reads a clock.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from primum.domain.scored import ScoredMessage

#: The notice needs two flagged messages among the channel's last this many messages.
DENSE_MESSAGES = 6
#: Beyond the notice, this many of the channel's last ``DENSE_MESSAGES`` messages must be flagged.
DENSE_BEYOND_NOTICE = 3
#: Near misses (follow-ups) count toward the calm notice only once this many members are flagged in
#: the window: one member's flag and their own next message under the cut-off are one verdict.
FOLLOW_UPS_NEED_MEMBERS = 2
#: After the grace period, at least this share of the member's messages must be flagged.
COOLDOWN_SHARE = 2 / 3
#: A flagged message that addresses no one, posted within this long of another member's flagged
#: message right before it, answers that member (many people trade words without Discord's reply).
IMPLICIT_REPLY = timedelta(minutes=3)


@dataclass(frozen=True)
class Flag:
    """One flagged message in a channel (``seq``: its place among the channel's messages)."""

    at: datetime
    author_id: int
    message_id: int
    seq: int = 0
    #: Whom it addressed: the replied-to author and the mentioned members.
    targets: tuple[int, ...] = ()


@dataclass(frozen=True)
class Seen:
    """Any message in a channel: who, when, whether flagged."""

    at: datetime
    author_id: int
    flagged: bool
    follow_up: bool = False


@dataclass(frozen=True)
class Guards:
    """The numbers the guards use (from ``LadderConfig``)."""

    window: timedelta = timedelta(minutes=10)
    notice_min_flags: int = 2
    escalate_min_members: int = 2
    escalate_min_flags: int = 3
    escalate_member_flags: int = 2
    pileon_members: int = 3
    grace: timedelta = timedelta(minutes=5)
    cooldown_strikes: int = 2


@dataclass
class FlagWindow:
    """The flagged messages of one channel within the window, oldest first."""

    flags: deque[Flag] = field(default_factory=lambda: deque(maxlen=256))
    messages: deque[Seen] = field(default_factory=lambda: deque(maxlen=256))
    #: Near misses by members already flagged (``ScoredMessage.follow_up``): notice evidence only.
    follow_ups: deque[Flag] = field(default_factory=lambda: deque(maxlen=256))
    seq: int = 0

    def prune(self, now: datetime, window: timedelta) -> None:
        """Forget flags and messages older than the window."""
        while self.flags and now - self.flags[0].at > window:
            self.flags.popleft()
        while self.messages and now - self.messages[0].at > window:
            self.messages.popleft()
        while self.follow_ups and now - self.follow_ups[0].at > window:
            self.follow_ups.popleft()

    def add(self, flag: Flag) -> None:
        """Remember one flagged message."""
        self.flags.append(flag)

    def observe(
        self, at: datetime, author_id: int, message_id: int, flagged: bool, targets: tuple[int, ...] = (),
        *, reply_to: int | None = None, follow_up: bool = False,
    ) -> int:
        """Remember one message (and its flag, with whom it addressed); return its sequence number.

        A flagged reply to a flagged message joins in on whomever that message addressed (the
        second voice of a pile-on often answers the first, not the target). A flagged message that
        addresses no one, right after another member's flagged message, answers that member.
        """
        self.seq += 1
        answered = None if targets else self.answering(at, author_id, flagged)
        if answered is not None:
            targets = (answered,)
        follow_up = follow_up and not flagged
        self.messages.append(Seen(at, author_id, flagged, follow_up))
        if follow_up:
            self.follow_ups.append(Flag(at, author_id, message_id, self.seq, targets))
        if flagged:
            parent = None if reply_to is None else next((f for f in self.flags if f.message_id == reply_to), None)
            joined = tuple(t for t in (parent.targets if parent else ()) if t != author_id and t not in targets)
            self.flags.append(Flag(at, author_id, message_id, self.seq, targets + joined))
        return self.seq

    def answering(self, at: datetime, author_id: int, flagged: bool) -> int | None:
        """Whom a flagged message that addresses no one answers: the author of the message right
        before it, when that was another member's flagged message less than ``IMPLICIT_REPLY`` ago
        (many people trade words without Discord's reply)."""
        previous = self.messages[-1] if self.messages else None
        if flagged and previous is not None and previous.flagged and previous.author_id != author_id \
                and at - previous.at <= IMPLICIT_REPLY:
            return previous.author_id
        return None

    def forget_member(self, member_id: int) -> int:
        """Drop a member's flags and messages, and their id from others' flags; return how many went."""
        kept_seen = [seen for seen in self.messages if seen.author_id != member_id]
        gone = len(self.messages) - len(kept_seen) + len(self.flags) + len(self.follow_ups)
        self.messages = deque(kept_seen, maxlen=self.messages.maxlen)
        self.flags = _without(self.flags, member_id)
        self.follow_ups = _without(self.follow_ups, member_id)
        return gone - len(self.flags) - len(self.follow_ups)

    def dense(self) -> int:
        """Flagged messages among the last ``DENSE_MESSAGES`` messages."""
        return sum(1 for seen in list(self.messages)[-DENSE_MESSAGES:] if seen.flagged)

    def after(self, seq: int) -> list[Flag]:
        """Flags after the message numbered ``seq``."""
        return [flag for flag in self.flags if flag.seq > seq]

    def written_since(self, author_id: int, moment: datetime) -> int:
        """How many messages (flagged or not) the author wrote at or after ``moment``."""
        return sum(1 for seen in self.messages if seen.author_id == author_id and seen.at >= moment)

    def members(self) -> set[int]:
        """Distinct flagged authors."""
        return {flag.author_id for flag in self.flags}

    def sustained(self, at_least: int) -> set[int]:
        """Authors with at least ``at_least`` flagged messages in the window."""
        counts = Counter(flag.author_id for flag in self.flags)
        return {author for author, count in counts.items() if count >= at_least}

    def fighting_pairs(self, at_least: int) -> set[tuple[int, int]]:
        """Pairs of members who each have ``at_least`` flags and flagged messages addressing each other."""
        sustained = self.sustained(at_least)
        aimed = {(flag.author_id, target) for flag in self.flags for target in flag.targets}
        return {(a, b) for a in sustained for b in sustained if a < b and (a, b) in aimed and (b, a) in aimed}

    def pileons(self) -> dict[int, set[int]]:
        """Per addressed member, the distinct members whose flagged messages addressed them."""
        by_target: dict[int, set[int]] = {}
        for flag in self.flags:
            for target in flag.targets:
                if target != flag.author_id:
                    by_target.setdefault(target, set()).add(flag.author_id)
        return by_target

    def count(self) -> int:
        """Flagged messages in the window."""
        return len(self.flags)

    def since(self, author_id: int, moment: datetime) -> list[Flag]:
        """The author's flags at or after ``moment``."""
        return [flag for flag in self.flags if flag.author_id == author_id and flag.at >= moment]

    def message_ids(self, authors: set[int] | None = None) -> tuple[int, ...]:
        """Flagged message ids (of these authors, or anyone), newest last, at most five."""
        ids = [flag.message_id for flag in self.flags if authors is None or flag.author_id in authors]
        return tuple(ids[-5:])


def is_flag(scored: ScoredMessage, uncivil_score: float) -> bool:
    """Whether a message counts as sustained-incivility evidence (judged unkind, not de-escalating)."""
    if scored.deescalating:
        return False
    if scored.flagged is not None:
        return scored.flagged
    return scored.score >= uncivil_score


def _without(flags: deque[Flag], member_id: int) -> deque[Flag]:
    """``flags`` without the member's own, and without the member among the others' targets."""
    return deque((replace(flag, targets=tuple(t for t in flag.targets if t != member_id))
                  for flag in flags if flag.author_id != member_id), maxlen=flags.maxlen)


def is_bystander(window: FlagWindow, author_id: int) -> bool:
    """Whether the author has no flag in the window (someone stepping in, not a combatant)."""
    return author_id not in window.members()


def highest_channel_rung(window: FlagWindow, guards: Guards, notice_seq: int | None = None) -> int:
    """How many channel rungs (notice, slowmode, thread, alert) the evidence allows: 0, 1 or 4.

    ``notice_seq`` is the message at which the episode reached the notice rung (None: not yet);
    beyond the notice, two members must have gone on with flagged messages after it.
    """
    if not notice_evidence(window, guards):
        return 0
    if not may_escalate(window, guards) or notice_seq is None:
        return 1
    after = window.after(notice_seq)
    if len(after) < 2 or len({flag.author_id for flag in after}) < 2 or window.dense() < DENSE_BEYOND_NOTICE:
        return 1
    return 4


def notice_evidence(window: FlagWindow, guards: Guards) -> bool:
    """Whether the window holds enough for the calm notice: ``notice_min_flags`` flags, follow-ups
    included, and either two of them among the last ``DENSE_MESSAGES`` messages or one member with
    ``notice_min_flags`` of them (a slow burn).

    Near misses (follow-ups) count only once ``FOLLOW_UPS_NEED_MEMBERS`` members are flagged in the
    window: a notice speaks to the room, and one member's flag followed by their own
    message under the cut-off is one model verdict, a matter for that member's private nudge. One
    member with ``notice_min_flags`` flags of their own still gets the channel the notice.
    """
    # one member alone: their own flags, not their near misses
    follow_ups_are_evidence = len({flag.author_id for flag in window.flags}) >= FOLLOW_UPS_NEED_MEMBERS
    evidence = list(window.flags) + (list(window.follow_ups) if follow_ups_are_evidence else [])
    if len(evidence) < guards.notice_min_flags:
        return False
    recent = list(window.messages)[-DENSE_MESSAGES:]
    dense = sum(1 for seen in recent if seen.flagged or (seen.follow_up and follow_ups_are_evidence))
    if dense >= min(2, guards.notice_min_flags):
        return True
    return max(Counter(flag.author_id for flag in evidence).values()) >= guards.notice_min_flags


def near_miss(scored: ScoredMessage, follow_up_score: float) -> bool:
    """Whether be-kind did not flag the message but it scored at or over ``follow_up_score``
    (and it is not a bystander's counter-speech)."""
    return scored.flagged is False and not scored.deescalating and scored.score >= follow_up_score


def follows_up(window: FlagWindow, scored: ScoredMessage, follow_up_score: float) -> bool:
    """Whether a message is a near miss by a member already flagged in the window: someone keeping
    it up just under the nudge cut-off."""
    return near_miss(scored, follow_up_score) and scored.author_id in window.members()


def may_escalate(window: FlagWindow, guards: Guards) -> bool:
    """Whether anything beyond a notice is allowed: several flags, and either two members who each
    kept it up at each other (a fight) or ``pileon_members`` flagged members addressing one member
    (a pile-on)."""
    if window.count() < guards.escalate_min_flags:
        return False
    return bool(combatants(window, guards))


def combatants(window: FlagWindow, guards: Guards) -> set[int]:
    """The members of a fight or a pile-on in the window (empty: neither, so a notice at most).

    A fight: ``escalate_min_members`` members each flagged ``escalate_member_flags`` times, two of
    whom addressed each other. A pile-on: ``pileon_members`` flagged members addressing one member.
    """
    found: set[int] = set()
    if len(window.sustained(guards.escalate_member_flags)) >= guards.escalate_min_members:
        for pair in window.fighting_pairs(guards.escalate_member_flags):
            found.update(pair)
    for authors in window.pileons().values():
        if len(authors) >= max(guards.pileon_members, guards.escalate_min_members):
            found.update(authors)
    return found


def strikes_after_grace(window: FlagWindow, scored: ScoredMessage, guards: Guards) -> int:
    """The author's flagged messages after their nudge's grace period ran out (0: no nudge read yet)."""
    if scored.nudge_seen_at is None:
        return 0
    return len(window.since(scored.author_id, scored.nudge_seen_at + guards.grace))


def cooldown_allowed(window: FlagWindow, scored: ScoredMessage, guards: Guards, *, flagged_now: bool) -> bool:
    """Every guard a cooldown needs: a flagged message now, the member is one side of a fight or one
    of a pile-on (not someone else the model keeps flagging beside it), grace passed, strikes.

    The strikes must also be most of what the member wrote since the grace period ended, so the
    scattered false positives of an imperfect model never add up to a timeout.
    """
    if not flagged_now or scored.disputed or scored.nudge_seen_at is None:
        return False
    if window.count() < guards.escalate_min_flags or scored.author_id not in combatants(window, guards):
        return False
    strikes = strikes_after_grace(window, scored, guards)
    written = window.written_since(scored.author_id, scored.nudge_seen_at + guards.grace)
    own = [seen.flagged for seen in window.messages if seen.author_id == scored.author_id]
    in_a_row = len(own) > guards.cooldown_strikes and all(own[-(guards.cooldown_strikes + 1):])
    return strikes >= guards.cooldown_strikes and strikes >= COOLDOWN_SHARE * written and in_a_row
