"""Physician verification rules: the request life cycle, a server's settings, and the abuse limits.

Pure: times are passed in, and nothing here talks to Discord, SQLite or the network. The registry
record is in :mod:`primum.domain.npi_registry`, who qualifies in :mod:`primum.domain.verification_eligibility`,
the e-mail code in :mod:`primum.domain.verification_email`, and the review card in
:mod:`primum.domain.verification_review`.

The pipeline (``docs``: shared research on NPPES) is: check the NPI's format and check digit; look
it up in the NPPES registry; accept only an active individual (``NPI-1``, status ``A``) with a
taxonomy in the allopathic and osteopathic physician group (codes 207…, 208…), residents listed
only as 390200000X by guild policy; compare names; bind identity (a moderator, or a code sent to
an institutional e-mail); a human decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from primum.domain.verification_eligibility import ResidentPolicy
from primum.domain.verification_email import normalize_domains


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
