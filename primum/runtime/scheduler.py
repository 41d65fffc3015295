"""Restart-safe timed actions: the database row is the truth, the in-memory timers are a cache.

A feature registers an *undo* handler per action kind, then calls ``schedule`` **before** it applies
the action (a slowmode, a timeout...). The row holds the expiry in UTC. When it is due, the
scheduler calls the handler and marks the row done; on start-up, ``start`` undoes every past-due
row at once and re-arms the rest. Handlers must be idempotent: after a crash an action may be
undone a second time, and "already undone" is a success.

Time decisions use the injected clock; waiting uses ``asyncio`` (one runner task that sleeps until
the earliest expiry, or until poked). With a ``FakeClock`` a test advances the clock and awaits
``run_due()``; with the real clock expiries of 1-3 s simply happen.

The scheduler knows no Discord and no SQL: the store is any ``ActionStore``
(``primum.storage.deescalation.ScheduledActionRepository`` is the SQLite one).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from primum.runtime.clock import Clock
from primum.runtime.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class ActionStatus(StrEnum):
    """Life of a scheduled action: pending until undone (done), cancelled, or given up (failed)."""

    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Why(StrEnum):
    """Why an action is being undone."""

    EXPIRED = "expired"  # its time came (possibly while Primum was down)
    EARLY = "early"  # someone lifted it by hand


@dataclass(frozen=True)
class NewAction:
    """An action about to be applied, with the moment it must be undone."""

    kind: str
    guild_id: int
    expires_at: datetime
    reason: str
    channel_id: int | None = None
    user_id: int | None = None
    actor_id: int | None = None  # None: Primum itself
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.expires_at.tzinfo is None:
            raise ValueError("expires_at must be an aware UTC datetime")
        if not self.reason.strip():
            raise ValueError("every timed action needs a reason")


@dataclass(frozen=True)
class ScheduledAction:
    """A stored timed action."""

    id: int
    kind: str
    guild_id: int
    channel_id: int | None
    user_id: int | None
    actor_id: int | None
    reason: str
    payload: Mapping[str, Any]
    created_at: datetime
    expires_at: datetime
    status: ActionStatus = ActionStatus.PENDING
    outcome: str | None = None
    completed_at: datetime | None = None
    attempts: int = 0


class ActionStore(Protocol):
    """Where scheduled actions live (SQLite in production, a dict in some tests)."""

    async def add(self, action: NewAction, now: datetime) -> ScheduledAction:
        """Persist a new pending action and return it with its id."""
        ...

    async def get(self, action_id: int) -> ScheduledAction | None:
        """One action by id."""
        ...

    async def pending(self, kinds: tuple[str, ...] | None = None) -> list[ScheduledAction]:
        """Every pending action (of these kinds), earliest expiry first."""
        ...

    async def complete(self, action_id: int, status: ActionStatus, outcome: str, now: datetime) -> bool:
        """Close a pending action; False when it was no longer pending (someone else closed it)."""
        ...

    async def record_attempt(self, action_id: int, error: str, now: datetime) -> int:
        """Count one failed undo attempt and return the attempts so far."""
        ...


class RetryLater(Exception):
    """Raised by a handler when undoing failed for a reason that may pass (a 5xx, a network error)."""


#: Undo one action; return a short outcome word (e.g. "lifted", "already_lifted", "manual_override").
UndoHandler = Callable[[ScheduledAction, Why], Awaitable[str]]
#: Called once after an action was closed by this scheduler (events, logs).
DoneHook = Callable[[ScheduledAction, str, Why, datetime], Awaitable[None]]


@dataclass(frozen=True)
class StartReport:
    """What ``start`` found in the store."""

    past_due: int
    rescheduled: int


@dataclass
class _Kind:
    undo: UndoHandler
    on_done: DoneHook | None


class Scheduler:
    """Persist first, undo on time, survive restarts; one instance per feature (or shared)."""

    def __init__(
        self,
        store: ActionStore,
        clock: Clock,
        *,
        name: str = "scheduler",
        retry_delays_s: tuple[float, ...] = (1.0, 5.0, 15.0, 60.0, 300.0),
        max_attempts: int = 8,
        max_sleep_s: float = 30.0,
    ) -> None:
        self._store = store
        self._clock = clock
        self.name = name
        self._retry_delays = retry_delays_s
        self._max_attempts = max_attempts
        self._max_sleep_s = max_sleep_s
        self._kinds: dict[str, _Kind] = {}
        self._armed: dict[int, tuple[datetime, ScheduledAction]] = {}
        self._inflight: dict[int, asyncio.Task[str | None]] = {}
        self._wake = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None

    # --- set-up ---------------------------------------------------------------------------------
    def register(self, kind: str, undo: UndoHandler, on_done: DoneHook | None = None) -> None:
        """Say how to undo actions of ``kind``; only registered kinds are loaded by ``start``."""
        self._kinds[kind] = _Kind(undo, on_done)

    @property
    def running(self) -> bool:
        """Whether ``start`` ran and the runner is alive."""
        return self._runner is not None and not self._runner.done()

    async def start(self) -> StartReport:
        """Load pending actions: undo past-due ones at once, arm the rest, start the runner."""
        if self.running:
            return StartReport(0, len(self._armed))
        now = self._clock.now()
        rows = await self._store.pending(tuple(self._kinds))
        past_due = 0
        for action in rows:
            if action.expires_at <= now:
                past_due += 1
                self._spawn(action, Why.EXPIRED)
            else:
                self._armed[action.id] = (action.expires_at, action)
        if rows:
            log.info("%s: %d past-due action(s) undone now, %d rescheduled", self.name, past_due,
                     len(rows) - past_due)
        self._runner = asyncio.create_task(self._run(), name=f"{self.name}-runner")
        return StartReport(past_due, len(rows) - past_due)

    async def stop(self, grace_s: float = 5.0) -> None:
        """Stop the timers (the rows stay pending for the next start); let running undos finish."""
        if self._runner is not None:
            await cancel_and_wait([self._runner], log)
            self._runner = None
        self._armed.clear()
        inflight = list(self._inflight.values())
        if inflight:
            await asyncio.wait(inflight, timeout=grace_s)

    def abandon(self) -> None:
        """Drop everything at once without waiting (what a crash does; tests use it)."""
        if self._runner is not None:
            self._runner.cancel()
            self._runner = None
        for task in self._inflight.values():
            task.cancel()
        self._armed.clear()

    # --- actions --------------------------------------------------------------------------------
    async def schedule(self, action: NewAction) -> ScheduledAction:
        """Persist ``action`` (before the caller applies it) and arm its timer."""
        if action.kind not in self._kinds:
            raise KeyError(f"no undo handler registered for {action.kind!r}")
        stored = await self._store.add(action, self._clock.now())
        if self.running:
            self._armed[stored.id] = (stored.expires_at, stored)
            self._wake.set()
        return stored

    async def cancel(self, action_id: int, outcome: str = "cancelled") -> bool:
        """Close an action without undoing it (e.g. applying it failed); True if it was pending."""
        self._armed.pop(action_id, None)
        return await self._store.complete(action_id, ActionStatus.CANCELLED, outcome, self._clock.now())

    async def fire(self, action_id: int, why: Why = Why.EARLY) -> str | None:
        """Undo an action now (a moderator lifts it); None when it was not pending."""
        self._armed.pop(action_id, None)
        task = self._inflight.get(action_id)
        if task is None:
            action = await self._store.get(action_id)
            if action is None or action.status is not ActionStatus.PENDING:
                return None
            task = self._spawn(action, why)
        return await asyncio.shield(task)

    async def run_due(self) -> int:
        """Undo everything due by the clock now and wait for it (for tests with a fake clock)."""
        now = self._clock.now()
        due = [action for at, action in self._armed.values() if at <= now]
        tasks = []
        for action in due:
            self._armed.pop(action.id, None)
            tasks.append(self._spawn(action, Why.EXPIRED))
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        return len(tasks)

    def poke(self) -> None:
        """Make the runner look at the clock again (after a fake clock moved)."""
        self._wake.set()

    def armed(self) -> list[ScheduledAction]:
        """Actions waiting for their time, earliest first (in-memory view)."""
        return [action for _, action in sorted(self._armed.values(), key=lambda item: (item[0], item[1].id))]

    async def drain(self) -> None:
        """Wait for undos that are running right now."""
        while self._inflight:
            await asyncio.gather(*list(self._inflight.values()), return_exceptions=True)

    # --- internals ------------------------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            self._wake.clear()
            now = self._clock.now()
            earliest: datetime | None = None
            for action_id, (at, action) in list(self._armed.items()):
                if at <= now:
                    del self._armed[action_id]
                    self._spawn(action, Why.EXPIRED)
                elif earliest is None or at < earliest:
                    earliest = at
            delay = self._max_sleep_s
            if earliest is not None:
                delay = min(delay, max((earliest - now).total_seconds(), 0.0))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    def _spawn(self, action: ScheduledAction, why: Why) -> asyncio.Task[str | None]:
        existing = self._inflight.get(action.id)
        if existing is not None:
            return existing
        task = asyncio.create_task(self._undo(action, why), name=f"{self.name}-undo-{action.id}")
        self._inflight[action.id] = task
        task.add_done_callback(functools.partial(self._finished, action.id))
        return task

    def _finished(self, action_id: int, task: asyncio.Task[str | None]) -> None:
        if self._inflight.get(action_id) is task:
            del self._inflight[action_id]
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: undo of action %d crashed", self.name, action_id, exc_info=task.exception())

    async def _undo(self, action: ScheduledAction, why: Why) -> str | None:
        kind = self._kinds.get(action.kind)
        if kind is None:
            log.warning("%s: no handler for %s action %d; left pending", self.name, action.kind, action.id)
            return None
        try:
            outcome = await kind.undo(action, why)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a handler failure must never lose the row
            attempts = await self._store.record_attempt(action.id, f"{type(error).__name__}: {error}",
                                                        self._clock.now())
            if not isinstance(error, RetryLater):
                log.exception("%s: undo of %s action %d failed (attempt %d)", self.name, action.kind,
                              action.id, attempts)
            if attempts >= self._max_attempts:
                await self._store.complete(action.id, ActionStatus.FAILED, "gave_up", self._clock.now())
                log.warning("%s: gave up undoing %s action %d after %d attempts", self.name, action.kind,
                            action.id, attempts)
                return None
            delay = self._retry_delays[min(attempts - 1, len(self._retry_delays) - 1)]
            log.warning("%s: undo of %s action %d will be retried in %.0f s (%s)", self.name, action.kind,
                        action.id, delay, error)
            self._armed[action.id] = (self._clock.now() + timedelta(seconds=delay), action)
            self._wake.set()
            return None
        now = self._clock.now()
        closed = await self._store.complete(action.id, ActionStatus.DONE, outcome, now)
        if not closed:
            log.info("%s: %s action %d was already closed", self.name, action.kind, action.id)
            return outcome
        if kind.on_done is not None:
            await kind.on_done(action, outcome, why, now)
        return outcome
