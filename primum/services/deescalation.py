"""De-escalation as a service: heat and the ladder on every scored message, and its front door.

The cog turns Discord objects into ids and implements ``DeescalationPort`` (the few Discord side
effects this feature needs); everything else happens here and in the parts this service holds, so
the whole feature can be tested with a fake port, a temp database and a fake clock:

* :mod:`primum.services.deescalation_port`: the port, its errors and ``ActionResult``;
* :mod:`primum.services.deescalation_settings`: the ladder in effect and the alert channel;
* :mod:`primum.services.deescalation_timed`: restart-safe slowmodes and cooldowns;
* :mod:`primum.services.heat_view`: what ``/heat`` shows.

This module carries out the ladder's steps (notice, thread suggestion, mod alert, or observe
mode's "would have") and keeps the public methods the cog calls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from primum.domain.heat import HeatConfig, HeatReading, HeatTracker
from primum.domain.incidents import follows_up, is_bystander
from primum.domain.ladder import (
    ChannelLadder,
    Cooldown,
    ModAlert,
    Notice,
    Slowmode,
    Step,
    SuggestThread,
    addressed,
    decide,
)
from primum.domain.ladder_config import LadderConfig
from primum.domain.scored import ScoredMessage
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.runtime.scheduler import Scheduler
from primum.services.deescalation_port import ActionResult, DeescalationPort
from primum.services.deescalation_settings import LadderSettings
from primum.services.deescalation_timed import COOLDOWN, SLOWMODE, TimedActions
from primum.services.heat_view import HeatView, step_markers
from primum.services.observe import ObserveService, Would, guild_templates
from primum.settings import DeescalationSettings
from primum.storage.database import Database
from primum.storage.deescalation import DeescalationLogRepository, ScheduledActionRepository
from primum.storage.guild_settings import GuildSettingsRepository
from primum.storage.policy import PolicyRepository

log = logging.getLogger(__name__)

#: How long an incident key is remembered (one alert per incident, across restarts).
INCIDENT_MEMORY = timedelta(days=30)
#: Observe mode's name for each step.
WOULD = {Notice: "notice", Slowmode: "slowmode", SuggestThread: "thread", Cooldown: "cooldown", ModAlert: "alert"}


def jump_link(guild_id: int, channel_id: int, message_id: int) -> str:
    """A link moderators can click to jump to a message."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


@dataclass
class DeescalationService:
    """Heat, the ladder, and the restart-safe timed actions of one bot."""

    #: The line of a ``/privacy forgetme`` reply that counts what ``forget_member`` dropped.
    forget_key: ClassVar[str] = "live_heat"

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
        self.settings = LadderSettings(self.guild_settings, self.record, self.clock, self.defaults)
        self.heat = HeatTracker(self.heat_config)
        self.scheduler = Scheduler(self.actions, self.clock, name="deescalation")
        self._locks: dict[int, asyncio.Lock] = {}
        self.timed = TimedActions(self.actions, self.record, self.scheduler, self.events, self.clock,
                                  port=self._port, lock=self._lock)
        self._ladders: dict[int, ChannelLadder] = {}
        self._guild_of: dict[int, int] = {}  # channel -> guild, for a per-guild forget

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

    # --- the front door: settings and timed actions live in their own parts -------------------
    def base_config(self) -> LadderConfig:
        """The process defaults (config/defaults.toml [deescalation])."""
        return self.settings.base_config()

    async def config_for(self, guild_id: int, channel_id: int | None = None) -> LadderConfig:
        """The ladder in effect for a guild (or one of its channels)."""
        return await self.settings.config_for(guild_id, channel_id)

    async def configure(
        self, guild_id: int, values: Mapping[str, Any], *, actor_id: int, channel_id: int | None = None
    ) -> LadderConfig:
        """Validate and store overrides; raise LadderConfigError if invalid."""
        return await self.settings.configure(guild_id, values, actor_id=actor_id, channel_id=channel_id)

    async def reset_config(self, guild_id: int, *, actor_id: int, channel_id: int | None = None) -> bool:
        """Drop the overrides at one scope."""
        return await self.settings.reset_config(guild_id, actor_id=actor_id, channel_id=channel_id)

    async def alert_channel(self, guild_id: int) -> int | None:
        """Where mod alerts go, if an owner chose a channel."""
        return await self.settings.alert_channel(guild_id)

    async def set_alert_channel(self, guild_id: int, channel_id: int | None, *, actor_id: int) -> None:
        """Choose (or clear) the channel for mod alerts."""
        await self.settings.set_alert_channel(guild_id, channel_id, actor_id=actor_id)

    async def slowmode_channel(
        self, guild_id: int, channel_id: int, *, seconds: int, duration: timedelta, reason: str, actor_id: int
    ) -> ActionResult:
        """A moderator's timed slowmode (it lifts itself)."""
        return await self.timed.slowmode_channel(guild_id, channel_id, seconds=seconds, duration=duration,
                                                 reason=reason, actor_id=actor_id)

    async def lift_channel(self, guild_id: int, channel_id: int, *, reason: str, actor_id: int) -> ActionResult:
        """A moderator lifts Primum's slowmode early."""
        return await self.timed.lift_channel(guild_id, channel_id, reason=reason, actor_id=actor_id)

    async def cooldown_member(
        self, guild_id: int, user_id: int, duration: timedelta, *, reason: str, actor_id: int | None,
        channel_id: int | None = None,
    ) -> ActionResult:
        """Time a member out for ``duration`` (at most 28 days)."""
        return await self.timed.cooldown_member(guild_id, user_id, duration, reason=reason, actor_id=actor_id,
                                                channel_id=channel_id)

    async def lift_member(self, guild_id: int, user_id: int, *, reason: str, actor_id: int) -> ActionResult:
        """A moderator ends a member's cooldown early."""
        return await self.timed.lift_member(guild_id, user_id, reason=reason, actor_id=actor_id)

    async def on_member_join(self, guild_id: int, user_id: int) -> ActionResult | None:
        """A member who left during a cooldown and came back gets the rest of it."""
        return await self.timed.on_member_join(guild_id, user_id)

    # --- scored messages ----------------------------------------------------------------------
    async def on_scored(self, scored: ScoredMessage) -> list[Step]:
        """Raise heat, climb the ladder if needed and carry out the steps; return the steps taken."""
        config = await self.config_for(scored.guild_id, scored.channel_id)
        if not config.enabled:
            return []
        async with self._lock(scored.channel_id):
            now = self.clock.now()
            ladder = self._ladders.setdefault(scored.channel_id, ChannelLadder())
            self._guild_of[scored.channel_id] = scored.guild_id
            ladder.flags.prune(now, config.guards.window)
            if scored.counterspeech and is_bystander(ladder.flags, scored.author_id):
                scored = replace(scored, deescalating=True)  # asking others to stop is never heat
            scored = addressed(ladder, config, scored, now)
            if follows_up(ladder.flags, scored, config.follow_up_score):
                scored = replace(scored, follow_up=True)
                self.events.emit("heat_follow_up", guild_id=scored.guild_id, channel_id=scored.channel_id,
                                 message_id=scored.message_id, author_id=scored.author_id,
                                 score=round(scored.score, 3))
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

    async def forget_member(self, guild_id: int, member_id: int) -> int:
        """Drop what memory holds about a member in one guild's channels (heat, flags, exchanges).

        Part of a privacy forget: the database rows go through ``storage.privacy``; this is the
        in-memory half, so a forgotten member's earlier messages no longer count toward anything.
        """
        gone = 0
        for channel_id in [c for c, g in self._guild_of.items() if g == guild_id]:
            async with self._lock(channel_id):
                gone += self.heat.forget_member(channel_id, member_id)
                ladder = self._ladders.get(channel_id)
                if ladder is not None:
                    gone += ladder.forget_member(member_id)
        return gone

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
        templates = await guild_templates(self.guild_settings, scored.guild_id)
        if step.pileon:
            text = templates.render("pileon_notice", channel=f"<#{scored.channel_id}>")
        else:
            members = " and ".join(f"<@{member}>" for member in step.member_ids) or "you"
            text = templates.render("thread_suggestion", members=members, channel=f"<#{scored.channel_id}>")
        message_id = await self._port().post(scored.guild_id, scored.channel_id, text)
        await self.record.add(guild_id=scored.guild_id, channel_id=scored.channel_id, action="thread_suggested",
                              reason="channel heat reached the thread threshold",
                              detail={"member_ids": list(step.member_ids), "pileon": step.pileon},
                              at=self.clock.now())
        self.events.emit("thread_suggested", guild_id=scored.guild_id, channel_id=scored.channel_id,
                         member_ids=list(step.member_ids), message_id=message_id, pileon=step.pileon)

    async def _ladder_slowmode(self, scored: ScoredMessage, step: Slowmode, reading: HeatReading) -> None:
        current = await self._port().current_slowmode(scored.guild_id, scored.channel_id)
        if current is None:
            return
        if current >= step.seconds:
            log.info("channel %s already has slowmode %d s; Primum leaves it", scored.channel_id, current)
            return
        await self.timed.apply_slowmode(
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

    # --- /heat --------------------------------------------------------------------------------
    async def heat_view(self, guild_id: int, channel_id: int, *, minutes: int = 30, points: int = 61) -> HeatView:
        """The channel's heat now, its hottest members and the last ``minutes`` as a curve."""
        now = self.clock.now()
        config = await self.config_for(guild_id, channel_id)
        ladder = self._ladders.get(channel_id)
        pending = await self.actions.pending_for(guild_id, SLOWMODE, channel_id=channel_id)
        since = now - timedelta(minutes=minutes)
        steps = step_markers(await self.record.for_guild(guild_id, limit=200), channel_id, since)
        return HeatView(
            guild_id=guild_id,
            channel_id=channel_id,
            heat=self.heat.channel_heat(channel_id, now),
            level=ladder.level if ladder is not None else 0,
            thresholds=config.thresholds,
            members=self.heat.members(channel_id, now),
            curve=self.heat.curve(channel_id, now - timedelta(minutes=minutes), now, points),
            slowmode_until=pending[-1].expires_at if pending else None,
            steps=steps,
        )
