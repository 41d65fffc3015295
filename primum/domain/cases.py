"""What a case is: its kinds and states, the records, and the checks on what people type into one.

Every action by Primum or a moderator becomes a *case* (append-only; an amendment is a new case row
that points to the one it replaces). The rules around cases live beside this module, each in its
own: who may act on whom (:mod:`~primum.domain.moderation_rules`), removals that wait for a second
moderator (:mod:`~primum.domain.removals`), appeals (:mod:`~primum.domain.appeals`), conflicts of
interest (:mod:`~primum.domain.conflict`), the public transparency line
(:mod:`~primum.domain.transparency`) and other features' events as cases
(:mod:`~primum.domain.case_events`). All of them take plain values and never touch Discord or SQL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

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
    NOTE = "note"  # for the moderators; the member sees it in /standing but is not told
    WARN = "warn"  # a warning the member receives by DM
    PURGE = "purge"  # a burst of recent messages deleted at once (of one member, or of a channel)
    FORGET = "forget"  # a member's data was deleted (a privacy request); ids and the reason only


#: Kinds whose target is a channel, not a member.
CHANNEL_KINDS: frozenset[CaseKind] = frozenset({CaseKind.SLOWMODE})
#: Kinds that remove someone from the community (the two-moderator rule applies to these).
REMOVAL_KINDS: frozenset[CaseKind] = frozenset({CaseKind.KICK, CaseKind.BAN})
#: Kinds a member can appeal (a lift or an unban is good news; a forget was their own request).
APPEALABLE_KINDS: frozenset[CaseKind] = frozenset(
    {CaseKind.HIDE, CaseKind.COOLDOWN, CaseKind.VERIFICATION, CaseKind.KICK, CaseKind.BAN, CaseKind.NOTE,
     CaseKind.WARN, CaseKind.PURGE}
)
#: Actions against a member or a channel, lightest first: the order reports and charts list them in.
#: A note only goes on the record; a warning tells the member but removes nothing; a hide removes one
#: message and a purge a burst; slowmode slows a channel; a cooldown silences a member for a while;
#: a kick and a ban remove them. Kinds that undo or record something else come after, in
#: :data:`OTHER_RECORDS`.
ACTION_LADDER: tuple[CaseKind, ...] = (
    CaseKind.NOTE, CaseKind.WARN, CaseKind.HIDE, CaseKind.PURGE, CaseKind.SLOWMODE, CaseKind.COOLDOWN,
    CaseKind.KICK, CaseKind.BAN,
)
#: Cases that are not a step against anyone: lifting or unbanning early, verification, forgetting.
OTHER_RECORDS: tuple[CaseKind, ...] = (CaseKind.LIFT, CaseKind.UNBAN, CaseKind.VERIFICATION, CaseKind.FORGET)


def stored_kind(kind: str, details: Mapping[str, Any]) -> CaseKind:
    """The kind of a stored case row, reading rows written before ``warn`` and ``purge`` existed.

    Until migration 0011 a warning was stored as a ``note`` marked ``{"warning": 1}`` and a purge
    as a ``hide`` carrying ``{"purge": <count>}``. Those rows are never rewritten (the log is
    append-only and hash-chained), so they are read as what they were here, in one place.
    """
    value = CaseKind(kind)
    if value is CaseKind.NOTE and details.get("warning"):
        return CaseKind.WARN
    if value is CaseKind.HIDE and "purge" in details:
        return CaseKind.PURGE
    return value


class CaseStatus(StrEnum):
    """The state a case row leaves the case in; the newest row of a chain is the case's state."""

    ACTIVE = "active"
    AMENDED = "amended"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


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


# --- labels ---------------------------------------------------------------------------------------

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
    CaseKind.WARN: "Warning",
    CaseKind.PURGE: "Messages purged",
    CaseKind.FORGET: "Data forgotten",
}


def kind_label(kind: CaseKind) -> str:
    """A short human label for a kind."""
    return _KIND_LABEL[kind]


def case_label(case: Case) -> str:
    """The kind's label with what it counts: ``Messages purged (12)``; the plain label otherwise."""
    label = kind_label(case.kind)
    if case.kind is CaseKind.PURGE:
        count = case.details.get("messages", case.details.get("purge"))
        if isinstance(count, int) and not isinstance(count, bool):
            return f"{label} ({count})"
    return label
