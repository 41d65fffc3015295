"""De-escalation as a service: heat and ladder decisions, timed actions, events and the record.

The cog turns Discord objects into ids and implements ``DeescalationPort`` (the few Discord side
effects this feature needs); everything else happens here, so the whole feature can be tested with
a fake port, a temp database and a fake clock.

Order of work for a timed action: decide -> write the scheduled row (expiry in UTC) -> apply on
Discord -> record and emit. If applying fails, the row is cancelled with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from primum import display
from primum.domain.heat import HeatConfig, HeatReading, HeatTracker
from primum.domain.incidents import is_bystander
from primum.domain.ladder import (
    SLOWMODE_MAX_SECONDS,
    TIMEOUT_MAX,
    ChannelLadder,
    Cooldown,
    LadderConfig,
    LadderConfigError,
    ModAlert,
    Notice,
    Slowmode,
    Step,
    SuggestThread,
    clamp_timeout,
    decide,
)
from primum.domain.scored import ScoredMessage
from primum.runtime.clock import Clock, to_iso
from primum.runtime.events import EventSink
from primum.runtime.scheduler import NewAction, RetryLater, ScheduledAction, Scheduler, Why
from primum.services.observe import ObserveService, Would, guild_templates
from primum.settings import DeescalationSettings
from primum.storage.database import Database
from primum.storage.deescalation import (
    DeescalationLogRepository,
    LadderSettingsRepository,
    ScheduledActionRepository,
)
from primum.storage.guild_settings import GuildSettingsRepository
from primum.storage.policy import PolicyRepository

log = logging.getLogger(__name__)

#: De-escalation log actions shown as markers on the /heat chart, as ladder steps.
STEP_MARKERS = {"heat_notice": "notice", "slowmode": "slowmode", "thread_suggested": "thread",
                "cooldown": "cooldown", "mod_alert": "alert"}

SLOWMODE = "slowmode"
COOLDOWN = "cooldown"
ALERT_CHANNEL_KEY = "deescalation_alert_channel"

#: How long an incident key is remembered (one alert per incident, across restarts).
INCIDENT_MEMORY = timedelta(days=30)
#: Observe mode's name for each step.
WOULD = {Notice: "notice", Slowmode: "slowmode", SuggestThread: "thread", Cooldown: "cooldown", ModAlert: "alert"}
LEVEL_NAMES = ("calm", "warm", "hot", "heated", "boiling")


# --- the Discord side, as the service sees it ----------------------------------------------------


class ActionRefused(Exception):
    """Discord (or a rule we know it enforces) will not allow this; retrying will not help."""


class TargetGone(Exception):
    """The channel or member no longer exists (or has left)."""


class ActionFailed(Exception):
    """A transient failure (5xx, network); the action may succeed later."""


class DeescalationPort(Protocol):
    """The Discord side effects de-escalation needs; the cog implements it with discord.py."""

    async def post(self, guild_id: int, channel_id: int, text: str) -> int | None:
        """Post a message in a channel; return its id (None if it could not be sent)."""
        ...

    async def current_slowmode(self, guild_id: int, channel_id: int) -> int | None:
        """The channel's rate_limit_per_user now; None when the channel is gone."""
        ...

    async def set_slowmode(self, guild_id: int, channel_id: int, seconds: int, reason: str) -> None:
        """Set rate_limit_per_user; raise ActionRefused, TargetGone or ActionFailed."""
        ...

    async def timeout_refusal(self, guild_id: int, user_id: int) -> str | None:
        """Why this member cannot be timed out (owner, administrator, above the bot), or None."""
        ...

    async def timeout_member(self, guild_id: int, user_id: int, until: datetime | None, reason: str) -> None:
        """Time a member out until ``until`` (None lifts it); raise ActionRefused, TargetGone or ActionFailed."""
        ...

    async def timed_out_until(self, guild_id: int, user_id: int) -> datetime | None:
        """The member's current timeout end (None: not timed out); raise TargetGone if not a member."""
        ...

    async def alert_moderators(self, guild_id: int, channel_id: int | None, text: str) -> bool:
        """Post an alert where moderators see it; False when there is nowhere to post."""
        ...


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionResult:
    """What happened to a requested action (for command replies and tests)."""

    ok: bool
    message: str
    action_id: int | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class HeatView:
    """What /heat shows."""

    guild_id: int
    channel_id: int
    heat: float
    level: int
    thresholds: tuple[float, ...]
    members: list[tuple[int, float]]
    curve: list[tuple[datetime, float]]
    slowmode_until: datetime | None
    #: Ladder steps taken in the window, oldest first: (when, "notice" | "slowmode" | ...), for chart markers.
    steps: list[tuple[datetime, str]] = field(default_factory=list)

    @property
    def level_name(self) -> str:
        """calm, warm, hot, heated or boiling."""
        return LEVEL_NAMES[max(0, min(self.level, len(LEVEL_NAMES) - 1))]


@dataclass
class _LiftContext:
    actor_id: int | None
    reason: str


def jump_link(guild_id: int, channel_id: int, message_id: int) -> str:
    """A link moderators can click to jump to a message."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def _late_s(action: ScheduledAction, now: datetime) -> float:
    return round((now - action.expires_at).total_seconds(), 3)


@dataclass
class DeescalationService:
    """Heat, the ladder, and the restart-safe timed actions of one bot."""

    db: Database
    guild_settings: GuildSettingsRepository
    events: EventSink
    clock: Clock
    defaults: DeescalationSettings = field(default_factory=DeescalationSettings)
    heat_config: HeatConfig = field(default_factory=HeatConfig)
    port: DeescalationPort | None = None
    observe: ObserveService | None = None

    def __post_init__(self) -> None:
        self.policy_repo = PolicyRepository(self.db)
        self.actions = ScheduledActionRepository(self.db)
        self.record = DeescalationLogRepository(self.db)
        self.ladder_settings = LadderSettingsRepository(self.guild_settings)
        self.heat = HeatTracker(self.heat_config)
        self.scheduler = Scheduler(self.actions, self.clock, name="deescalation")
        self.scheduler.register(SLOWMODE, self._undo_slowmode, self._slowmode_done)
        self.scheduler.register(COOLDOWN, self._undo_cooldown, self._cooldown_done)
        self._ladders: dict[int, ChannelLadder] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._configs: dict[tuple[int, int], LadderConfig] = {}
        self._lift_context: dict[int, _LiftContext] = {}

    # --- lifecycle ----------------------------------------------------------------------------
    def _port(self) -> DeescalationPort:
        if self.port is None:
            raise RuntimeError("DeescalationService has no port; the cog sets it")
        return self.port

    async def start(self) -> None:
        """Undo past-due actions now and re-arm the rest (call once Discord is reachable)."""
        await self.scheduler.start()

    async def stop(self) -> None:
        """Stop the timers; pending rows stay for the next start."""
        await self.scheduler.stop()

    def _lock(self, channel_id: int) -> asyncio.Lock:
        return self._locks.setdefault(channel_id, asyncio.Lock())

    # --- configuration ------------------------------------------------------------------------
    def base_config(self) -> LadderConfig:
        """The process defaults (config/defaults.toml [deescalation])."""
        return LadderConfig(
            slowmode_seconds=self.defaults.slowmode_seconds,
            slowmode_minutes=float(self.defaults.slowmode_minutes),
            cooldown_minutes=float(self.defaults.cooldown_minutes),
            grace_minutes=float(self.defaults.grace_minutes),
        )

    async def config_for(self, guild_id: int, channel_id: int | None = None) -> LadderConfig:
        """Defaults, then the guild's overrides, then the channel's (a bad stored value is ignored, loudly)."""
        key = (guild_id, channel_id or 0)
        cached = self._configs.get(key)
        if cached is not None:
            return cached
        overrides = await self.ladder_settings.overrides(guild_id, channel_id)
        try:
            config = self.base_config().with_overrides(overrides)
        except LadderConfigError as error:
            log.warning("ignoring invalid de-escalation settings of guild %s: %s", guild_id, error)
            config = self.base_config()
        self._configs[key] = config
        return config

    async def configure(
        self, guild_id: int, values: Mapping[str, Any], *, actor_id: int, channel_id: int | None = None
    ) -> LadderConfig:
        """Validate and store overrides for a guild (or one channel); raise LadderConfigError if invalid."""
        current = await self.ladder_settings.overrides(guild_id, channel_id)
        candidate = {**current, **values}
        config = self.base_config().with_overrides(candidate)  # raises with the key named
        await self.ladder_settings.set(guild_id, values, now=self.clock.now(), channel_id=channel_id,
                                       updated_by=actor_id)
        self._configs.clear()
        await self.record.add(guild_id=guild_id, channel_id=channel_id, action="config", actor_id=actor_id,
                              reason="settings changed", detail=dict(values), at=self.clock.now())
        return config

    async def reset_config(self, guild_id: int, *, actor_id: int, channel_id: int | None = None) -> bool:
        """Drop the overrides at one scope."""
        existed = await self.ladder_settings.reset(guild_id, channel_id)
        self._configs.clear()
        if existed:
            await self.record.add(guild_id=guild_id, channel_id=channel_id, action="config", actor_id=actor_id,
                                  reason="settings reset", at=self.clock.now())
        return existed

    async def alert_channel(self, guild_id: int) -> int | None:
        """Where mod alerts go, if an owner chose a channel."""
        value = await self.guild_settings.get(guild_id, ALERT_CHANNEL_KEY)
        return int(value) if value is not None else None

    async def set_alert_channel(self, guild_id: int, channel_id: int | None, *, actor_id: int) -> None:
        """Choose (or clear) the channel for mod alerts."""
        if channel_id is None:
            await self.guild_settings.unset(guild_id, ALERT_CHANNEL_KEY)
        else:
            await self.guild_settings.set(guild_id, ALERT_CHANNEL_KEY, channel_id, now=self.clock.now(),
                                          updated_by=actor_id)

    # --- scored messages ----------------------------------------------------------------------
    async def on_scored(self, scored: ScoredMessage) -> list[Step]:
        """Raise heat, climb the ladder if needed and carry out the steps; return the steps taken."""
        config = await self.config_for(scored.guild_id, scored.channel_id)
        if not config.enabled:
            return []
        async with self._lock(scored.channel_id):
            now = self.clock.now()
            ladder = self._ladders.setdefault(scored.channel_id, ChannelLadder())
            ladder.flags.prune(now, config.guards.window)
            if scored.counterspeech and is_bystander(ladder.flags, scored.author_id):
                scored = replace(scored, deescalating=True)  # asking others to stop is never heat
            reading = self.heat.observe(scored, now)
            slowmode_active = bool(
                await self.actions.pending_for(scored.guild_id, SLOWMODE, channel_id=scored.channel_id)
            )
            cooling = bool(await self.actions.pending_for(scored.guild_id, COOLDOWN, user_id=scored.author_id))
            steps = decide(ladder, config, scored, reading, now, slowmode_active=slowmode_active,
                           author_cooling_down=cooling)
            if steps:
                log.info("channel %s heat %.2f level %d: %s", scored.channel_id, reading.channel_heat,
                         ladder.level, ", ".join(type(step).__name__ for step in steps))
            if scored.observe:
                await self._report_would(scored, steps)
                return steps
            cooldown_result: ActionResult | None = None
            for step in steps:
                if isinstance(step, Notice):
                    await self._notice(scored, step)
                elif isinstance(step, Slowmode):
                    await self._ladder_slowmode(scored, step, reading)
                elif isinstance(step, SuggestThread):
                    await self._suggest_thread(scored, step)
                elif isinstance(step, Cooldown):
                    cooldown_result = await self.cooldown_member(
                        scored.guild_id, step.member_id, step.duration, actor_id=None,
                        reason=f"kept posting unkind messages after a private nudge and its grace period "
                               f"({step.strikes} since)",
                        channel_id=scored.channel_id,
                    )
                elif isinstance(step, ModAlert):
                    await self._mod_alert(scored.guild_id, scored.channel_id, step, cooldown_result)
            if len(self._ladders) > 256:
                self._forget_idle(now)
            return steps

    def _forget_idle(self, now: datetime) -> None:
        self.heat.prune(now)
        for channel_id, ladder in list(self._ladders.items()):
            if ladder.idle and self.heat.channel_heat(channel_id, now) < 0.01:
                del self._ladders[channel_id]

    async def _report_would(self, scored: ScoredMessage, steps: list[Step]) -> None:
        """Observe mode: tell the moderators what each step would have been."""
        if self.observe is None:
            return
        for step in steps:
            member = step.member_id if isinstance(step, Cooldown) else None
            await self.observe.report(Would(
                scored.guild_id, scored.channel_id, scored.message_id, member, WOULD[type(step)],
                getattr(step, "heat", scored.score), None, None,
            ), channel_name=f"<#{scored.channel_id}>")

    async def _notice(self, scored: ScoredMessage, step: Notice) -> None:
        text = (await guild_templates(self.guild_settings, scored.guild_id)).render(
            "heat_notice", channel=f"<#{scored.channel_id}>")
        message_id = await self._port().post(scored.guild_id, scored.channel_id, text)
        now = self.clock.now()
        await self.record.add(guild_id=scored.guild_id, channel_id=scored.channel_id, action="heat_notice",
                              reason=f"channel heat {step.heat:.2f}", detail={"heat": round(step.heat, 3)}, at=now)
        self.events.emit("heat_notice", guild_id=scored.guild_id, channel_id=scored.channel_id,
                         heat=round(step.heat, 3), level=step.level, trigger_message_id=scored.message_id,
                         notice_message_id=message_id)

    async def _suggest_thread(self, scored: ScoredMessage, step: SuggestThread) -> None:
        members = " and ".join(f"<@{member}>" for member in step.member_ids) or "you"
        text = (await guild_templates(self.guild_settings, scored.guild_id)).render(
            "thread_suggestion", members=members, channel=f"<#{scored.channel_id}>")
        message_id = await self._port().post(scored.guild_id, scored.channel_id, text)
        await self.record.add(guild_id=scored.guild_id, channel_id=scored.channel_id, action="thread_suggested",
                              reason="channel heat reached the thread threshold",
                              detail={"member_ids": list(step.member_ids)}, at=self.clock.now())
        self.events.emit("thread_suggested", guild_id=scored.guild_id, channel_id=scored.channel_id,
                         member_ids=list(step.member_ids), message_id=message_id)

    async def _ladder_slowmode(self, scored: ScoredMessage, step: Slowmode, reading: HeatReading) -> None:
        current = await self._port().current_slowmode(scored.guild_id, scored.channel_id)
        if current is None:
            return
        if current >= step.seconds:
            log.info("channel %s already has slowmode %d s; Primum leaves it", scored.channel_id, current)
            return
        await self._apply_slowmode(
            scored.guild_id, scored.channel_id, step.seconds, step.duration, previous=current, actor_id=None,
            reason=f"channel heat {reading.channel_heat:.2f} reached the slowmode threshold",
        )

    async def _mod_alert(
        self, guild_id: int, channel_id: int, step: ModAlert, cooldown: ActionResult | None
    ) -> None:
        if step.incident and not await self.policy_repo.claim_alert(
            guild_id, step.incident, channel_id=channel_id, reason=step.reason, at=self.clock.now()
        ):
            log.info("incident %s in channel %s was alerted already; not again", step.incident, channel_id)
            self.events.emit("mod_alert_suppressed", guild_id=guild_id, channel_id=channel_id,
                             reason=step.reason, incident=step.incident)
            return
        await self.policy_repo.prune_alerts(self.clock.now() - INCIDENT_MEMORY)
        links = [jump_link(guild_id, channel_id, message_id) for message_id in step.message_ids]
        members = ", ".join(f"<@{member}>" for member in step.member_ids) or "several members"
        if step.reason == "cooldown":
            what = cooldown.message if cooldown is not None else "a cooldown was chosen"
            text = f"De-escalation in <#{channel_id}>: {what} (involving {members})."
        else:
            text = f"De-escalation in <#{channel_id}>: heat {step.heat:.1f} is past the alert threshold ({members})."
        if links:
            text += "\nMessages: " + " ".join(links)
        text += "\nPrimum acted on civility scores only; please take a look."
        target = await self.alert_channel(guild_id)
        delivered = await self._port().alert_moderators(guild_id, target, text)
        if not delivered:
            log.warning("guild %s has no channel for mod alerts; set one with /deescalation alerts", guild_id)
        await self.record.add(guild_id=guild_id, channel_id=channel_id, action="mod_alert", reason=step.reason,
                              detail={"message_ids": list(step.message_ids), "delivered": delivered},
                              at=self.clock.now())
        self.events.emit("mod_alert", guild_id=guild_id, channel_id=channel_id, reason=step.reason,
                         heat=round(step.heat, 3), member_ids=list(step.member_ids),
                         message_ids=list(step.message_ids), delivered=delivered, incident=step.incident)

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
        async with self._lock(channel_id):
            current = await self._port().current_slowmode(guild_id, channel_id)
            if current is None:
                return ActionResult(False, "That channel no longer exists.")
            previous = current
            for older in await self.actions.pending_for(guild_id, SLOWMODE, channel_id=channel_id):
                previous = int(older.payload.get("previous", 0))
                await self.scheduler.cancel(older.id, "superseded")
            return await self._apply_slowmode(guild_id, channel_id, seconds, duration, previous=previous,
                                              actor_id=actor_id, reason=reason)

    async def _apply_slowmode(
        self, guild_id: int, channel_id: int, seconds: int, duration: timedelta, *, previous: int,
        actor_id: int | None, reason: str,
    ) -> ActionResult:
        now = self.clock.now()
        until = now + duration
        action = await self.scheduler.schedule(NewAction(
            kind=SLOWMODE, guild_id=guild_id, channel_id=channel_id, expires_at=until, reason=reason,
            actor_id=actor_id, payload={"seconds": seconds, "previous": previous},
        ))
        try:
            await self._port().set_slowmode(guild_id, channel_id, seconds, f"Primum de-escalation: {reason}")
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
        outcomes = []
        for action in pending:
            self._lift_context[action.id] = _LiftContext(actor_id, reason)
            outcomes.append(await self.scheduler.fire(action.id, Why.EARLY))
        outcome = outcomes[-1] or "lifted"
        if outcome == "manual_override":
            return ActionResult(True, "A moderator had already changed the slowmode by hand; Primum left it as is.")
        return ActionResult(True, "Slowmode lifted.", pending[-1].id)

    async def _undo_slowmode(self, action: ScheduledAction, why: Why) -> str:
        """Restore the previous slowmode unless someone changed it by hand (then leave it)."""
        set_to = int(action.payload.get("seconds", 0))
        previous = int(action.payload.get("previous", 0))
        assert action.channel_id is not None
        port = self._port()
        current = await port.current_slowmode(action.guild_id, action.channel_id)
        if current is None:
            return "channel_gone"
        if current == previous:
            return "already_lifted"
        if current != set_to:
            log.info("slowmode in channel %s was changed by hand (%s s, Primum set %s s); leaving it",
                     action.channel_id, current, set_to)
            return "manual_override"
        try:
            await port.set_slowmode(action.guild_id, action.channel_id, previous,
                                    "Primum de-escalation: slowmode lifted" if why is Why.EXPIRED
                                    else f"Primum de-escalation: lifted early: {self._context_reason(action)}")
        except TargetGone:
            return "channel_gone"
        except ActionRefused as error:
            log.warning("Discord refused to lift slowmode in channel %s: %s", action.channel_id, error)
            return "refused"
        except ActionFailed as error:
            raise RetryLater(str(error)) from error
        return "lifted"

    def _context_reason(self, action: ScheduledAction) -> str:
        context = self._lift_context.get(action.id)
        return context.reason if context is not None else "expired"

    async def _slowmode_done(self, action: ScheduledAction, outcome: str, why: Why, now: datetime) -> None:
        context = self._lift_context.pop(action.id, None)
        await self.record.add(
            guild_id=action.guild_id, channel_id=action.channel_id, action="slowmode_lifted",
            actor_id=context.actor_id if context else None, reason=context.reason if context else "expired",
            detail={"outcome": outcome, "why": str(why)}, at=now, action_id=action.id,
        )
        self.events.emit("slowmode_lifted", guild_id=action.guild_id, channel_id=action.channel_id,
                         action_id=action.id, outcome=outcome, why=str(why), expires_at=to_iso(action.expires_at),
                         late_s=_late_s(action, now), actor_id=context.actor_id if context else None)

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
        port = self._port()
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
        for action in pending:
            self._lift_context[action.id] = _LiftContext(actor_id, reason)
            await self.scheduler.fire(action.id, Why.EARLY)
        return ActionResult(True, f"Cooldown of <@{user_id}> lifted.", pending[-1].id)

    async def _undo_cooldown(self, action: ScheduledAction, why: Why) -> str:
        """Discord ends timeouts by itself; early lifts clear it, and a hand-made change is left alone."""
        assert action.user_id is not None
        port = self._port()
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
        try:
            await port.timeout_member(action.guild_id, action.user_id, None,
                                      f"Primum cooldown lifted early: {self._context_reason(action)}")
        except TargetGone:
            return "member_gone"
        except ActionRefused as error:
            log.warning("Discord refused to lift the timeout of member %s: %s", action.user_id, error)
            return "refused"
        except ActionFailed as error:
            raise RetryLater(str(error)) from error
        return "lifted"

    async def _cooldown_done(self, action: ScheduledAction, outcome: str, why: Why, now: datetime) -> None:
        context = self._lift_context.pop(action.id, None)
        await self.record.add(
            guild_id=action.guild_id, channel_id=action.channel_id, user_id=action.user_id, action="cooldown_lifted",
            actor_id=context.actor_id if context else None, reason=context.reason if context else "expired",
            detail={"outcome": outcome, "why": str(why)}, at=now, action_id=action.id,
        )
        self.events.emit("cooldown_lifted", guild_id=action.guild_id, channel_id=action.channel_id,
                         user_id=action.user_id, action_id=action.id, outcome=outcome, why=str(why),
                         expires_at=to_iso(action.expires_at), late_s=_late_s(action, now),
                         actor_id=context.actor_id if context else None)

    async def on_member_join(self, guild_id: int, user_id: int) -> ActionResult | None:
        """A member who left during a cooldown and came back gets the rest of it."""
        now = self.clock.now()
        pending = [a for a in await self.actions.pending_for(guild_id, COOLDOWN, user_id=user_id)
                   if a.expires_at > now]
        if not pending:
            return None
        action = pending[-1]
        try:
            await self._port().timeout_member(guild_id, user_id, action.expires_at,
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

    # --- /heat --------------------------------------------------------------------------------
    async def heat_view(self, guild_id: int, channel_id: int, *, minutes: int = 30, points: int = 61) -> HeatView:
        """The channel's heat now, its hottest members and the last ``minutes`` as a curve."""
        now = self.clock.now()
        config = await self.config_for(guild_id, channel_id)
        ladder = self._ladders.get(channel_id)
        pending = await self.actions.pending_for(guild_id, SLOWMODE, channel_id=channel_id)
        since = now - timedelta(minutes=minutes)
        steps = [(entry.at, STEP_MARKERS[entry.action]) for entry in await self.record.for_guild(guild_id, limit=200)
                 if entry.channel_id == channel_id and entry.action in STEP_MARKERS and entry.at >= since]
        return HeatView(
            guild_id=guild_id,
            channel_id=channel_id,
            heat=self.heat.channel_heat(channel_id, now),
            level=ladder.level if ladder is not None else 0,
            thresholds=config.thresholds,
            members=self.heat.members(channel_id, now),
            curve=self.heat.curve(channel_id, now - timedelta(minutes=minutes), now, points),
            slowmode_until=pending[-1].expires_at if pending else None,
            steps=sorted(steps),
        )


def describe(view: HeatView, names: Mapping[int, str] | None = None) -> str:
    """The /heat text: level, number, thresholds, hottest members and any running slowmode."""
    names = names or {}
    lines = [f"Heat in <#{view.channel_id}>: **{view.heat:.2f}** ({view.level_name})"]
    notice, slowmode, thread, alert = (*view.thresholds, 0.0, 0.0, 0.0, 0.0)[:4]
    lines.append(f"Thresholds: notice {notice:g} · slowmode {slowmode:g} · thread {thread:g} · alert {alert:g}")
    if view.members:
        hottest = ", ".join(f"{names.get(member, f'<@{member}>')} {heat:.2f}" for member, heat in view.members)
        lines.append(f"Hottest: {hottest}")
    if view.slowmode_until is not None:
        lines.append(f"Primum's slowmode lifts {display.when_and_relative(view.slowmode_until)}")
    return "\n".join(lines)


def render_chart(view: HeatView) -> bytes:
    """A small PNG of the heat curve with the thresholds (CPU work: call it in a thread)."""
    from primum.reporting.charts import heat_curve  # matplotlib loads only when a chart is asked for

    return heat_curve(view.curve, view.thresholds, view.steps, title=f"Channel heat: {view.heat:.2f} "
                      f"({view.level_name})")
