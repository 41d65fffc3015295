"""Accountable moderation, the pure part: case kinds, reasons, who may act on whom, appeals routing.

Every action by Primum or a moderator becomes a *case* (append-only; an amendment is a new case row
that points to the one it replaces). This module holds the rules only; it takes plain values
(ids, ranks, role positions, timestamps) and never touches Discord or SQL:

* :func:`validate_reason` / :func:`validate_evidence_url`: moderators must say why, in words;
* :func:`check_action`: the rank rule of :mod:`primum.domain.ranks` (nobody acts on themselves, a
  peer, anyone higher, the owner or the bot), then nobody above their own (or the bot's) top role;
* :func:`needs_second_moderator` / :func:`check_confirmation`: removing a verified physician needs a
  second moderator, never the one who asked;
* :func:`detect_conflict`: "the moderator was arguing with the target in the same channel in the
  last hour" (replies and mentions both ways, from ids and timestamps only);
* :func:`choose_reviewer`: an appeal goes to someone who took no part in the case;
* :func:`transparency_entry`: the public, redacted line for the optional transparency channel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from primum.domain.ranks import Level, Person, rank_refusal

REASON_MIN_CHARS = 3
REASON_MAX_CHARS = 1000
STATEMENT_MAX_CHARS = 2000
EVIDENCE_MAX_CHARS = 500


class CaseKind(StrEnum):
    """What was done. Channel-wide kinds (``slowmode``) use the channel id as the target."""

    HIDE = "hide"
    SLOWMODE = "slowmode"
    COOLDOWN = "cooldown"
    LIFT = "lift"  # a slowmode or cooldown lifted early by hand
    VERIFICATION = "verification"
    KICK = "kick"
    BAN = "ban"
    UNBAN = "unban"
    NOTE = "note"
    FORGET = "forget"  # a member's data was deleted (a privacy request); ids and the reason only


#: Kinds whose target is a channel, not a member.
CHANNEL_KINDS: frozenset[CaseKind] = frozenset({CaseKind.SLOWMODE})
#: Kinds that remove someone from the community (the two-moderator rule applies to these).
REMOVAL_KINDS: frozenset[CaseKind] = frozenset({CaseKind.KICK, CaseKind.BAN})
#: Kinds a member can appeal (a note changes nothing for them; a lift is good news).
APPEALABLE_KINDS: frozenset[CaseKind] = frozenset(
    {CaseKind.HIDE, CaseKind.COOLDOWN, CaseKind.VERIFICATION, CaseKind.KICK, CaseKind.BAN, CaseKind.NOTE}
)


class CaseStatus(StrEnum):
    """The state a case row leaves the case in; the newest row of a chain is the case's state."""

    ACTIVE = "active"
    AMENDED = "amended"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class AppealStatus(StrEnum):
    """An appeal is open until an uninvolved moderator upholds or overturns the case."""

    OPEN = "open"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class ConfirmationStatus(StrEnum):
    """A removal waiting for a second moderator."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    EXPIRED = "expired"
    FAILED = "failed"  # confirmed, but Discord refused the action


class Rank(IntEnum):
    """Who someone is in the guild, for permission rules (higher may do more)."""

    MEMBER = 0
    MODERATOR = 1
    OWNER = 2  # the guild owner or an administrator


class InvalidInput(ValueError):
    """A reason, link or statement is not acceptable; the message says what to change."""


def parse_kind(value: str) -> CaseKind:
    """The case kind named by ``value`` (case-insensitive), or InvalidInput listing the kinds."""
    try:
        return CaseKind(value.strip().lower())
    except ValueError:
        allowed = ", ".join(kind.value for kind in CaseKind)
        raise InvalidInput(f"unknown case kind {value!r}; use one of: {allowed}") from None


def validate_reason(reason: str | None, *, required: bool = True) -> str:
    """Return the reason stripped; moderators must give one of at least three characters.

    A reason is the record's main accountability: a blank or one-word "x" reason would let a
    moderator act without saying why.
    """
    text = " ".join((reason or "").split())
    if not text:
        if required:
            raise InvalidInput("a reason is required: say briefly why (at least 3 characters)")
        return ""
    if len(text) < REASON_MIN_CHARS:
        raise InvalidInput(f"the reason is too short: use at least {REASON_MIN_CHARS} characters")
    if len(text) > REASON_MAX_CHARS:
        raise InvalidInput(f"the reason is too long: use at most {REASON_MAX_CHARS} characters")
    return text


def bot_reason(reason: str | None, kind: CaseKind) -> str:
    """Primum's own actions always carry a reason; fill a plain one in when a feature gave none."""
    text = " ".join((reason or "").split())
    return text if len(text) >= REASON_MIN_CHARS else f"automatic {kind.value} by Primum"


_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def validate_evidence_url(url: str | None) -> str | None:
    """Return an http(s) link (e.g. a message link) or None; refuse anything else."""
    text = (url or "").strip()
    if not text:
        return None
    if len(text) > EVIDENCE_MAX_CHARS or not _URL.match(text):
        raise InvalidInput("the evidence must be a single http(s) link, e.g. a message link")
    return text


def validate_statement(statement: str | None) -> str:
    """An appeal needs a statement in the member's own words (3 to 2000 characters)."""
    text = (statement or "").strip()
    if len(text) < REASON_MIN_CHARS:
        raise InvalidInput("please explain your appeal in a few words (at least 3 characters)")
    if len(text) > STATEMENT_MAX_CHARS:
        raise InvalidInput(f"the appeal is too long: use at most {STATEMENT_MAX_CHARS} characters")
    return text


def validate_duration(duration_s: int | None) -> int | None:
    """Durations are whole non-negative seconds, or None for "not timed"."""
    if duration_s is None:
        return None
    if isinstance(duration_s, bool) or not isinstance(duration_s, int) or duration_s < 0:
        raise InvalidInput("a duration must be a whole number of seconds, zero or more")
    return duration_s


# --- records --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRecord:
    """What another feature did; dispatch it as ``bot.dispatch("primum_action", ActionRecord(...))``.

    ``actor_id`` is None for Primum itself. ``target_id`` is the member (or the channel, for
    slowmode). ``details`` is a small JSON-able dict of ids and numbers (never message text), e.g.
    ``{"channel_id": ..., "message_id": ..., "rule": "be-kind: insult"}``.
    """

    guild_id: int
    kind: str
    target_id: int | None
    actor_id: int | None
    reason: str
    evidence_url: str | None = None
    duration_s: int | None = None
    details: Mapping[str, Any] | None = None

    @classmethod
    def coerce(cls, value: ActionRecord | Mapping[str, Any]) -> ActionRecord:
        """Accept the dataclass or a dict with the same keys (unknown keys are refused)."""
        if isinstance(value, ActionRecord):
            return value
        known = {f.name for f in fields(cls)}
        unknown = set(value) - known
        if unknown:
            raise InvalidInput(f"unknown ActionRecord field(s): {', '.join(sorted(unknown))}")
        return cls(**dict(value))


@dataclass(frozen=True)
class Case:
    """One stored case row: the original action, or an amendment pointing to the row it replaces."""

    id: int
    guild_id: int
    kind: CaseKind
    target_id: int | None
    actor_id: int | None
    reason: str
    evidence_url: str | None
    duration_s: int | None
    details: Mapping[str, Any]
    status: CaseStatus
    conflict: bool
    amends_id: int | None
    root_id: int | None
    created_at: datetime

    @property
    def number(self) -> int:
        """The case number people use: the id of the original row."""
        return self.root_id if self.root_id is not None else self.id

    @property
    def is_amendment(self) -> bool:
        """Whether this row amends an earlier one."""
        return self.amends_id is not None


@dataclass(frozen=True)
class CaseHistory:
    """A case and its amendments, oldest first; the last row is the current state."""

    rows: tuple[Case, ...]

    def __post_init__(self) -> None:
        if not self.rows:
            raise ValueError("a case history has at least its original row")

    @property
    def original(self) -> Case:
        """The first row."""
        return self.rows[0]

    @property
    def current(self) -> Case:
        """The newest row: the case as it stands."""
        return self.rows[-1]

    @property
    def number(self) -> int:
        """The case number."""
        return self.original.id

    @property
    def participants(self) -> frozenset[int]:
        """Everyone who acted on the case (the original actor, amenders, a confirming moderator)."""
        people: set[int] = set()
        for row in self.rows:
            if row.actor_id is not None:
                people.add(row.actor_id)
            for key in ("confirmed_by", "requested_by"):
                value = row.details.get(key)
                if isinstance(value, int):
                    people.add(value)
        return frozenset(people)


# --- policy ---------------------------------------------------------------------------------------


class PolicyError(ValueError):
    """A moderation setting is invalid; the message names the key and what is allowed."""


@dataclass(frozen=True)
class ModerationPolicy:
    """Per-guild moderation settings (stored as JSON in guild_settings under ``moderation``)."""

    two_moderator_rule: bool = True
    conflict_check: bool = True
    conflict_window_minutes: int = 60
    conflict_min_exchanges: int = 1  # directed messages needed in *each* direction
    appeal_reminder_hours: int = 72
    confirmation_expiry_hours: int = 24
    show_moderator_names: bool = False
    transparency_channel_id: int | None = None
    review_channel_id: int | None = None
    report_channel_id: int | None = None
    moderator_role_id: int | None = None
    verified_role_id: int | None = None

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any]) -> ModerationPolicy:
        """Defaults with ``overrides`` applied and checked; unknown keys are an error."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in overrides.items():
            if key not in known:
                raise PolicyError(f"unknown moderation setting {key!r}; known: {', '.join(sorted(known))}")
            values[key] = value
        policy = replace(cls(), **values)
        policy.check()
        return policy

    def check(self) -> None:
        """Raise PolicyError on an impossible value."""
        for name in ("two_moderator_rule", "conflict_check", "show_moderator_names"):
            if not isinstance(getattr(self, name), bool):
                raise PolicyError(f"moderation.{name} must be true or false")
        bounds = {
            "conflict_window_minutes": (1, 10_080),
            "conflict_min_exchanges": (1, 100),
            "appeal_reminder_hours": (1, 24 * 30),
            "confirmation_expiry_hours": (1, 24 * 14),
        }
        for name, (low, high) in bounds.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise PolicyError(f"moderation.{name} = {value!r}: use a whole number from {low} to {high}")
        for name in ("transparency_channel_id", "review_channel_id", "report_channel_id", "moderator_role_id",
                     "verified_role_id"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise PolicyError(f"moderation.{name} must be a Discord id or unset")

    @property
    def conflict_window(self) -> timedelta:
        """How far back an argument counts."""
        return timedelta(minutes=self.conflict_window_minutes)

    @property
    def appeal_reminder(self) -> timedelta:
        """How long an appeal may wait before its reviewer is reminded."""
        return timedelta(hours=self.appeal_reminder_hours)

    @property
    def confirmation_expiry(self) -> timedelta:
        """How long a removal waits for a second moderator."""
        return timedelta(hours=self.confirmation_expiry_hours)


# --- permissions ----------------------------------------------------------------------------------


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


def _refuse(code: str, message: str) -> Decision:
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
        return ALLOWED if actor.rank >= Rank.MODERATOR else _refuse(
            "not_moderator", "Only moderators and owners can do that.")
    refusal = rank_refusal(person(actor), person(target), bot_id)
    return ALLOWED if refusal is None else _refuse(refusal.code, refusal.message)


#: Kinds that do something to the member through Discord (role hierarchy applies).
_HIERARCHY_KINDS = frozenset({CaseKind.KICK, CaseKind.BAN, CaseKind.COOLDOWN, CaseKind.HIDE})


def check_action(kind: CaseKind, actor: Party, target: Party, bot: Party) -> Decision:
    """May ``actor`` have Primum do ``kind`` to ``target``? Checked at run time for every command.

    Order matters only for the message: the first broken rule is named.
    """
    ranked = check_rank(actor, target, bot.user_id)
    if not ranked:
        return ranked
    if kind is CaseKind.NOTE:
        return ALLOWED
    if target.is_bot and kind in REMOVAL_KINDS:
        return _refuse("target_other_bot", "Primum doesn't remove other bots; an owner can do that in Discord.")
    if kind in _HIERARCHY_KINDS:
        if target.top_role_position >= bot.top_role_position:
            return _refuse(
                "above_bot",
                "That member's highest role is at or above Primum's, so Primum can't act on them. "
                "An owner can move Primum's role higher in Server Settings → Roles.",
            )
        if actor.rank < Rank.OWNER and target.top_role_position >= actor.top_role_position:
            return _refuse("above_actor", "That member's highest role is at or above yours; ask an owner.")
    return ALLOWED


def needs_second_moderator(kind: CaseKind, target: Party, policy: ModerationPolicy) -> bool:
    """Removing a verified physician (kick or ban) waits for a second moderator's confirmation."""
    return policy.two_moderator_rule and kind in REMOVAL_KINDS and target.is_verified_physician


def check_confirmation(requester_id: int, target_id: int | None, confirmer: Party,
                       target: Party | None = None) -> Decision:
    """May ``confirmer`` be the second moderator? Not the requester, not the target, not a member,
    and (when the target is known) only someone who outranks the target."""
    if confirmer.rank < Rank.MODERATOR:
        return _refuse("not_moderator", "Only moderators and owners can confirm a removal.")
    if confirmer.user_id == requester_id:
        return _refuse("same_moderator", "A second, different moderator has to confirm this.")
    if target_id is not None and confirmer.user_id == target_id:
        return _refuse("target_self", "You can't confirm an action against yourself.")
    return check_rank(confirmer, target) if target is not None else ALLOWED


def check_amend(history: CaseHistory, actor: Party, target: Party | None = None) -> Decision:
    """Moderators may amend a case, never one about themselves or (the rank rule) about a peer or higher."""
    if actor.rank < Rank.MODERATOR:
        return _refuse("not_moderator", "Only moderators and owners can amend a case.")
    if history.original.target_id == actor.user_id:
        return _refuse("target_self", "You can't amend a case about yourself.")
    return check_rank(actor, target) if target is not None else ALLOWED


def amended_status(history: CaseHistory) -> CaseStatus:
    """The status a moderator's amendment leaves: an overturned case stays overturned.

    Overturned on appeal is final unless a new appeal decides otherwise, so ``/case amend`` can add
    a note or a correction to an overturned case but never turn it back.
    """
    return CaseStatus.OVERTURNED if history.current.status is CaseStatus.OVERTURNED else CaseStatus.AMENDED


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
        return _refuse("not_target", "You can only appeal a case about you; /standing lists yours.")
    if original.kind not in APPEALABLE_KINDS:
        return _refuse("not_appealable", f"A {original.kind.value} case can't be appealed.")
    if already_appealed:
        return _refuse("already_appealed", "This case has already been appealed; /standing shows the outcome.")
    if history.current.status is CaseStatus.OVERTURNED:
        return _refuse("overturned", "This case has already been overturned.")
    return ALLOWED


def check_decide(reviewer: Party, history: CaseHistory, appellant_id: int,
                 conversation: Iterable[int] = (), appellant: Party | None = None) -> Decision:
    """Only a moderator who took no part in the case, nor in the conversation behind it, decides.

    ``conversation`` is everyone who replied to or mentioned the appellant (or was addressed by
    them) around the case; ``appellant``, when known, also applies the rank rule.
    """
    if reviewer.rank < Rank.MODERATOR:
        return _refuse("not_moderator", "Only moderators and owners can decide appeals.")
    if reviewer.user_id == appellant_id:
        return _refuse("appellant", "You can't decide your own appeal.")
    if reviewer.user_id in history.participants:
        return _refuse("involved", "You took part in this case; a moderator who didn't must decide the appeal.")
    if reviewer.user_id in set(conversation):
        return _refuse("in_conversation", "You were in the conversation behind this case; a moderator who "
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


# --- conflict of interest -------------------------------------------------------------------------


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


# --- transparency ---------------------------------------------------------------------------------

_KIND_LABEL = {
    CaseKind.HIDE: "Message hidden",
    CaseKind.SLOWMODE: "Slowmode",
    CaseKind.COOLDOWN: "Cooldown",
    CaseKind.LIFT: "Lifted early",
    CaseKind.VERIFICATION: "Verification decision",
    CaseKind.KICK: "Kick",
    CaseKind.BAN: "Ban",
    CaseKind.UNBAN: "Unban",
    CaseKind.NOTE: "Note",
    CaseKind.FORGET: "Data forgotten",
}


def kind_label(kind: CaseKind) -> str:
    """A short human label for a kind."""
    return _KIND_LABEL[kind]


def format_duration(seconds: int | None) -> str:
    """``90`` -> ``1 min 30 s``; days, hours and minutes for longer spans."""
    if seconds is None:
        return ""
    parts: list[str] = []
    remaining = seconds
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        value, remaining = divmod(remaining, size)
        if value:
            parts.append(f"{value} {unit}")
    return " ".join(parts[:2]) or "0 s"


@dataclass(frozen=True)
class TransparencyEntry:
    """What the public log may say about a case (no target, no reason text, names only by choice)."""

    number: int
    kind: CaseKind
    rule: str | None
    duration: str
    moderator: str
    status: CaseStatus
    amended: bool = field(default=False)

    def line(self) -> str:
        """One line for the transparency channel."""
        bits = [f"Case #{self.number}", kind_label(self.kind)]
        if self.rule:
            bits.append(f"rule: {self.rule}")
        if self.duration:
            bits.append(f"duration: {self.duration}")
        bits.append(f"by {self.moderator}")
        if self.amended:
            bits.append(f"now {self.status.value}")
        return " · ".join(bits)


def transparency_entry(case: Case, policy: ModerationPolicy, actor_name: str | None = None) -> TransparencyEntry:
    """The redacted public view of a case row: kind, rule, duration and (by choice) the moderator."""
    if case.actor_id is None:
        moderator = "Primum (automatic)"
    elif policy.show_moderator_names and actor_name:
        moderator = actor_name
    else:
        moderator = "a moderator"
    rule = case.details.get("rule")
    return TransparencyEntry(
        number=case.number,
        kind=case.kind,
        rule=str(rule)[:100] if rule else None,
        duration=format_duration(case.duration_s),
        moderator=moderator,
        status=case.status,
        amended=case.is_amendment,
    )


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
