"""The periodic registry re-check: verified NPIs are looked up again, and a change is reported once.

A verified member whose NPI is now deactivated, gone or no longer a physician's is reported to the
moderators (event ``verification_recheck``); a moderator who approved a request the registry check
refused overrode the registry knowingly, so that one is not reported again. One pass runs at a time
(the periodic pass and an owner's ``/verification recheck`` wait for each other), so no finding is
reported twice. An NPI the registry did not answer for keeps its ``last_checked_at`` and is tried on
the next pass; the report counts it, so whoever asked for the pass learns it is not complete.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from primum.domain.npi_registry import Lookup, LookupStatus
from primum.domain.verification import VerificationConfig, recheck_due
from primum.domain.verification_eligibility import Assessment, assess
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.storage.verification import StoredRequest, VerificationRepository

if TYPE_CHECKING:
    from primum.services.verification import RegistryLookup

log = logging.getLogger(__name__)

#: Approved NPIs looked up per re-check pass (the registry is public; be polite).
RECHECK_BATCH = 50


@dataclass(frozen=True)
class RecheckFinding:
    """A verified member whose NPI no longer qualifies (reported to moderators once)."""

    request: StoredRequest
    registry_status: str
    detail: str = ""


@dataclass
class RecheckReport:
    """One re-check pass."""

    checked: int = 0
    unavailable: int = 0  # due NPIs the registry did not answer for (tried again on the next pass)
    findings: list[RecheckFinding] = field(default_factory=list)


def registry_status(assessment: Assessment, lookup: Lookup) -> str:
    """What a re-check stores about a verified NPI: active, ineligible, deactivated or not_found."""
    if lookup.status is LookupStatus.DEACTIVATED:
        return "deactivated"
    if lookup.status is LookupStatus.NOT_FOUND:
        return "not_found"
    return "active" if assessment.eligible else "ineligible"


class RegistryRecheck:
    """Looks verified NPIs up again when they are due (one pass at a time)."""

    def __init__(self, repo: VerificationRepository, registry: RegistryLookup, clock: Clock,
                 events: EventSink) -> None:
        self._repo = repo
        self._registry = registry
        self._clock = clock
        self._events = events
        self._one_pass = asyncio.Lock()

    async def run(self, *, limit: int = RECHECK_BATCH) -> RecheckReport:
        """One pass: report the verified NPIs that no longer qualify (once each)."""
        async with self._one_pass:
            return await self._pass(limit)

    async def _pass(self, limit: int) -> RecheckReport:
        now = self._clock.now()
        report = RecheckReport()
        configs: dict[int, VerificationConfig] = {}
        for request in await self._repo.approved(checked_before=now - timedelta(days=1)):
            if report.checked + report.unavailable >= limit:
                break
            config = configs.get(request.guild_id) or await self._repo.config(request.guild_id)
            configs[request.guild_id] = config
            verified_at = request.decided_at or request.created_at
            if not recheck_due(request.last_checked_at, verified_at, now, config.recheck_interval):
                continue
            lookup = await self._registry.lookup(request.npi, fresh=True)
            if lookup.status is LookupStatus.UNAVAILABLE:
                report.unavailable += 1  # last_checked_at stays: the next pass tries again
                continue
            status = registry_status(assess(lookup, config.residents), lookup)
            previous = await self._repo.mark_checked(request.id, status, now)
            report.checked += 1
            overridden = previous == "overridden" and status == "ineligible"  # a moderator approved it as such
            if status != "active" and previous != status and not overridden:
                log.info("verified member %s in guild %s: registry now says %s", request.user_id,
                         request.guild_id, status)
                self._events.emit("verification_recheck", guild_id=request.guild_id, user_id=request.user_id,
                                  request_id=request.id, registry_status=status)
                report.findings.append(RecheckFinding(request, status, lookup.detail))
        return report
