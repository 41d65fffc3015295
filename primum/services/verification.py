"""Physician verification as a service: form -> registry -> identity binding -> human decision.

No Discord here: the cog turns interactions into ``Submission``s and ids, calls these methods, and
performs the Discord side effects the results describe (post the review card, grant roles, DM).

A registry failure is never the member's fault: the request waits as ``awaiting_registry`` and
``primum.services.verification_wait`` decides it in the background. A definite refusal is stored as
``ineligible`` (never superseding an open request), and the member may send it to a human.

Events emitted here: ``verification_submitted`` (every form submission, with its outcome),
``verification_registry_answered`` (a waiting request was decided), ``verification_review_requested``,
``verification_code_sent``, ``verification_code_checked``, ``verification_duplicate_npi``,
``verification_recheck`` (a verified NPI changed in the registry, :mod:`primum.services.verification_recheck`)
and ``verification_forgotten``.
The cog emits ``verified``, ``verification_denied``, ``verification_more_info`` and
``verification_registry_notified`` after it has acted in Discord. No event carries an NPI, a typed
name, an address or a code.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from primum.domain.npi import check_npi
from primum.domain.npi_registry import Lookup, LookupStatus, compare_name
from primum.domain.practice import compare_practice
from primum.domain.verification import (
    ATTEMPT_WINDOW,
    OPEN_STATUSES,
    BindingMethod,
    RequestStatus,
    ReviewAction,
    VerificationConfig,
    attempt_allowed,
    review_refusal,
)
from primum.domain.verification_eligibility import Eligibility, assess
from primum.domain.verification_review import (
    WAITING_MESSAGE,
    ReviewCard,
    card_for,
    queued_message,
    review_request_card,
)
from primum.integrations.email_code import CodeSender
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.runtime.scheduler import ActionStore
from primum.services.verification_email import EmailBinding, EmailResult
from primum.services.verification_recheck import RECHECK_BATCH, RecheckReport, RegistryRecheck
from primum.services.verification_wait import DEFAULT_RETRY_DELAYS_S, RegistryWait
from primum.storage.deescalation import ScheduledActionRepository
from primum.storage.verification import NewRequest, StoredRequest, Typed, VerificationRepository

log = logging.getLogger(__name__)

class RegistryLookup(Protocol):
    """What the service needs from ``primum.integrations.nppes.NppesClient``."""

    async def lookup(self, npi: str, *, fresh: bool = False, quick: bool = False) -> Lookup:
        """Look one NPI up (``quick``: one short try, a member is waiting)."""
        ...


@dataclass(frozen=True)
class Submission:
    """The verification form as the member filled it in (typed fields are never stored)."""

    guild_id: int
    user_id: int
    full_name: str
    npi: str
    specialty: str = ""
    state: str = ""


class SubmitOutcome(StrEnum):
    """What happened to a form submission."""

    QUEUED = "queued"  # in the review queue
    AWAITING_REGISTRY = "awaiting_registry"  # the registry did not answer; retried in the background
    AWAITING_CODE = "awaiting_code"  # in the queue, but the e-mail code comes first
    INVALID_NPI = "invalid_npi"
    INELIGIBLE = "ineligible"
    RATE_LIMITED = "rate_limited"
    REVIEW_REQUESTED = "review_requested"  # the member sent a refused request to a human
    NOTHING_TO_REVIEW = "nothing_to_review"
    ALREADY_VERIFIED = "already_verified"


@dataclass(frozen=True)
class SubmitResult:
    """The outcome, what to tell the member, and (when queued) the card to post for moderators."""

    outcome: SubmitOutcome
    message: str
    request: StoredRequest | None = None
    card: ReviewCard | None = None
    superseded: tuple[StoredRequest, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class DecisionResult:
    """A moderator's action: ``ok`` and the request after it, or why it was refused."""

    ok: bool
    message: str
    request: StoredRequest | None = None


class VerificationService:
    """The verification pipeline; one instance per bot, shared by every guild."""

    def __init__(
        self,
        repo: VerificationRepository,
        registry: RegistryLookup,
        mail: CodeSender,
        clock: Clock,
        events: EventSink,
        *,
        server_names: dict[int, str] | None = None,
        actions: ActionStore | None = None,
        registry_retry_s: Sequence[float] = DEFAULT_RETRY_DELAYS_S,
    ) -> None:
        self.repo = repo
        self._registry = registry
        self._mail = mail
        self._clock = clock
        self._events = events
        self.server_names = server_names if server_names is not None else {}
        self.email = EmailBinding(repo, mail, clock, events, self.server_names)
        self.rechecks = RegistryRecheck(repo, registry, clock, events)
        self.waiting = RegistryWait(repo, registry, clock, actions or ScheduledActionRepository(repo.database),
                                    self._conclude_waiting, delays_s=registry_retry_s)

    async def start(self) -> None:
        """Pick up requests waiting for the registry (restart-safe: the rows are the truth)."""
        await self.waiting.start()

    async def stop(self) -> None:
        """Stop the background registry retries (they stay in the database)."""
        await self.waiting.stop()

    # --- configuration ----------------------------------------------------------------------------
    async def config(self, guild_id: int) -> VerificationConfig:
        """The guild's verification settings."""
        return await self.repo.config(guild_id)

    async def update_config(self, guild_id: int, by: int | None, **changes: object) -> VerificationConfig:
        """Change some settings (validated) and return the result."""
        config = (await self.repo.config(guild_id)).with_changes(**changes)
        await self.repo.save_config(guild_id, config, now=self._clock.now(), updated_by=by)
        return config

    async def is_verified(self, guild_id: int, user_id: int) -> bool:
        """Whether the member has an approved request (a rejoining physician gets the role back)."""
        return await self.repo.latest_for_member(guild_id, user_id, [RequestStatus.APPROVED]) is not None

    # --- the form ---------------------------------------------------------------------------------
    async def submit(self, form: Submission) -> SubmitResult:
        """Check, look up, compare and queue a submission; every outcome is an event."""
        result = await self._submit(form)
        extra: dict[str, object] = {}
        if result.request is not None:
            extra = {"request_id": result.request.id, "eligibility": result.request.eligibility.value,
                     "name_match": result.request.name_match, "binding": result.request.binding.value,
                     "duplicate": bool(result.card and result.card.other_claimants)}
        self._events.emit("verification_submitted", guild_id=form.guild_id, user_id=form.user_id,
                          outcome=result.outcome.value, problem=result.problem, **extra)
        return result

    async def _submit(self, form: Submission) -> SubmitResult:
        now = self._clock.now()
        config = await self.repo.config(form.guild_id)
        previous = await self.repo.attempts_since(form.guild_id, form.user_id, now - ATTEMPT_WINDOW)
        rate = attempt_allowed(previous, now, config.max_attempts_per_day)
        if not rate.allowed:
            assert rate.retry_at is not None
            return SubmitResult(
                SubmitOutcome.RATE_LIMITED,
                f"You have reached the limit of {config.max_attempts_per_day} verification attempts per day. "
                f"You can try again <t:{int(rate.retry_at.timestamp())}:R>, or ask a moderator for help.",
                problem="rate_limited",
            )
        if await self.is_verified(form.guild_id, form.user_id):
            return SubmitResult(SubmitOutcome.ALREADY_VERIFIED, "You are already verified here.")

        npi = check_npi(form.npi)
        if not npi.valid:
            await self.repo.record_attempt(form.guild_id, form.user_id, "invalid_npi", now)
            assert npi.problem is not None
            return SubmitResult(SubmitOutcome.INVALID_NPI, npi.message, problem=npi.problem.value)
        if not form.full_name.strip():
            await self.repo.record_attempt(form.guild_id, form.user_id, "no_name", now)
            return SubmitResult(SubmitOutcome.INVALID_NPI, "Please enter your full name as registered.",
                                problem="no_name")

        lookup = await self._registry.lookup(npi.npi, quick=True)  # a member is waiting: one short try
        if lookup.status is LookupStatus.UNAVAILABLE:
            # Not the member's fault: no attempt is counted, nothing is cached, the request waits.
            request, superseded = await self.repo.create(
                NewRequest(form.guild_id, form.user_id, npi.npi, None, Eligibility.UNKNOWN, "",
                           BindingMethod.MODERATOR, RequestStatus.AWAITING_REGISTRY,
                           typed=Typed(form.full_name.strip()[:100], form.specialty.strip()[:100],
                                       form.state.strip()[:30])),
                now,
            )
            await self.waiting.hold(request)
            log.info("verification request %d waits for the registry (%s)", request.id, lookup.detail)
            return SubmitResult(SubmitOutcome.AWAITING_REGISTRY, WAITING_MESSAGE, await self.repo.get(request.id),
                                superseded=tuple(superseded), problem="registry_unavailable")
        result = await self._conclude(form, npi.npi, lookup, config, None)
        assert result is not None
        return result

    async def _conclude_waiting(self, request: StoredRequest, lookup: Lookup) -> SubmitResult | None:
        """The registry answered a waiting request: decide it like a fresh submission (once)."""
        typed = request.typed or Typed("")
        form = Submission(request.guild_id, request.user_id, typed.name, request.npi, typed.specialty, typed.state)
        config = await self.repo.config(request.guild_id)
        result = await self._conclude(form, request.npi, lookup, config, request)
        if result is not None:
            self._events.emit("verification_registry_answered", guild_id=request.guild_id, user_id=request.user_id,
                              request_id=request.id, outcome=result.outcome.value, problem=result.problem,
                              name_match=result.request.name_match if result.request else None,
                              waited_s=round((self._clock.now() - request.created_at).total_seconds()),
                              lookups=request.registry_attempts + 1)
        return result

    async def _conclude(self, form: Submission, npi: str, lookup: Lookup, config: VerificationConfig,
                        waiting: StoredRequest | None) -> SubmitResult | None:
        """Turn a definite registry answer into an ineligible or queued request (None: the wait was closed)."""
        now = self._clock.now()
        assessment = assess(lookup, config.residents)
        if not assessment.eligible:
            assert assessment.reason is not None
            decided = NewRequest(form.guild_id, form.user_id, npi, None, Eligibility.INELIGIBLE, "",
                                 BindingMethod.MODERATOR, RequestStatus.INELIGIBLE,
                                 registry_status=assessment.reason.value)
            stored = await self._store(decided, waiting, now, supersede=False)
            if stored is None:
                return None
            await self.repo.record_attempt(form.guild_id, form.user_id, "ineligible", now)
            return SubmitResult(SubmitOutcome.INELIGIBLE, assessment.message, stored[0],
                                problem=assessment.reason.value)

        record = lookup.record
        assert record is not None and assessment.taxonomy is not None
        name_match = compare_name(form.full_name, record)
        practice = compare_practice(form.state, form.specialty, record.licence_states,
                                    (t.desc for t in record.taxonomies))
        binding = BindingMethod.EMAIL if config.email_binding else BindingMethod.MODERATOR
        status = RequestStatus.AWAITING_CODE if binding is BindingMethod.EMAIL else RequestStatus.PENDING
        claimants = tuple(await self.repo.other_claimants(form.guild_id, npi, form.user_id))
        stored = await self._store(
            NewRequest(form.guild_id, form.user_id, npi, assessment.taxonomy.code, assessment.eligibility,
                       name_match.grade.value, binding, status),
            waiting, now, supersede=True,
        )
        if stored is None:
            return None
        request, superseded = stored
        await self.repo.record_attempt(form.guild_id, form.user_id, status.value, now)
        if claimants:
            log.info("NPI claimed by %d other account(s) in guild %s (request %d)", len(claimants),
                     form.guild_id, request.id)
            self._events.emit("verification_duplicate_npi", guild_id=form.guild_id, user_id=form.user_id,
                              request_id=request.id, other_user_ids=list(claimants))
        card = card_for(request.id, form.user_id, npi, (form.full_name, form.specialty, form.state), record,
                        assessment.eligibility, name_match, practice, binding, claimants=claimants)
        if binding is BindingMethod.EMAIL:
            domains = ", ".join(config.email_domains) or "(none configured yet: ask the moderators)"
            return SubmitResult(SubmitOutcome.AWAITING_CODE, queued_message(name_match, email_domains=domains),
                                request, card, tuple(superseded))
        return SubmitResult(SubmitOutcome.QUEUED, queued_message(name_match, email_domains=None), request, card,
                            tuple(superseded))

    async def _store(self, decided: NewRequest, waiting: StoredRequest | None, now: datetime, *,
                     supersede: bool) -> tuple[StoredRequest, list[StoredRequest]] | None:
        if waiting is None:
            return await self.repo.create(decided, now, supersede=supersede)
        if not await self.repo.conclude_waiting(waiting.id, decided, now):
            return None
        stored = await self.repo.get(waiting.id)
        return (stored, []) if stored is not None else None

    async def attach_card(self, request_id: int, channel_id: int, message_id: int) -> None:
        """Remember the review card's message (its buttons find the request through it)."""
        await self.repo.set_review_message(request_id, channel_id, message_id, self._clock.now())

    async def request_for_card(self, guild_id: int, message_id: int) -> StoredRequest | None:
        """The request a review card belongs to."""
        return await self.repo.by_review_message(guild_id, message_id)

    # --- e-mail binding (primum.services.verification_email) -------------------------------------
    async def send_code(self, guild_id: int, user_id: int, address: str) -> EmailResult:
        """Send a six-digit code to an allow-listed institutional address."""
        return await self.email.send_code(guild_id, user_id, address)

    async def confirm_code(self, guild_id: int, user_id: int, typed: str) -> EmailResult:
        """Check a typed code; the right one moves the request into the review queue."""
        return await self.email.confirm_code(guild_id, user_id, typed)

    # --- moderator decisions ---------------------------------------------------------------------
    async def decide(self, request_id: int, action: ReviewAction, reviewer_id: int, reason: str = "") -> DecisionResult:
        """Approve, deny (reason required) or ask for more (question required), exactly once."""
        request = await self.repo.get(request_id)
        if request is None:
            return DecisionResult(False, "This request no longer exists (the member's data may have been deleted).")
        refusal = review_refusal(request.status, action, reason)
        if refusal is not None:
            return DecisionResult(False, refusal, request)
        now = self._clock.now()
        target = {ReviewAction.APPROVE: RequestStatus.APPROVED, ReviewAction.DENY: RequestStatus.DENIED,
                  ReviewAction.ASK_MORE: RequestStatus.MORE_INFO}[action]
        expected = OPEN_STATUSES if action is not ReviewAction.APPROVE else \
            frozenset({RequestStatus.PENDING, RequestStatus.MORE_INFO})
        changed = await self.repo.transition(
            request_id, target, expected=expected, now=now, reviewer_id=reviewer_id,
            reason=reason.strip()[:1000] or None, decided=action is not ReviewAction.ASK_MORE,
        )
        after = await self.repo.get(request_id)
        if not changed:
            return DecisionResult(False, "Another moderator decided this request a moment ago.", after)
        log.info("verification request %d: %s by %s", request_id, target.value, reviewer_id)
        return DecisionResult(True, target.value, after)

    # --- a human review of a refused request ------------------------------------------------------
    async def request_review(self, guild_id: int, user_id: int, note: str) -> SubmitResult:
        """The member asks the moderators to look at a request the registry check refused (once per request)."""
        request = await self.repo.latest_for_member(guild_id, user_id)
        if request is None or request.status is not RequestStatus.INELIGIBLE:
            status = request.status if request is not None else None
            message = {
                RequestStatus.AWAITING_REGISTRY: "Your request is waiting for the NPI Registry; I will DM you as soon "
                                                 "as it moves on.",
                RequestStatus.PENDING: "Your request is already with the moderators.",
                RequestStatus.MORE_INFO: "Your request is already with the moderators.",
                RequestStatus.AWAITING_CODE: "Your request is already with the moderators (after the e-mail code).",
                RequestStatus.APPROVED: "You are already verified here.",
            }.get(status, "") if status is not None else ""
            return SubmitResult(SubmitOutcome.NOTHING_TO_REVIEW, message or (
                "There is no refused request to send to the moderators. Press **Verify** and submit your NPI "
                "first; if the registry check refuses it, this button sends it to a human."), request)
        now = self._clock.now()
        if not await self.repo.transition(request.id, RequestStatus.PENDING, expected=[RequestStatus.INELIGIBLE],
                                          now=now):
            return SubmitResult(SubmitOutcome.NOTHING_TO_REVIEW, "Your request is already with the moderators.")
        lookup = await self._registry.lookup(request.npi, quick=True)  # cached when the refusal was recent
        card = review_request_card(request.id, user_id, request.npi, request.registry_status or "",
                                   lookup.record, note)
        self._events.emit("verification_review_requested", guild_id=guild_id, user_id=user_id,
                          request_id=request.id, registry_status=request.registry_status)
        return SubmitResult(SubmitOutcome.REVIEW_REQUESTED,
                            "Your request is now with the moderators; a human will look at it and you will hear "
                            "from me by DM when they have decided.", await self.repo.get(request.id), card)

    # --- upkeep (primum.services.verification_recheck) ------------------------------------------
    async def recheck(self, *, limit: int = RECHECK_BATCH) -> RecheckReport:
        """Look verified NPIs up again when due; report those that no longer qualify (once each)."""
        return await self.rechecks.run(limit=limit)

    async def forget_user(self, guild_id: int, user_id: int) -> int:
        """Delete everything verification stored about a member (on request); return rows removed."""
        removed = await self.repo.forget_user(guild_id, user_id)
        self._events.emit("verification_forgotten", guild_id=guild_id, user_id=user_id, rows=removed)
        return removed
