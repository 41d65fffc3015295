"""Physician verification rules: who counts as a physician in the registry, and the request life cycle.

Pure: the registry record arrives as a plain dataclass (``primum.integrations.nppes`` parses the JSON), times
are passed in, and nothing here talks to Discord, SQLite or the network.

The pipeline (``docs``: shared research on NPPES) is: check the NPI's format and check digit; look
it up in the NPPES registry; accept only an active individual (``NPI-1``, status ``A``) with a
taxonomy in the allopathic and osteopathic physician group (codes 207…, 208…), residents listed
only as 390200000X by guild policy; compare names; bind identity (a moderator, or a code sent to
an institutional e-mail); a human decides.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from primum.domain.name_match import NameMatch, RegistryName, match_name

#: NUCC "Allopathic & Osteopathic Physicians": every code of the group begins 207 or 208.
PHYSICIAN_TAXONOMY = re.compile(r"^20[78][0-9A-Z]{6}X$")
#: "Student in an Organized Health Care Education/Training Program" (how many residents are listed).
RESIDENT_TAXONOMY = "390200000X"
INDIVIDUAL = "NPI-1"
ACTIVE = "A"


# --- the registry record --------------------------------------------------------------------------
@dataclass(frozen=True)
class Taxonomy:
    """One ``taxonomies[]`` entry of a registry record."""

    code: str
    desc: str = ""
    primary: bool = False
    state: str = ""
    license: str = ""

    @property
    def is_physician(self) -> bool:
        """Whether the code is in the allopathic and osteopathic physician group."""
        return bool(PHYSICIAN_TAXONOMY.match(self.code.strip().upper()))

    @property
    def is_resident(self) -> bool:
        """Whether the code is the trainee code residents are often listed under."""
        return self.code.strip().upper() == RESIDENT_TAXONOMY


@dataclass(frozen=True)
class RegistryRecord:
    """The facts Primum uses from one NPPES result (both the 2019 and the 2026 shapes parse to this)."""

    number: str
    enumeration_type: str
    status: str
    name: RegistryName
    credential: str = ""
    taxonomies: tuple[Taxonomy, ...] = ()
    enumeration_date: str = ""
    last_updated: str = ""
    deactivation_date: str = ""
    reactivation_date: str = ""

    @property
    def display_name(self) -> str:
        """``FIRST MIDDLE LAST, CREDENTIAL`` as the registry spells it."""
        parts = [self.name.first, self.name.middle, self.name.last]
        text = " ".join(part for part in parts if part)
        return f"{text}, {self.credential}" if self.credential else text

    @property
    def licence_states(self) -> tuple[str, ...]:
        """The states of the record's taxonomy licences, in order, without repeats."""
        return tuple(dict.fromkeys(t.state.upper() for t in self.taxonomies if t.state))

    @property
    def primary_taxonomy(self) -> Taxonomy | None:
        """The taxonomy marked primary (or the first one)."""
        for taxonomy in self.taxonomies:
            if taxonomy.primary:
                return taxonomy
        return self.taxonomies[0] if self.taxonomies else None


class LookupStatus(StrEnum):
    """What the registry said about an NPI."""

    FOUND = "found"
    NOT_FOUND = "not_found"  # result_count 0
    DEACTIVATED = "deactivated"  # Errors number 15 "CMS deactivated NPI …"
    #: The registry could not answer: timeouts, 5xx, 429, an unexpected ``Errors`` answer (anything but
    #: number 15: the NPI is already known to be well formed), an unreadable or malformed body. Never the
    #: member's fault: never cached, never counted, retried in the background.
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Lookup:
    """One registry answer; ``record`` is set only when ``status`` is ``FOUND``."""

    status: LookupStatus
    record: RegistryRecord | None = None
    detail: str = ""


# --- eligibility -----------------------------------------------------------------------------------
class ResidentPolicy(StrEnum):
    """What to do with NPIs listed only as 390200000X (trainees, usually residents)."""

    ACCEPT = "accept"  # the default: send them to review like physicians (the reviewer sees "resident")
    REJECT = "reject"  # refuse them at once (they can still ask the moderators)


class Eligibility(StrEnum):
    """The registry check's conclusion."""

    PHYSICIAN = "physician"
    RESIDENT = "resident"  # listed only as a trainee; allowed by the guild's policy
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"  # the registry could not be asked; try again later


class Ineligible(StrEnum):
    """Why a registry record does not qualify."""

    NOT_FOUND = "not_found"
    DEACTIVATED = "deactivated"
    ORGANIZATION = "organization"
    INACTIVE = "inactive"
    NOT_PHYSICIAN = "not_physician"
    RESIDENT_NOT_ACCEPTED = "resident_not_accepted"


ASK_HINT = "If you believe the registry is wrong, press **Ask the moderators** and a human will look at it."
NPPES_UPDATE = "update your record at https://nppes.cms.hhs.gov (changes reach the public registry within days)"
INELIGIBLE_MESSAGES: dict[Ineligible, str] = {
    Ineligible.NOT_FOUND: (
        "The NPI Registry has no record for that NPI. Please re-check the number against "
        "https://npiregistry.cms.hhs.gov and submit again; a newly issued NPI can take a few days to appear. "
        + ASK_HINT
    ),
    Ineligible.DEACTIVATED: (
        "The NPI Registry lists that NPI as deactivated. If you have a newer NPI, submit that one; if it was "
        "deactivated by mistake, ask NPPES to reactivate it (https://nppes.cms.hhs.gov, or the NPI Enumerator "
        "at 1-800-465-3203). " + ASK_HINT
    ),
    Ineligible.ORGANIZATION: (
        "That NPI belongs to an organisation (NPI-2). Please submit your individual NPI (NPI-1): you can find "
        "it by your name at https://npiregistry.cms.hhs.gov. " + ASK_HINT
    ),
    Ineligible.INACTIVE: (
        "The NPI Registry does not list that NPI as active. If your record should be active, " + NPPES_UPDATE
        + ", then submit again. " + ASK_HINT
    ),
    Ineligible.NOT_PHYSICIAN: (
        "The NPI Registry lists no allopathic or osteopathic physician specialty (MD/DO) for that NPI. If you "
        "are a physician and your registry specialty is out of date, " + NPPES_UPDATE + ", or press **Ask the "
        "moderators** to have a human review your request now."
    ),
    Ineligible.RESIDENT_NOT_ACCEPTED: (
        "The NPI Registry lists that NPI only as a trainee (390200000X), and this server's owners chose not to "
        "accept trainee-only records automatically. If you are a resident physician, press **Ask the "
        "moderators** and a human will review your request."
    ),
}


@dataclass(frozen=True)
class Assessment:
    """Eligibility plus the taxonomy that qualified (stored) and the reason when ineligible."""

    eligibility: Eligibility
    taxonomy: Taxonomy | None = None
    reason: Ineligible | None = None

    @property
    def eligible(self) -> bool:
        """Whether the request may go on to identity binding and review."""
        return self.eligibility in {Eligibility.PHYSICIAN, Eligibility.RESIDENT}

    @property
    def message(self) -> str:
        """What to tell the member when ineligible."""
        return INELIGIBLE_MESSAGES[self.reason] if self.reason is not None else ""


def physician_taxonomy(taxonomies: Iterable[Taxonomy]) -> Taxonomy | None:
    """The best physician taxonomy (the primary one first), checking every entry, not only the primary."""
    physicians = [taxonomy for taxonomy in taxonomies if taxonomy.is_physician]
    physicians.sort(key=lambda taxonomy: not taxonomy.primary)
    return physicians[0] if physicians else None


def assess(lookup: Lookup, residents: ResidentPolicy) -> Assessment:
    """Decide whether a registry answer qualifies for review (before any human looks at it)."""
    if lookup.status is LookupStatus.UNAVAILABLE:
        return Assessment(Eligibility.UNKNOWN)
    simple = {
        LookupStatus.NOT_FOUND: Ineligible.NOT_FOUND,
        LookupStatus.DEACTIVATED: Ineligible.DEACTIVATED,
    }
    if lookup.status in simple or lookup.record is None:
        return Assessment(Eligibility.INELIGIBLE, reason=simple.get(lookup.status, Ineligible.NOT_FOUND))
    record = lookup.record
    if record.enumeration_type.upper() != INDIVIDUAL:
        return Assessment(Eligibility.INELIGIBLE, reason=Ineligible.ORGANIZATION)
    if record.status.upper() != ACTIVE:
        return Assessment(Eligibility.INELIGIBLE, reason=Ineligible.INACTIVE)
    taxonomy = physician_taxonomy(record.taxonomies)
    if taxonomy is not None:
        return Assessment(Eligibility.PHYSICIAN, taxonomy)
    trainee = next((t for t in record.taxonomies if t.is_resident), None)
    if trainee is not None:
        if residents is ResidentPolicy.ACCEPT:
            return Assessment(Eligibility.RESIDENT, trainee)
        return Assessment(Eligibility.INELIGIBLE, trainee, Ineligible.RESIDENT_NOT_ACCEPTED)
    return Assessment(Eligibility.INELIGIBLE, record.primary_taxonomy, Ineligible.NOT_PHYSICIAN)


def compare_name(typed: str, record: RegistryRecord) -> NameMatch:
    """The fuzzy name comparison for the review card."""
    return match_name(typed, record.name)


# --- requests --------------------------------------------------------------------------------------
class RequestStatus(StrEnum):
    """Life of a verification request (the README lists them for owners)."""

    AWAITING_REGISTRY = "awaiting_registry"  # the registry could not answer; retried in the background
    INELIGIBLE = "ineligible"  # the registry check refused it; the member may ask for a human review
    AWAITING_CODE = "awaiting_code"  # e-mail binding on: waiting for the member's code
    PENDING = "pending"  # in the review queue
    MORE_INFO = "more_info"  # a moderator asked the member for more; still reviewable
    APPROVED = "approved"
    DENIED = "denied"
    SUPERSEDED = "superseded"  # the member submitted a newer request
    REVOKED = "revoked"  # verified once; removed later (deactivated NPI, data deletion)


OPEN_STATUSES = frozenset({RequestStatus.AWAITING_REGISTRY, RequestStatus.AWAITING_CODE, RequestStatus.PENDING,
                           RequestStatus.MORE_INFO})
REVIEWABLE = frozenset({RequestStatus.PENDING, RequestStatus.MORE_INFO})


class ReviewAction(StrEnum):
    """What a moderator can do to a request."""

    APPROVE = "approve"
    DENY = "deny"
    ASK_MORE = "ask_more"


def review_refusal(status: RequestStatus, action: ReviewAction, reason: str) -> str | None:
    """Why a review action cannot happen now (None when it can)."""
    if status is RequestStatus.AWAITING_REGISTRY:
        return "This request is still waiting for the NPI Registry; it reaches the queue when the registry answers."
    if status is RequestStatus.AWAITING_CODE and action is not ReviewAction.DENY:
        return "This request is still waiting for the member's e-mail code; until then it can only be denied."
    if status not in OPEN_STATUSES:
        return f"This request was already closed ({status.value.replace('_', ' ')})."
    if action in {ReviewAction.DENY, ReviewAction.ASK_MORE} and not reason.strip():
        return "A reason is required." if action is ReviewAction.DENY else "Please write what you need."
    return None


class BindingMethod(StrEnum):
    """How the member's identity is bound to the NPI."""

    MODERATOR = "moderator"
    EMAIL = "email"


# --- per-guild configuration -----------------------------------------------------------------------
DEFAULT_NAMES = {
    "unverified_role": "Unverified",
    "verified_role": "Verified Physician",
    "verify_channel": "verify",
    "review_channel": "review-queue",
    "modlog_channel": "mod-log",
}


@dataclass(frozen=True)
class VerificationConfig:
    """A guild's verification settings (stored as one JSON object; unset ids fall back to names)."""

    unverified_role_id: int | None = None
    verified_role_id: int | None = None
    verify_channel_id: int | None = None
    review_channel_id: int | None = None
    modlog_channel_id: int | None = None
    verify_message_id: int | None = None  # the pinned "Verify" message Primum posted
    #: Trainee-only (390200000X) records go to a human reviewer, marked as such (the README says why).
    residents: ResidentPolicy = ResidentPolicy.ACCEPT
    email_binding: bool = False
    email_domains: tuple[str, ...] = ()
    recheck_days: int = 30
    max_attempts_per_day: int = 5
    code_minutes: int = 15
    code_attempts: int = 5

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> VerificationConfig:
        """Read a stored JSON object; unknown keys are ignored, bad values fall back to defaults."""
        if not data:
            return cls()
        base = cls()
        values: dict[str, Any] = {}
        for key in ("unverified_role_id", "verified_role_id", "verify_channel_id", "review_channel_id",
                    "modlog_channel_id", "verify_message_id"):
            raw = data.get(key)
            values[key] = int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else None
        try:
            values["residents"] = ResidentPolicy(str(data.get("residents", base.residents.value)))
        except ValueError:
            values["residents"] = base.residents
        values["email_binding"] = bool(data.get("email_binding", base.email_binding))
        domains = data.get("email_domains", ())
        values["email_domains"] = normalize_domains(domains if isinstance(domains, list | tuple) else ())
        for key, low, high in (("recheck_days", 1, 365), ("max_attempts_per_day", 1, 100),
                               ("code_minutes", 1, 1440), ("code_attempts", 1, 20)):
            raw = data.get(key, getattr(base, key))
            values[key] = raw if isinstance(raw, int) and not isinstance(raw, bool) and low <= raw <= high \
                else getattr(base, key)
        return cls(**values)

    def to_mapping(self) -> dict[str, Any]:
        """The JSON object to store."""
        data = asdict(self)
        data["residents"] = self.residents.value
        data["email_domains"] = list(self.email_domains)
        return data

    def with_changes(self, **changes: Any) -> VerificationConfig:
        """A copy with some fields changed (validated through ``from_mapping``)."""
        return VerificationConfig.from_mapping({**self.to_mapping(), **changes})

    @property
    def recheck_interval(self) -> timedelta:
        """How often verified NPIs are looked up again."""
        return timedelta(days=self.recheck_days)


def normalize_domains(domains: Iterable[Any]) -> tuple[str, ...]:
    """Lower-case, de-duplicated e-mail domains without a leading ``@``; junk entries dropped."""
    seen: list[str] = []
    for raw in domains:
        domain = str(raw).strip().lower().lstrip("@").rstrip(".")
        if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain) and domain not in seen:
            seen.append(domain)
    return tuple(seen)


def parse_domain_list(text: str) -> tuple[str, ...]:
    """Domains typed as ``mayo.edu, @jhmi.edu stanford.edu``."""
    return normalize_domains(re.split(r"[\s,;]+", text))


EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")


def email_domain(address: str) -> str | None:
    """The lower-case domain of a plausible e-mail address, or None."""
    match = EMAIL.match(address.strip())
    return match.group(1).lower() if match else None


def domain_allowed(address: str, allowed: Sequence[str]) -> bool:
    """Whether the address is on an allow-listed domain or one of its subdomains."""
    domain = email_domain(address)
    if domain is None:
        return False
    return any(domain == item or domain.endswith("." + item) for item in allowed)


# --- abuse limits and upkeep ------------------------------------------------------------------------
@dataclass(frozen=True)
class RateDecision:
    """Whether another attempt is allowed now, and when the next one will be."""

    allowed: bool
    retry_at: datetime | None = None


ATTEMPT_WINDOW = timedelta(hours=24)


def attempt_allowed(previous: Sequence[datetime], now: datetime, limit: int,
                    window: timedelta = ATTEMPT_WINDOW) -> RateDecision:
    """At most ``limit`` submissions per sliding ``window``; ``previous`` are earlier attempt times."""
    recent = sorted(moment for moment in previous if now - moment < window)
    if len(recent) < limit:
        return RateDecision(True)
    return RateDecision(False, recent[len(recent) - limit] + window)


def recheck_due(last_checked_at: datetime | None, verified_at: datetime, now: datetime,
                interval: timedelta) -> bool:
    """Whether a verified NPI should be looked up again now."""
    return now - (last_checked_at or verified_at) >= interval


# --- e-mail codes ----------------------------------------------------------------------------------
class CodeOutcome(StrEnum):
    """The result of typing an e-mail code."""

    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"  # too many wrong tries
    NONE = "none"  # no code was sent


@dataclass(frozen=True)
class CodeState:
    """What is stored about a sent code: a keyed hash, its expiry and the wrong tries so far."""

    digest: str
    expires_at: datetime
    attempts: int = 0


@dataclass(frozen=True)
class CodeCheck:
    """The outcome and the new state to store (None: clear the code)."""

    outcome: CodeOutcome
    state: CodeState | None
    remaining: int = 0


def code_digest(code: str, salt: str) -> str:
    """``salt$hmac`` of a code, so the database never holds the code itself."""
    mac = hmac.new(salt.encode(), code.strip().encode(), hashlib.sha256).hexdigest()
    return f"{salt}${mac}"


def check_code(state: CodeState | None, typed: str, now: datetime, max_attempts: int) -> CodeCheck:
    """Compare a typed code with the stored state; count wrong tries and lock after ``max_attempts``."""
    if state is None:
        return CodeCheck(CodeOutcome.NONE, None)
    if state.attempts >= max_attempts:
        return CodeCheck(CodeOutcome.LOCKED, state)
    if now >= state.expires_at:
        return CodeCheck(CodeOutcome.EXPIRED, None)
    salt = state.digest.split("$", 1)[0]
    cleaned = re.sub(r"[\s-]+", "", typed)
    if hmac.compare_digest(code_digest(cleaned, salt), state.digest):
        return CodeCheck(CodeOutcome.OK, None)
    after = replace(state, attempts=state.attempts + 1)
    remaining = max(max_attempts - after.attempts, 0)
    return CodeCheck(CodeOutcome.LOCKED if remaining == 0 else CodeOutcome.WRONG, after, remaining)
