"""Accountable moderation between the cog and storage: the rules people meet around cases.

``ModerationService`` routes appeals to an uninvolved moderator, keeps removals of verified
physicians waiting for a second moderator, checks conflicts of interest, amends cases and
assembles a member's standing. It records through :class:`~primum.services.cases.CaseLog`. No
Discord here: the cog turns members into ``Party`` values.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from primum.domain.appeals import (
    Appeal,
    AppealStatus,
    appeal_still_decided,
    check_appeal,
    check_decide,
    choose_reviewer,
)
from primum.domain.cases import (
    Case,
    CaseHistory,
    CaseKind,
    CaseStatus,
    validate_evidence_url,
    validate_reason,
    validate_statement,
)
from primum.domain.conflict import Conflict, detect_conflict
from primum.domain.moderation_policy import ModerationPolicy
from primum.domain.moderation_rules import Decision, Party, amended_status, check_amend
from primum.domain.privacy import KEPT_TEXT_RETENTION
from primum.domain.removals import Confirmation, ConfirmationStatus, check_confirmation
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.services.cases import CaseLog, safe_details
from primum.storage.appeals import AppealRepository
from primum.storage.confirmations import ConfirmationRepository
from primum.storage.database import Database
from primum.storage.guild_settings import GuildSettingsRepository
from primum.storage.interactions import InteractionRepository
from primum.storage.standing import CooldownSummary, NudgeSummary, active_cooldowns, member_nudges

log = logging.getLogger(__name__)

SETTINGS_KEY = "moderation"


class Refused(Exception):
    """A rule said no; ``decision.message`` is what to tell the person."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.message)
        self.decision = decision


@dataclass(frozen=True)
class Standing:
    """What /standing shows a member about themselves."""

    nudges: list[NudgeSummary]
    cooldowns: list[CooldownSummary]
    cases: list[CaseHistory]
    appeals: dict[int, Appeal]  # by case number


@dataclass(frozen=True)
class RemovalRequest:
    """A kick or ban as a moderator asked for it."""

    guild_id: int
    kind: CaseKind
    target_id: int
    requester_id: int
    reason: str
    evidence_url: str | None = None
    details: Mapping[str, Any] | None = None
    conflict: bool = False


class ModerationService:
    """Policy, appeals, confirmations, conflicts and standing; the cog does the Discord side."""

    def __init__(self, db: Database, clock: Clock, events: EventSink | None = None,
                 case_log: CaseLog | None = None) -> None:
        self.db = db
        self.clock = clock
        self.events = events
        self.case_log = case_log or CaseLog(db, clock, events)
        self.cases = self.case_log.repo
        self.appeals = AppealRepository(db)
        self.confirmations = ConfirmationRepository(db)
        self.interactions = InteractionRepository(db)
        self.settings = GuildSettingsRepository(db)

    # --- policy -------------------------------------------------------------------------------
    async def policy(self, guild_id: int) -> ModerationPolicy:
        """The guild's moderation settings (defaults when unset or, with a warning, when invalid)."""
        stored = await self.settings.get(guild_id, SETTINGS_KEY)
        if not isinstance(stored, dict):
            return ModerationPolicy()
        try:
            return ModerationPolicy.from_overrides(stored)
        except ValueError as error:
            log.warning("guild %d has invalid moderation settings (%s); using defaults", guild_id, error)
            return ModerationPolicy()

    async def update_policy(self, guild_id: int, changes: Mapping[str, Any], by: int) -> ModerationPolicy:
        """Apply owner changes (validated as a whole) and store them; None values unset a key."""
        stored = await self.settings.get(guild_id, SETTINGS_KEY)
        merged = dict(stored) if isinstance(stored, dict) else {}
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        policy = ModerationPolicy.from_overrides(merged)
        await self.settings.set(guild_id, SETTINGS_KEY, merged, now=self.clock.now(), updated_by=by)
        return policy

    # --- conflict of interest -----------------------------------------------------------------
    async def conflict(
        self, guild_id: int, moderator_id: int, target_id: int, policy: ModerationPolicy,
        channel_id: int | None = None,
    ) -> Conflict | None:
        """Was the moderator arguing with the target (in ``channel_id``, or any channel) lately?"""
        if not policy.conflict_check:
            return None
        now = self.clock.now()
        found = await self.interactions.between(guild_id, moderator_id, target_id, now - policy.conflict_window)
        return detect_conflict(found, moderator_id, target_id, now, policy, channel_id)

    # --- two moderators -----------------------------------------------------------------------
    async def request_removal(self, request: RemovalRequest, policy: ModerationPolicy) -> Confirmation:
        """Store a removal that waits for a second moderator; emits ``case_pending``."""
        now = self.clock.now()
        confirmation = await self.confirmations.add(
            guild_id=request.guild_id, kind=request.kind, target_id=request.target_id,
            requester_id=request.requester_id, reason=validate_reason(request.reason),
            evidence_url=validate_evidence_url(request.evidence_url), details=safe_details(request.details),
            conflict=request.conflict, now=now, expires_at=now + policy.confirmation_expiry,
        )
        if self.events is not None:
            self.events.emit("case_pending", confirmation_id=confirmation.id, guild_id=confirmation.guild_id,
                             kind=str(confirmation.kind), target_id=confirmation.target_id,
                             requester_id=confirmation.requester_id)
        return confirmation

    async def claim_confirmation(self, confirmation_id: int, guild_id: int, confirmer: Party,
                                 confirm: bool, target: Party | None = None) -> Confirmation:
        """The second moderator confirms (or declines); raises Refused when they may not.

        On success the confirmation is closed (once) and returned; the caller then performs the
        removal and calls :meth:`removal_done` (or :meth:`removal_failed`).
        """
        confirmation = await self.confirmations.get(confirmation_id)
        if confirmation is None or confirmation.guild_id != guild_id:
            raise Refused(Decision(False, f"There is no removal request #{confirmation_id}.", "missing"))
        if confirmation.status is not ConfirmationStatus.PENDING:
            raise Refused(Decision(False, f"Request #{confirmation_id} is already {confirmation.status.value}.",
                                   "closed"))
        if confirmation.expires_at <= self.clock.now():
            await self.confirmations.close(confirmation_id, ConfirmationStatus.EXPIRED, decided_by=None,
                                           now=self.clock.now())
            raise Refused(Decision(False, f"Request #{confirmation_id} expired; ask again if still needed.",
                                   "expired"))
        decision = check_confirmation(confirmation.requester_id, confirmation.target_id, confirmer, target)
        if not decision:
            raise Refused(decision)
        status = ConfirmationStatus.CONFIRMED if confirm else ConfirmationStatus.DECLINED
        if not await self.confirmations.close(confirmation_id, status, decided_by=confirmer.user_id,
                                              now=self.clock.now()):
            raise Refused(Decision(False, f"Request #{confirmation_id} was just decided by someone else.", "race"))
        closed = await self.confirmations.get(confirmation_id)
        assert closed is not None
        if self.events is not None:
            self.events.emit("case_confirmation", confirmation_id=confirmation_id, guild_id=guild_id,
                             status=str(status), decided_by=confirmer.user_id)
        return closed

    async def removal_done(self, confirmation: Confirmation, confirmed_by: int | None) -> Case:
        """Record the executed removal as a case (actor: the requester; details: who confirmed)."""
        details = {**confirmation.details, "requested_by": confirmation.requester_id}
        if confirmed_by is not None:
            details["confirmed_by"] = confirmed_by
            details["confirmation_id"] = confirmation.id
        case = await self.case_log.record(
            confirmation.guild_id, confirmation.kind, confirmation.target_id, confirmation.requester_id,
            confirmation.reason, confirmation.evidence_url, None, details, conflict=confirmation.conflict,
        )
        if confirmed_by is not None:
            await self.confirmations.link_case(confirmation.id, case.id)
        return case

    async def removal_failed(self, confirmation_id: int) -> None:
        """Discord refused the confirmed removal; keep that on the request."""
        await self.confirmations.mark_failed(confirmation_id)

    async def expire_confirmations(self) -> list[Confirmation]:
        """Close pending removals whose time ran out; return those closed now."""
        now = self.clock.now()
        closed: list[Confirmation] = []
        for confirmation in await self.confirmations.expired(now):
            if await self.confirmations.close(confirmation.id, ConfirmationStatus.EXPIRED, decided_by=None, now=now):
                closed.append(replace(confirmation, status=ConfirmationStatus.EXPIRED))
        return closed

    # --- amendments ---------------------------------------------------------------------------
    async def amend(self, guild_id: int, number: int, actor: Party, reason: str,
                    evidence_url: str | None = None, duration_s: int | None = None,
                    target: Party | None = None) -> Case:
        """A moderator amends a case (a new row); raises Refused or InvalidInput.

        An overturned case stays overturned (only a new appeal decides otherwise); ``target``,
        when the case is about a member, applies the rank rule.
        """
        history = await self.case_log.history(number, guild_id)
        if history is None:
            raise Refused(Decision(False, f"There is no case #{number} here.", "missing"))
        decision = check_amend(history, actor, target)
        if not decision:
            raise Refused(decision)
        return await self.case_log.amend(history.number, actor_id=actor.user_id, reason=reason,
                                         status=amended_status(history), evidence_url=evidence_url,
                                         duration_s=duration_s)

    async def conversation(self, guild_id: int, member_id: int, history: CaseHistory,
                           policy: ModerationPolicy) -> set[int]:
        """Who was in the conversation behind a case: everyone who addressed the member or was
        addressed by them within the conflict window around the case, or lately (ids only)."""
        window = policy.conflict_window
        around = history.original.created_at
        now = self.clock.now()
        people = await self.interactions.partners(guild_id, member_id, around - window, around + window)
        people |= await self.interactions.partners(guild_id, member_id, now - window, now)
        return people

    # --- appeals ------------------------------------------------------------------------------
    async def file_appeal(
        self, guild_id: int, number: int, appellant_id: int, statement: str, candidates: Sequence[Party],
        policy: ModerationPolicy, appellant: Party | None = None,
    ) -> Appeal:
        """Store an appeal and route it to a moderator with no part in the case or the conversation
        behind it (and, when ``appellant`` is given, who outranks them); emits ``appeal``."""
        text = validate_statement(statement)
        history = await self.case_log.history(number, guild_id)
        if history is None:
            raise Refused(Decision(False, f"There is no case #{number} here; /standing lists yours.", "missing"))
        existing = await self.appeals.for_case(history.number)
        already = existing is not None and (
            existing.status is AppealStatus.OPEN or appeal_still_decided(history, existing.decision_case_id))
        decision = check_appeal(history, appellant_id, already_appealed=already)
        if not decision:
            raise Refused(decision)
        involved = {*history.participants, appellant_id,
                    *await self.conversation(guild_id, appellant_id, history, policy)}
        if history.original.target_id is not None:
            involved.add(history.original.target_id)
        reviewer = choose_reviewer(candidates, involved, await self.appeals.open_load(guild_id), appellant)
        now = self.clock.now()
        appeal = await self.appeals.add(
            guild_id=guild_id, case_id=history.number, appellant_id=appellant_id, statement=text,
            reviewer_id=reviewer, now=now, remind_at=now + policy.appeal_reminder,
        )
        if appeal is None:
            raise Refused(Decision(False, "This case has already been appealed.", "already_appealed"))
        if self.events is not None:
            self.events.emit("appeal", appeal_id=appeal.id, case_id=appeal.case_id, guild_id=guild_id,
                             appellant_id=appellant_id, reviewer_id=reviewer)
        return appeal

    async def decide_appeal(
        self, appeal_id: int, guild_id: int, reviewer: Party, outcome: AppealStatus, reason: str,
        policy: ModerationPolicy | None = None, appellant: Party | None = None,
    ) -> tuple[Appeal, Case]:
        """An uninvolved moderator upholds or overturns; the decision becomes a case amendment.

        Emits ``appeal_decided``. Raises Refused (not allowed, already decided) or InvalidInput.
        """
        text = validate_reason(reason)
        appeal = await self.appeals.get(appeal_id)
        if appeal is None or appeal.guild_id != guild_id:
            raise Refused(Decision(False, f"There is no appeal #{appeal_id} here.", "missing"))
        if appeal.status is not AppealStatus.OPEN:
            raise Refused(Decision(False, f"Appeal #{appeal_id} was already decided ({appeal.status.value}).",
                                   "closed"))
        history = await self.case_log.history(appeal.case_id, guild_id)
        assert history is not None
        conversation = await self.conversation(guild_id, appeal.appellant_id, history,
                                               policy or await self.policy(guild_id))
        decision = check_decide(reviewer, history, appeal.appellant_id, conversation, appellant)
        if not decision:
            raise Refused(decision)
        if not await self.appeals.decide(appeal_id, status=outcome, decided_by=reviewer.user_id, reason=text,
                                         now=self.clock.now()):
            raise Refused(Decision(False, f"Appeal #{appeal_id} was just decided by someone else.", "race"))
        case_status = CaseStatus.OVERTURNED if outcome is AppealStatus.OVERTURNED else CaseStatus.UPHELD
        case = await self.case_log.amend(
            history.number, actor_id=reviewer.user_id, reason=f"appeal {outcome.value}: {text}",
            status=case_status, details={"appeal_id": appeal_id},
        )
        await self.appeals.link_decision_case(appeal_id, case.id)
        decided = await self.appeals.get(appeal_id)
        assert decided is not None
        if self.events is not None:
            self.events.emit("appeal_decided", appeal_id=appeal_id, case_id=appeal.case_id, guild_id=guild_id,
                             outcome=str(outcome), decided_by=reviewer.user_id, case_row_id=case.id)
        return decided, case

    async def due_reminders(self) -> list[Appeal]:
        """Open appeals whose reminder is due and was not sent yet; each is claimed once here."""
        now = self.clock.now()
        claimed: list[Appeal] = []
        for appeal in await self.appeals.due_reminders(now):
            if await self.appeals.mark_reminded(appeal.id, now):
                claimed.append(appeal)
                if self.events is not None:
                    self.events.emit("appeal_reminder", appeal_id=appeal.id, case_id=appeal.case_id,
                                     guild_id=appeal.guild_id, reviewer_id=appeal.reviewer_id)
        return claimed

    # --- standing -----------------------------------------------------------------------------
    async def standing(self, guild_id: int, member_id: int) -> Standing:
        """A member's own record: nudges, active cooldowns, cases about them and their appeals."""
        cases = await self.cases.search(guild_id, target_id=member_id, limit=10)
        newest_first = await self.appeals.for_member(guild_id, member_id, limit=25)
        appeals = {a.case_id: a for a in reversed(newest_first)}  # a case's newest appeal wins
        return Standing(
            nudges=await member_nudges(self.db, guild_id, member_id, limit=5),
            cooldowns=await active_cooldowns(self.db, guild_id, member_id, self.clock.now()),
            cases=cases,
            appeals=appeals,
        )

    async def prune_interactions(self, keep: timedelta = timedelta(days=14)) -> None:
        """Forget who-addressed-whom records older than ``keep`` (long enough to route an appeal
        away from the conversation behind its case; ids and times only)."""
        await self.interactions.prune(self.clock.now() - keep)

    async def expire_statements(self, keep: timedelta = KEPT_TEXT_RETENTION) -> int:
        """Appeal statements are kept text: deleted ``keep`` after the appeal was decided."""
        return await self.appeals.expire_statements(self.clock.now() - keep)

