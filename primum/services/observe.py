"""Observe mode as a service: where Primum only reports, the reports themselves, and the verdicts.

The be-kind and de-escalation services ask :meth:`ObserveService.observing` before they act and,
when a channel is observed, call :meth:`ObserveService.report` instead of acting. The cog
implements :class:`ObservePort` (a mod-log post with Correct / Wrong buttons, a note to the
owner). Everything is stored before it is posted, so a restart loses no report and a verdict
press after a restart still lands.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from primum.domain.observe import (
    MODE_KEY,
    TEXT_KEY,
    UNTIL_KEY,
    Verdict,
    observing,
    stored_mode,
)
from primum.domain.templates import TemplateSet, category_label
from primum.runtime.clock import Clock, from_iso, to_iso
from primum.runtime.events import EventSink
from primum.storage.guild_settings import GuildSettingsRepository, channel_scope
from primum.storage.policy import ObserveReport, PolicyRepository

log = logging.getLogger(__name__)

TEMPLATE_KEY_PREFIX = "kindness.template."
ACTION_LABELS = {
    "nudge": "a private nudge", "hide": "hide the message", "notice": "a calm notice in the channel",
    "slowmode": "a slowmode", "thread": "a thread suggestion", "cooldown": "a cooldown (timeout)",
    "alert": "a moderator alert",
}


async def guild_templates(guild_settings: GuildSettingsRepository, guild_id: int) -> TemplateSet:
    """A guild's message templates: its ``/kind-settings template`` overrides over the defaults."""
    stored = await guild_settings.all_for_guild(guild_id)
    return TemplateSet({key.removeprefix(TEMPLATE_KEY_PREFIX): str(value)
                        for (scope, key), value in stored.items()
                        if scope == "" and key.startswith(TEMPLATE_KEY_PREFIX)})


class ObservePort(Protocol):
    """The Discord side of observe mode."""

    async def post_report(self, guild_id: int, content: str, report_id: int) -> tuple[int, int] | None:
        """Post a report with Correct / Wrong buttons in the mod-log; (channel, message) or None."""
        ...

    async def tell_owner(self, guild_id: int, content: str) -> bool:
        """Tell the owner (the mod-log, else a DM); False when neither worked."""
        ...


@dataclass(frozen=True)
class GuildObserve:
    """A guild's observe settings."""

    mode: bool | None
    channels: dict[int, bool | None]
    until: datetime | None
    keep_text: bool


@dataclass(frozen=True)
class Would:
    """One thing Primum would have done."""

    guild_id: int
    channel_id: int
    message_id: int
    author_id: int | None
    action: str
    score: float
    category: str | None = None
    threshold: float | None = None
    model_version: str = ""


@dataclass
class ObserveService:
    """Observe-mode settings, reports and verdicts."""

    guild_settings: GuildSettingsRepository
    repo: PolicyRepository
    clock: Clock
    events: EventSink
    new_server_days: int = 7
    port: ObservePort | None = None
    _cache: dict[int, GuildObserve] = field(default_factory=dict)

    async def settings(self, guild_id: int) -> GuildObserve:
        """The guild's observe settings (cached until changed)."""
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        stored = await self.guild_settings.all_for_guild(guild_id)
        channels = {int(scope.split(":", 1)[1]): stored_mode(value) for (scope, key), value in stored.items()
                    if key == MODE_KEY and scope.startswith("channel:")}
        raw_until = stored.get(("", UNTIL_KEY))
        until = None
        if isinstance(raw_until, str):
            try:
                until = from_iso(raw_until)
            except ValueError:
                log.warning("guild %s has an unreadable observe.until; ignoring it", guild_id)
        result = GuildObserve(stored_mode(stored.get(("", MODE_KEY))), channels, until,
                              stored.get(("", TEXT_KEY)) is True)
        self._cache[guild_id] = result
        return result

    async def observing(self, guild_id: int, channel_chain: Sequence[int]) -> bool:
        """Whether Primum only observes messages in this channel now."""
        current = await self.settings(guild_id)
        modes = [current.channels.get(cid) for cid in channel_chain]
        return observing(current.mode, modes, current.until, self.clock.now())

    async def set_mode(self, guild_id: int, mode: bool | None, *, actor_id: int, channel_id: int | None = None) -> None:
        """Switch observe mode on/off (None: back to the default) for the server or one channel."""
        scope = channel_scope(channel_id) if channel_id is not None else ""
        if mode is None:
            await self.guild_settings.unset(guild_id, MODE_KEY, scope)
        else:
            await self.guild_settings.set(guild_id, MODE_KEY, "on" if mode else "off", now=self.clock.now(),
                                          scope=scope, updated_by=actor_id)
        self._cache.pop(guild_id, None)
        self.events.emit("observe_mode", guild_id=guild_id, channel_id=channel_id,
                         mode=None if mode is None else ("on" if mode else "off"), actor_id=actor_id)

    async def set_keep_text(self, guild_id: int, keep: bool, *, actor_id: int) -> None:
        """Opt in (or out) of keeping message text with observe reports."""
        await self.guild_settings.set(guild_id, TEXT_KEY, keep, now=self.clock.now(), updated_by=actor_id)
        self._cache.pop(guild_id, None)

    async def on_guild_join(self, guild_id: int, guild_name: str) -> datetime | None:
        """Start a new server's trial observe period (once) and tell the owner; return its end."""
        if self.new_server_days <= 0:
            return None
        if await self.guild_settings.get(guild_id, UNTIL_KEY) is not None:
            return None  # joined before: the trial is not restarted
        now = self.clock.now()
        until = now + timedelta(days=self.new_server_days)
        await self.guild_settings.set(guild_id, UNTIL_KEY, to_iso(until), now=now)
        self._cache.pop(guild_id, None)
        text = (await self.templates(guild_id)).render(
            "observe_welcome", guild=guild_name, days=str(self.new_server_days), until=f"<t:{int(until.timestamp())}:f>"
        )
        told = await self.port.tell_owner(guild_id, text) if self.port is not None else False
        self.events.emit("observe_trial", guild_id=guild_id, until=to_iso(until), told=told)
        return until

    async def templates(self, guild_id: int) -> TemplateSet:
        """The guild's message templates (owner overrides over the defaults)."""
        return await guild_templates(self.guild_settings, guild_id)

    async def report(
        self, would: Would, *, text: str | None = None, channel_name: str = "a channel"
    ) -> ObserveReport | None:
        """Store and post what Primum would have done; None when already reported (never twice)."""
        keep = text if text is not None and (await self.settings(would.guild_id)).keep_text else None
        stored = await self.repo.add_report(
            guild_id=would.guild_id, channel_id=would.channel_id, message_id=would.message_id,
            author_id=would.author_id, action=would.action, category=would.category, score=would.score,
            threshold=would.threshold, model_version=would.model_version, created_at=self.clock.now(), text=keep,
        )
        if stored is None:
            return None
        content = (await self.templates(would.guild_id)).render(
            "observe_modlog", action=ACTION_LABELS.get(would.action, would.action),
            member=f"<@{would.author_id}>" if would.author_id is not None else "the channel",
            channel=channel_name,
            jump_url=f"https://discord.com/channels/{would.guild_id}/{would.channel_id}/{would.message_id}",
            score=f"{would.score:.2f}", category=category_label(would.category) if would.category else "heat",
            threshold=f"{would.threshold:.2f}" if would.threshold is not None else "n/a",
        )
        if keep is not None:
            content += "\n> " + keep[:800].replace("\n", "\n> ")
        posted = None
        if self.port is not None:
            try:
                posted = await self.port.post_report(would.guild_id, content[:2000], stored.id)
            except Exception:  # a failed post must not lose the stored report
                log.warning("could not post observe report %d", stored.id, exc_info=True)
        if posted is not None:
            await self.repo.set_modlog(stored.id, posted[0], posted[1])
        self.events.emit("observe_report", guild_id=would.guild_id, channel_id=would.channel_id,
                         message_id=would.message_id, report_id=stored.id, action=would.action,
                         category=would.category, score=round(would.score, 4), posted=posted is not None)
        return stored

    async def verdict(self, report_id: int, verdict: Verdict, *, moderator_id: int) -> tuple[bool, str]:
        """Store a moderator's Correct / Wrong; return (ok, what to tell them)."""
        report = await self.repo.report(report_id)
        if report is None:
            return False, "This report no longer exists."
        await self.repo.set_verdict(report_id, verdict.value, moderator_id, self.clock.now())
        self.events.emit("observe_verdict", guild_id=report.guild_id, report_id=report_id, verdict=verdict.value,
                         action=report.action, moderator_id=moderator_id, changed=report.verdict is not None)
        return True, (f"Recorded: **{verdict.value}**. Thank you — it becomes a labelled example for "
                      "`primum calibrate --from-db`.")

    async def would_nudge_times(self, guild_id: int, author_id: int, since: datetime) -> list[datetime]:
        """When observe mode would have nudged this author since ``since`` (its per-author window)."""
        return await self.repo.would_nudge_times(guild_id, author_id, since)
