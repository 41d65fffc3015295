"""De-escalation settings: the ladder in effect per guild and channel, and where mod alerts go.

Defaults come from ``config/defaults.toml [deescalation]``; owners override them per guild or per
channel (``/deescalation config``). A stored value that no longer validates is ignored, loudly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from primum.domain.ladder_config import LadderConfig, LadderConfigError
from primum.runtime.clock import Clock
from primum.settings import DeescalationSettings
from primum.storage.deescalation import DeescalationLogRepository, LadderSettingsRepository
from primum.storage.guild_settings import GuildSettingsRepository

log = logging.getLogger(__name__)

ALERT_CHANNEL_KEY = "deescalation_alert_channel"


@dataclass
class LadderSettings:
    """The ladder configuration in effect (cached until someone changes it) and the alert channel."""

    guild_settings: GuildSettingsRepository
    record: DeescalationLogRepository
    clock: Clock
    defaults: DeescalationSettings = field(default_factory=DeescalationSettings)

    def __post_init__(self) -> None:
        self.overrides = LadderSettingsRepository(self.guild_settings)
        self._configs: dict[tuple[int, int], LadderConfig] = {}

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
        overrides = await self.overrides.overrides(guild_id, channel_id)
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
        current = await self.overrides.overrides(guild_id, channel_id)
        candidate = {**current, **values}
        config = self.base_config().with_overrides(candidate)  # raises with the key named
        await self.overrides.set(guild_id, values, now=self.clock.now(), channel_id=channel_id, updated_by=actor_id)
        self._configs.clear()
        await self.record.add(guild_id=guild_id, channel_id=channel_id, action="config", actor_id=actor_id,
                              reason="settings changed", detail=dict(values), at=self.clock.now())
        return config

    async def reset_config(self, guild_id: int, *, actor_id: int, channel_id: int | None = None) -> bool:
        """Drop the overrides at one scope."""
        existed = await self.overrides.reset(guild_id, channel_id)
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
