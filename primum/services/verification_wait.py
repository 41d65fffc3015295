"""Requests waiting for the NPI Registry: retried in the background until the registry answers.

A registry failure is never the member's fault. The request is stored as ``awaiting_registry`` and a
timed action (``primum.runtime.scheduler``, kind ``verification_registry``) asks the registry again later; the
database row is the truth, so a restart picks the wait up where it was (a past-due retry runs at
once). Each retry that finds the registry still down schedules the next one, with a growing delay
capped at ``delays_s[-1]``, and never gives up: the request moves on only when it can be decided.
The request row names its one live retry action (``registry_action_id``); a stale action left by a
crash finds it no longer live and closes without a second lookup.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from primum.domain.npi_registry import Lookup, LookupStatus
from primum.domain.verification import RequestStatus
from primum.runtime.clock import Clock
from primum.runtime.scheduler import ActionStore, NewAction, ScheduledAction, Scheduler, Why
from primum.storage.verification import StoredRequest, VerificationRepository

if TYPE_CHECKING:
    from primum.services.verification import RegistryLookup, SubmitResult

log = logging.getLogger(__name__)

REGISTRY_RETRY = "verification_registry"
#: Seconds before each background lookup; the last one repeats until the registry answers.
DEFAULT_RETRY_DELAYS_S: tuple[float, ...] = (30.0, 60.0, 120.0, 300.0, 600.0, 900.0)

Conclude = Callable[[StoredRequest, Lookup], Awaitable["SubmitResult | None"]]
Decided = Callable[["SubmitResult"], Awaitable[None]]


class RegistryWait:
    """Holds requests the registry could not answer and decides them when it can."""

    def __init__(self, repo: VerificationRepository, registry: RegistryLookup, clock: Clock, store: ActionStore,
                 conclude: Conclude, *, delays_s: Sequence[float] = DEFAULT_RETRY_DELAYS_S) -> None:
        self._repo = repo
        self._registry = registry
        self._clock = clock
        self._conclude = conclude
        self.delays_s = tuple(delays_s) or DEFAULT_RETRY_DELAYS_S
        self.scheduler = Scheduler(store, clock, name="verification-registry")
        self.scheduler.register(REGISTRY_RETRY, self._retry)
        #: Called after a waiting request was decided (the cog posts the card and DMs the member).
        self.on_decided: Decided | None = None

    async def start(self) -> None:
        """Load waiting requests' retries from the database (past-due ones run now); a waiting request
        without a live retry (a crash right after it was stored, or a retry that gave up) gets one now."""
        await self.scheduler.start()
        for request in await self._repo.waiting_without_retry():
            log.info("verification request %d waits for the registry without a retry; scheduling one", request.id)
            await self._schedule(request, failed=False)

    async def stop(self) -> None:
        """Stop the timers; the rows stay for the next start."""
        await self.scheduler.stop()

    def delay(self, failures: int) -> float:
        """Seconds before the next lookup after ``failures`` unanswered ones (0 for the first retry)."""
        return self.delays_s[min(failures, len(self.delays_s) - 1)]

    async def hold(self, request: StoredRequest) -> ScheduledAction:
        """Schedule the first background lookup of a request just stored as ``awaiting_registry``."""
        return await self._schedule(request, failed=False)

    async def _schedule(self, request: StoredRequest, *, failed: bool) -> ScheduledAction:
        failures = request.registry_attempts + (1 if failed else 0)
        action = await self.scheduler.schedule(NewAction(
            kind=REGISTRY_RETRY, guild_id=request.guild_id, user_id=request.user_id,
            expires_at=self._clock.now() + timedelta(seconds=self.delay(failures)),
            reason="waiting for the NPI Registry", payload={"request_id": request.id},
        ))
        await self._repo.set_registry_retry(request.id, action.id, self._clock.now(), failed=failed)
        return action

    async def _retry(self, action: ScheduledAction, why: Why) -> str:
        request = await self._repo.get(int(action.payload.get("request_id", 0)))
        if request is None or request.status is not RequestStatus.AWAITING_REGISTRY:
            return "closed"  # superseded, forgotten, or decided by an earlier run
        if request.registry_action_id not in (None, action.id):
            return "stale"
        lookup = await self._registry.lookup(request.npi, fresh=True)
        if lookup.status is LookupStatus.UNAVAILABLE:
            following = await self._schedule(request, failed=True)
            log.info("verification request %d: the registry is still not answering (%s); next try in %.0f s",
                     request.id, lookup.detail, (following.expires_at - self._clock.now()).total_seconds())
            return "still_waiting"
        result = await self._conclude(request, lookup)
        if result is None:
            return "closed"
        if self.on_decided is not None:
            try:
                await self.on_decided(result)
            except Exception:  # the decision is stored; a failed DM must not undo or repeat it
                log.exception("verification request %d was decided but telling the member failed", request.id)
        return result.outcome.value
