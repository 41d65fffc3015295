"""De-escalation's timed actions: slowmode on a channel and cooldowns (timeouts) of members.

Both are restart-safe through the scheduler: decide -> write the scheduled row (expiry in UTC) ->
apply on Discord -> record and emit. If applying fails, the row is cancelled with the reason. The
undo handlers are idempotent, and leave alone anything a moderator changed by hand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from primum import display
from primum.domain.ladder_config import SLOWMODE_MAX_SECONDS, TIMEOUT_MAX, clamp_timeout
from primum.runtime.clock import Clock, to_iso
from primum.runtime.events import EventSink
from primum.runtime.scheduler import NewAction, RetryLater, ScheduledAction, Scheduler, Why
from primum.services.deescalation_port import (
    ActionFailed,
    ActionRefused,
    ActionResult,
    PortGetter,
    TargetGone,
)
from primum.storage.deescalation import DeescalationLogRepository, ScheduledActionRepository

log = logging.getLogger(__name__)

SLOWMODE = "slowmode"
COOLDOWN = "cooldown"


@dataclass
class _LiftContext:
    actor_id: int | None
    reason: str


async def _lift_on_discord(lift: Awaitable[None], *, gone: str, what: str) -> str:
    """Run one undo on Discord and name its outcome; a transient failure is retried by the scheduler."""
    try:
        await lift
    except TargetGone:
        return gone
    except ActionRefused as error:
        log.warning("Discord refused to lift %s: %s", what, error)
        return "refused"
    except ActionFailed as error:
        raise RetryLater(str(error)) from error
    return "lifted"


def _late_s(action: ScheduledAction, now: datetime) -> float:
    return round((now - action.expires_at).total_seconds(), 3)


@dataclass
class TimedActions:
    """Apply, lift early and undo on time the slowmodes and cooldowns of one bot."""

    actions: ScheduledActionRepository
    record: DeescalationLogRepository
    scheduler: Scheduler
    events: EventSink
    clock: Clock
    port: PortGetter
    #: The per-channel lock the ladder holds while it decides (a moderator's slowmode waits for it).
    lock: Callable[[int], asyncio.Lock]
    _lift_context: dict[int, _LiftContext] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.scheduler.register(SLOWMODE, self._undo_slowmode, self._slowmode_done)
        self.scheduler.register(COOLDOWN, self._undo_cooldown, self._cooldown_done)

    # --- both kinds ---------------------------------------------------------------------------
    async def _lift_early(self, pending: list[ScheduledAction], *, actor_id: int, reason: str) -> list[str | None]:
        """Undo each pending action now, remembering who asked and why for the record."""
        outcomes = []
        for action in pending:
            self._lift_context[action.id] = _LiftContext(actor_id, reason)
            outcomes.append(await self.scheduler.fire(action.id, Why.EARLY))
        return outcomes

    def _context_reason(self, action: ScheduledAction) -> str:
        context = self._lift_context.get(action.id)
        return context.reason if context is not None else "expired"

    async def _lifted(self, event: str, action: ScheduledAction, outcome: str, why: Why, now: datetime,
                      **fields: Any) -> None:
        """Record and emit that an action was undone (on time or early, by whom and why)."""
        context = self._lift_context.pop(action.id, None)
        actor_id = context.actor_id if context else None
        await self.record.add(
            guild_id=action.guild_id, channel_id=action.channel_id, user_id=action.user_id, action=event,
            actor_id=actor_id, reason=context.reason if context else "expired",
            detail={"outcome": outcome, "why": str(why)}, at=now, action_id=action.id,
        )
        self.events.emit(event, guild_id=action.guild_id, channel_id=action.channel_id, **fields,
                         action_id=action.id, outcome=outcome, why=str(why), expires_at=to_iso(action.expires_at),
                         late_s=_late_s(action, now), actor_id=actor_id)

    # --- slowmode -----------------------------------------------------------------------------
    async def slowmode_channel(
        self, guild_id: int, channel_id: int, *, seconds: int, duration: timedelta, reason: str, actor_id: int
    ) -> ActionResult:
        """A moderator's timed slowmode (it lifts itself); a running Primum slowmode is replaced."""
        if not reason.strip():
            return ActionResult(False, "A reason is required.")
        if not 1 <= seconds <= SLOWMODE_MAX_SECONDS:
            return ActionResult(False, f"Slowmode must be 1–{SLOWMODE_MAX_SECONDS} seconds per message.")
        if duration <= timedelta(0):
            return ActionResult(False, "The duration must be positive.")
        async with self.lock(channel_id):
            current = await self.port().current_slowmode(guild_id, channel_id)
            if current is None:
                return ActionResult(False, "That channel no longer exists.")
            previous = current
            for older in await self.actions.pending_for(guild_id, SLOWMODE, channel_id=channel_id):
                previous = int(older.payload.get("previous", 0))
                await self.scheduler.cancel(older.id, "superseded")
            return await self.apply_slowmode(guild_id, channel_id, seconds, duration, previous=previous,
                                             actor_id=actor_id, reason=reason)

    async def apply_slowmode(
        self, guild_id: int, channel_id: int, seconds: int, duration: timedelta, *, previous: int,
        actor_id: int | None, reason: str,
    ) -> ActionResult:
        """Schedule the lift, then set the slowmode; the caller holds the channel's lock."""
        now = self.clock.now()
        until = now + duration
        action = await self.scheduler.schedule(NewAction(
            kind=SLOWMODE, guild_id=guild_id, channel_id=channel_id, expires_at=until, reason=reason,
            actor_id=actor_id, payload={"seconds": seconds, "previous": previous},
        ))
        try:
            await self.port().set_slowmode(guild_id, channel_id, seconds, f"Primum de-escalation: {reason}")
        except (ActionRefused, TargetGone, ActionFailed) as error:
            await self.scheduler.cancel(action.id, "refused" if isinstance(error, ActionRefused) else "apply_failed")
            log.warning("could not set slowmode in channel %s: %s", channel_id, error)
            return ActionResult(False, f"Discord refused the slowmode: {error}", action.id)
        await self.record.add(guild_id=guild_id, channel_id=channel_id, action="slowmode", actor_id=actor_id,
                              reason=reason, detail={"seconds": seconds, "previous": previous,
                                                     "until": to_iso(until)}, at=now, action_id=action.id)
        self.events.emit("slowmode", guild_id=guild_id, channel_id=channel_id, seconds=seconds, previous=previous,
                         expires_at=to_iso(until), action_id=action.id, actor_id=actor_id,
                         by="moderator" if actor_id else "ladder", reason=reason,
                         duration_s=int(duration.total_seconds()))
        shown = f"Slowmode of {display.duration_words(seconds)} per message until {display.when_and_relative(until)}."
        return ActionResult(True, shown, action.id, until)

    async def lift_channel(self, guild_id: int, channel_id: int, *, reason: str, actor_id: int) -> ActionResult:
        """A moderator lifts Primum's slowmode early."""
        if not reason.strip():
            return ActionResult(False, "A reason is required.")
        pending = await self.actions.pending_for(guild_id, SLOWMODE, channel_id=channel_id)
        if not pending:
            return ActionResult(False, "Primum has no slowmode running in that channel.")
        outcomes = await self._lift_early(pending, actor_id=actor_id, reason=reason)
        if (outcomes[-1] or "lifted") == "manual_override":
            return ActionResult(True, "A moderator had already changed the slowmode by hand; Primum left it as is.")
        return ActionResult(True, "Slowmode lifted.", pending[-1].id)

    async def _undo_slowmode(self, action: ScheduledAction, why: Why) -> str:
        """Restore the previous slowmode unless someone changed it by hand (then leave it)."""
        set_to = int(action.payload.get("seconds", 0))
        previous = int(action.payload.get("previous", 0))
        assert action.channel_id is not None
        port = self.port()
        current = await port.current_slowmode(action.guild_id, action.channel_id)
        if current is None:
            return "channel_gone"
        if current == previous:
            return "already_lifted"
        if current != set_to:
            log.info("slowmode in channel %s was changed by hand (%s s, Primum set %s s); leaving it",
                     action.channel_id, current, set_to)
            return "manual_override"
        return await _lift_on_discord(
            port.set_slowmode(action.guild_id, action.channel_id, previous,
                              "Primum de-escalation: slowmode lifted" if why is Why.EXPIRED
                              else f"Primum de-escalation: lifted early: {self._context_reason(action)}"),
            gone="channel_gone", what=f"slowmode in channel {action.channel_id}")

    async def _slowmode_done(self, action: ScheduledAction, outcome: str, why: Why, now: datetime) -> None:
        await self._lifted("slowmode_lifted", action, outcome, why, now)

    # --- cooldown -----------------------------------------------------------------------------
    async def cooldown_member(
        self, guild_id: int, user_id: int, duration: timedelta, *, reason: str, actor_id: int | None,
        channel_id: int | None = None,
    ) -> ActionResult:
        """Time a member out for ``duration`` (at most 28 days); owners and admins cannot be: say so."""
        if not reason.strip():
            return ActionResult(False, "A reason is required.")
        if duration <= timedelta(0) or duration > TIMEOUT_MAX:
            return ActionResult(False, "A cooldown must be longer than 0 and at most 28 days.")
        duration = clamp_timeout(duration)
        port = self.port()
        refusal = await port.timeout_refusal(guild_id, user_id)
        if refusal is not None:
            return await self._cooldown_refused(guild_id, user_id, channel_id, refusal, actor_id, reason)
        now = self.clock.now()
        until = now + duration
        for older in await self.actions.pending_for(guild_id, COOLDOWN, user_id=user_id):
            await self.scheduler.cancel(older.id, "superseded")
        action = await self.scheduler.schedule(NewAction(
            kind=COOLDOWN, guild_id=guild_id, channel_id=channel_id, user_id=user_id, expires_at=until,
            reason=reason, actor_id=actor_id, payload={"until": to_iso(until)},
        ))
        try:
            await port.timeout_member(guild_id, user_id, until, f"Primum cooldown: {reason}")
        except ActionRefused as error:
            await self.scheduler.cancel(action.id, "refused")
            return await self._cooldown_refused(guild_id, user_id, channel_id, str(error), actor_id, reason)
        except TargetGone:
            await self.scheduler.cancel(action.id, "member_gone")
            return ActionResult(False, "That member is not in the server.")
        except ActionFailed as error:
            await self.scheduler.cancel(action.id, "apply_failed")
            log.warning("could not time out member %s: %s", user_id, error)
            return ActionResult(False, "Discord did not accept the cooldown; try again in a moment.")
        await self.record.add(guild_id=guild_id, channel_id=channel_id, user_id=user_id, action="cooldown",
                              actor_id=actor_id, reason=reason, detail={"until": to_iso(until)}, at=now,
                              action_id=action.id)
        self.events.emit("cooldown", guild_id=guild_id, channel_id=channel_id, user_id=user_id,
                         expires_at=to_iso(until), action_id=action.id, actor_id=actor_id,
                         by="moderator" if actor_id else "ladder", reapplied=False, reason=reason,
                         duration_s=int((until - now).total_seconds()))
        shown = f"<@{user_id}> is cooling down until {display.when_and_relative(until)}."
        return ActionResult(True, shown, action.id, until)

    async def _cooldown_refused(
        self, guild_id: int, user_id: int, channel_id: int | None, why: str, actor_id: int | None, reason: str
    ) -> ActionResult:
        log.info("cooldown of member %s refused: %s", user_id, why)
        await self.record.add(guild_id=guild_id, channel_id=channel_id, user_id=user_id, action="cooldown_refused",
                              actor_id=actor_id, reason=reason, detail={"why": why}, at=self.clock.now())
        self.events.emit("cooldown_refused", guild_id=guild_id, channel_id=channel_id, user_id=user_id, why=why,
                         actor_id=actor_id)
        return ActionResult(False, f"<@{user_id}> cannot be timed out: {why}.")

    async def lift_member(self, guild_id: int, user_id: int, *, reason: str, actor_id: int) -> ActionResult:
        """A moderator ends a member's cooldown early."""
        if not reason.strip():
            return ActionResult(False, "A reason is required.")
        pending = await self.actions.pending_for(guild_id, COOLDOWN, user_id=user_id)
        if not pending:
            return ActionResult(False, "Primum has no cooldown running for that member.")
        await self._lift_early(pending, actor_id=actor_id, reason=reason)
        return ActionResult(True, f"Cooldown of <@{user_id}> lifted.", pending[-1].id)

    async def _undo_cooldown(self, action: ScheduledAction, why: Why) -> str:
        """Discord ends timeouts by itself; early lifts clear it, and a hand-made change is left alone."""
        assert action.user_id is not None
        port = self.port()
        try:
            current = await port.timed_out_until(action.guild_id, action.user_id)
        except TargetGone:
            return "member_gone"
        except ActionFailed as error:
            raise RetryLater(str(error)) from error
        now = self.clock.now()
        ours = action.expires_at
        if current is not None and current > now and abs((current - ours).total_seconds()) > 1:
            log.info("timeout of member %s was changed by hand; leaving it", action.user_id)
            return "manual_override"
        if why is Why.EXPIRED:
            return "expired"
        if current is None or current <= now:
            return "already_lifted"
        return await _lift_on_discord(
            port.timeout_member(action.guild_id, action.user_id, None,
                                f"Primum cooldown lifted early: {self._context_reason(action)}"),
            gone="member_gone", what=f"the timeout of member {action.user_id}")

    async def _cooldown_done(self, action: ScheduledAction, outcome: str, why: Why, now: datetime) -> None:
        await self._lifted("cooldown_lifted", action, outcome, why, now, user_id=action.user_id)

    async def on_member_join(self, guild_id: int, user_id: int) -> ActionResult | None:
        """A member who left during a cooldown and came back gets the rest of it."""
        now = self.clock.now()
        pending = [a for a in await self.actions.pending_for(guild_id, COOLDOWN, user_id=user_id)
                   if a.expires_at > now]
        if not pending:
            return None
        action = pending[-1]
        try:
            await self.port().timeout_member(guild_id, user_id, action.expires_at,
                                             "Primum cooldown re-applied after rejoining")
        except (ActionRefused, TargetGone, ActionFailed) as error:
            log.warning("could not re-apply the cooldown of member %s: %s", user_id, error)
            return ActionResult(False, str(error), action.id)
        await self.record.add(guild_id=guild_id, channel_id=action.channel_id, user_id=user_id, action="cooldown",
                              reason="re-applied after rejoining", detail={"until": to_iso(action.expires_at)},
                              at=now, action_id=action.id)
        self.events.emit("cooldown", guild_id=guild_id, channel_id=action.channel_id, user_id=user_id,
                         expires_at=to_iso(action.expires_at), action_id=action.id, actor_id=None, by="rejoin",
                         reapplied=True)
        return ActionResult(True, "re-applied", action.id, action.expires_at)
