"""Accountable moderation between the cogs and storage: the case log, appeals, second moderators.

``CaseLog`` is the one entry point other features use to put an action on the record::

    case = await case_log.record(guild_id, "hide", target_id, None, "be-kind: insult (score 0.97)",
                                 details={"channel_id": c, "message_id": m, "rule": "be-kind: insult"})

Cogs that do not hold a ``CaseLog`` dispatch ``bot.dispatch("primum_action", ActionRecord(...))``
instead; the Moderation cog records it. The rules people meet around cases (appeals, second
moderators, conflicts of interest, standing) are :class:`primum.services.moderation.ModerationService`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from primum.domain.cases import (
    ActionRecord,
    Case,
    CaseHistory,
    CaseKind,
    CaseStatus,
    InvalidInput,
    bot_reason,
    parse_kind,
    validate_duration,
    validate_evidence_url,
    validate_reason,
)
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.storage.cases import AlreadyAmended, CaseRepository, NewCase
from primum.storage.database import Database

log = logging.getLogger(__name__)

#: Called with every stored case row (originals and amendments): transparency posting and the like.
CaseHook = Callable[[Case], Awaitable[None]]


def safe_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """Keep JSON-able scalars and lists of them; drop anything that smells like message text."""
    clean: dict[str, Any] = {}
    for key, value in (details or {}).items():
        if key in {"content", "text", "message_text"}:
            continue
        if value is None or isinstance(value, bool | int | float | str):
            clean[str(key)] = value if not isinstance(value, str) else value[:200]
        elif isinstance(value, list | tuple) and all(isinstance(v, int | float | str | bool) for v in value):
            clean[str(key)] = list(value)[:50]
    return clean


class CaseLog:
    """Append cases, then tell the hooks (the transparency channel, the event stream)."""

    def __init__(self, db: Database, clock: Clock, events: EventSink | None = None) -> None:
        self.repo = CaseRepository(db)
        self._clock = clock
        self._events = events
        self._hooks: list[CaseHook] = []

    def add_hook(self, hook: CaseHook) -> None:
        """Call ``hook(case)`` after each stored row (failures are logged, the case stays stored)."""
        self._hooks.append(hook)

    def remove_hook(self, hook: CaseHook) -> None:
        """Stop calling ``hook`` (cog unload)."""
        if hook in self._hooks:
            self._hooks.remove(hook)

    async def record(
        self,
        guild_id: int,
        kind: str | CaseKind,
        target_id: int | None,
        actor_id: int | None,
        reason: str,
        evidence_url: str | None = None,
        duration_s: int | None = None,
        details: dict[str, Any] | None = None,
        *,
        conflict: bool = False,
    ) -> Case:
        """Put one action on the record and return the stored case.

        Args:
            guild_id: the guild the action happened in.
            kind: ``note``, ``warn``, ``hide``, ``purge``, ``slowmode``, ``cooldown``, ``kick``, ``ban``,
                ``lift``, ``unban``, ``verification`` or ``forget`` (see ``CaseKind``).
            target_id: the member acted on (the channel id for ``slowmode``).
            actor_id: the moderator, or None for Primum itself.
            reason: why; mandatory (at least 3 characters) when a moderator acted. Primum's own
                actions get a plain "automatic ..." reason if none is given.
            evidence_url: an optional http(s) link (a message link).
            duration_s: how long a timed action lasts, in seconds.
            details: ids and numbers only (never message text), e.g. ``{"channel_id": ..., "rule": ...}``.
            conflict: the moderator was arguing with the target (the case is marked).

        Raises:
            InvalidInput: an unknown kind, a missing or too short reason, a bad link or duration.
        """
        case_kind = parse_kind(kind) if not isinstance(kind, CaseKind) else kind
        text = validate_reason(reason) if actor_id is not None else bot_reason(reason, case_kind)
        new = NewCase(
            guild_id=guild_id, kind=case_kind, target_id=target_id, actor_id=actor_id, reason=text,
            evidence_url=validate_evidence_url(evidence_url), duration_s=validate_duration(duration_s),
            details=safe_details(details), conflict=conflict,
        )
        case = await self.repo.add(new, self._clock.now())
        await self._announce(case)
        return case

    async def record_action(self, action: ActionRecord | Mapping[str, Any]) -> Case:
        """Record an ``ActionRecord`` (or a dict of its fields) dispatched by another feature."""
        item = ActionRecord.coerce(action)
        return await self.record(
            item.guild_id, item.kind, item.target_id, item.actor_id, item.reason, item.evidence_url,
            item.duration_s, dict(item.details or {}),
        )

    async def amend(
        self, number: int, *, actor_id: int | None, reason: str, status: CaseStatus = CaseStatus.AMENDED,
        evidence_url: str | None = None, duration_s: int | None = None, details: dict[str, Any] | None = None,
    ) -> Case:
        """Append an amendment to case ``number`` (never changes the earlier rows)."""
        text = validate_reason(reason) if actor_id is not None else bot_reason(reason, CaseKind.NOTE)
        evidence = validate_evidence_url(evidence_url)
        duration = validate_duration(duration_s)
        for _ in range(3):
            try:
                case = await self.repo.amend(
                    number, actor_id=actor_id, reason=text, now=self._clock.now(), status=status,
                    evidence_url=evidence, duration_s=duration, details=safe_details(details),
                )
            except AlreadyAmended:
                continue
            await self._announce(case)
            return case
        raise InvalidInput("the case changed while you were amending it; try again")

    async def history(self, number: int, guild_id: int | None = None) -> CaseHistory | None:
        """Case ``number`` with its amendments (None when absent or in another guild)."""
        return await self.repo.history(number, guild_id)

    async def _announce(self, case: Case) -> None:
        if self._events is not None:
            self._events.emit(
                "case", case_id=case.id, number=case.number, guild_id=case.guild_id, kind=str(case.kind),
                target_id=case.target_id, actor_id=case.actor_id, status=str(case.status),
                amends_id=case.amends_id, conflict=case.conflict, duration_s=case.duration_s,
            )
        log.info("case #%d (row %d): %s of %s by %s", case.number, case.id, case.kind, case.target_id,
                 case.actor_id if case.actor_id is not None else "Primum")
        for hook in list(self._hooks):
            try:
                await hook(case)
            except Exception:  # a posting failure must never lose or block the record
                log.warning("case hook %r failed for case row %d", hook, case.id, exc_info=True)
