"""A server's be-kind configuration: thresholds, exemptions, windows, templates and mod-log text.

:class:`KindnessPolicies` reads the owners' settings once per guild (cached until one changes),
resolves them against the process defaults and the model card into a :class:`GuildPolicy`, and
stores validated changes from ``/kind-settings``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from primum.domain.policy import (
    ACTIONABLE,
    HIDE_KEY,
    NUDGE_KEY,
    CategoryThresholds,
    Exemptions,
    Level,
    ThresholdOverrides,
    resolve_thresholds,
)
from primum.domain.templates import PLACEHOLDERS, TemplateSet, validate_template
from primum.inference.lists import CODE
from primum.inference.protocol import KindnessScore, Scorer
from primum.runtime.clock import Clock
from primum.settings import KindnessSettings
from primum.storage.guild_settings import GuildSettingsRepository, category_scope, channel_scope

EXEMPT_CHANNELS_KEY = "kindness.exempt_channels"
EXEMPT_ROLES_KEY = "kindness.exempt_roles"
NUDGE_WINDOW_KEY = "kindness.nudge_window_s"
OUTCOME_WINDOW_KEY = "kindness.outcome_window_s"
MODLOG_TEXT_DAYS_KEY = "kindness.modlog_text_days"
MODLOG_CHANNEL_KEY = "mod_log_channel_id"
TEMPLATE_KEY_PREFIX = "kindness.template."
CODED_HATE_KEY = "kindness.coded_hate"


@dataclass(frozen=True)
class GuildPolicy:
    """A guild's be-kind configuration, resolved against the process defaults and the model card."""

    overrides: ThresholdOverrides
    exemptions: Exemptions
    nudge_window: timedelta
    outcome_window: timedelta
    default_nudge: float
    default_hide: float | None
    templates: TemplateSet
    modlog_text_days: int
    modlog_channel_id: int | None
    #: Whether documented hate codes lift a message to a nudge (``primum.inference.coded_hate``); on
    #: unless an owner turned it off (a server that studies antisemitism may quote codes all day).
    coded_hate: bool = True

    def counted(self, score: KindnessScore) -> KindnessScore:
        """``score`` as this server counts it: the model's own score when only the documented-codes
        list lifted it and the owner turned that list off."""
        if score.model_only is not None and score.lifted_by == CODE and not self.coded_hate:
            return score.model_only
        return score

    def thresholds_for(self, channel_chain: Sequence[int]) -> dict[str, CategoryThresholds]:
        """Per-category thresholds in a channel (guild → channel → category)."""
        return resolve_thresholds(
            self.overrides, channel_ids=channel_chain, default_nudge=self.default_nudge, default_hide=self.default_hide
        )


@dataclass
class KindnessPolicies:
    """Each guild's :class:`GuildPolicy` (cached) and the owners' changes to it."""

    guild_settings: GuildSettingsRepository
    settings: KindnessSettings
    scorer: Scorer
    clock: Clock
    _cache: dict[int, GuildPolicy] = field(default_factory=dict)

    def invalidate(self, guild_id: int) -> None:
        """Forget the cached policy after an owner changed a setting."""
        self._cache.pop(guild_id, None)

    async def policy(self, guild_id: int) -> GuildPolicy:
        """The guild's policy (cached; one settings query per guild until a setting changes)."""
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        stored = await self.guild_settings.all_for_guild(guild_id)
        model = self.scorer.thresholds
        default_nudge = self.settings.nudge_threshold if self.settings.nudge_threshold is not None else model.nudge
        policy = GuildPolicy(
            overrides=_overrides_from(stored),
            exemptions=Exemptions(
                channel_ids=frozenset(int(x) for x in stored.get(("", EXEMPT_CHANNELS_KEY), []) or []),
                role_ids=frozenset(int(x) for x in stored.get(("", EXEMPT_ROLES_KEY), []) or []),
            ),
            nudge_window=_seconds(stored.get(("", NUDGE_WINDOW_KEY)), self.settings.nudge_window_minutes * 60),
            outcome_window=_seconds(
                stored.get(("", OUTCOME_WINDOW_KEY)), self.settings.outcome_window_minutes * 60, minimum=1
            ),
            default_nudge=default_nudge,
            default_hide=self.settings.hide_threshold,
            templates=TemplateSet(
                {
                    key.removeprefix(TEMPLATE_KEY_PREFIX): str(value)
                    for (scope, key), value in stored.items()
                    if scope == "" and key.startswith(TEMPLATE_KEY_PREFIX)
                }
            ),
            modlog_text_days=int(stored.get(("", MODLOG_TEXT_DAYS_KEY), 0) or 0),
            modlog_channel_id=_opt_int(stored.get(("", MODLOG_CHANNEL_KEY))),
            coded_hate=stored.get(("", CODED_HATE_KEY)) is not False,
        )
        self._cache[guild_id] = policy
        return policy

    async def set_threshold(
        self, guild_id: int, which: str, level: Level, *, actor_id: int,
        channel_id: int | None = None, category: str | None = None,
    ) -> None:
        """Store (or clear) a nudge/hide threshold for the guild, a channel or a category."""
        if which not in {"nudge", "hide"}:
            raise ValueError("which must be 'nudge' or 'hide'")
        if channel_id is not None and category is not None:
            raise ValueError("give a channel or a category, not both")
        if category is not None and category not in ACTIONABLE:
            raise ValueError(f"unknown category {category!r}; use one of {', '.join(ACTIONABLE)}")
        key = NUDGE_KEY if which == "nudge" else HIDE_KEY
        scope = channel_scope(channel_id) if channel_id is not None else (
            category_scope(category) if category is not None else "")
        if level.is_set:
            value: object = "off" if level.off else level.value
            await self.guild_settings.set(guild_id, key, value, now=self.clock.now(), scope=scope, updated_by=actor_id)
        else:
            await self.guild_settings.unset(guild_id, key, scope)
        self.invalidate(guild_id)

    async def set_exempt(self, guild_id: int, kind: str, target_id: int, exempt: bool, *, actor_id: int) -> bool:
        """Add or remove an exempt channel or role; return whether anything changed."""
        key = EXEMPT_CHANNELS_KEY if kind == "channel" else EXEMPT_ROLES_KEY
        current = {int(x) for x in (await self.guild_settings.get(guild_id, key) or [])}
        updated = current | {target_id} if exempt else current - {target_id}
        if updated == current:
            return False
        await self.guild_settings.set(guild_id, key, sorted(updated), now=self.clock.now(), updated_by=actor_id)
        self.invalidate(guild_id)
        return True

    async def set_window(self, guild_id: int, which: str, duration: timedelta | None, *, actor_id: int) -> None:
        """Set the per-author nudge window or the outcome window (None restores the default)."""
        key = NUDGE_WINDOW_KEY if which == "nudge" else OUTCOME_WINDOW_KEY
        if duration is None:
            await self.guild_settings.unset(guild_id, key)
        else:
            seconds = int(duration.total_seconds())
            await self.guild_settings.set(guild_id, key, seconds, now=self.clock.now(), updated_by=actor_id)
        self.invalidate(guild_id)

    async def set_template(self, guild_id: int, name: str, text: str | None, *, actor_id: int) -> str:
        """Store a validated template (None restores the default); return the template now in use."""
        key = TEMPLATE_KEY_PREFIX + name
        if name not in PLACEHOLDERS:
            raise ValueError(f"unknown template {name!r}")
        if text is None:
            await self.guild_settings.unset(guild_id, key)
        else:
            cleaned = validate_template(name, text)
            await self.guild_settings.set(guild_id, key, cleaned, now=self.clock.now(), updated_by=actor_id)
        self.invalidate(guild_id)
        return (await self.policy(guild_id)).templates.get(name)

    async def set_modlog_text(self, guild_id: int, days: int, *, actor_id: int) -> None:
        """Opt in (days > 0: keep text that long) or out (0) of message text in the mod-log."""
        if not 0 <= days <= 90:
            raise ValueError("retention must be 0 (off) to 90 days")
        await self.guild_settings.set(guild_id, MODLOG_TEXT_DAYS_KEY, days, now=self.clock.now(), updated_by=actor_id)
        self.invalidate(guild_id)

    async def set_coded_hate(self, guild_id: int, enabled: bool, *, actor_id: int) -> None:
        """Turn the documented-hate-codes list on (the default) or off for the guild."""
        if enabled:
            await self.guild_settings.unset(guild_id, CODED_HATE_KEY)
        else:
            await self.guild_settings.set(guild_id, CODED_HATE_KEY, False, now=self.clock.now(), updated_by=actor_id)
        self.invalidate(guild_id)

    async def set_modlog_channel(self, guild_id: int, channel_id: int, *, actor_id: int) -> None:
        """Where be-kind (and the other features) post to the moderators."""
        await self.guild_settings.set(guild_id, MODLOG_CHANNEL_KEY, channel_id, now=self.clock.now(),
                                      updated_by=actor_id)
        self.invalidate(guild_id)


def _overrides_from(stored: Mapping[tuple[str, str], Any]) -> ThresholdOverrides:
    channel_nudge: dict[int, Level] = {}
    channel_hide: dict[int, Level] = {}
    category_nudge: dict[str, Level] = {}
    category_hide: dict[str, Level] = {}
    guild_nudge = guild_hide = Level()
    for (scope, key), value in stored.items():
        if key not in {NUDGE_KEY, HIDE_KEY}:
            continue
        level = Level.from_stored(value)
        if key == NUDGE_KEY and level.off:
            level = Level()  # nudging cannot be switched off by threshold; exempt the channel instead
        nudge = key == NUDGE_KEY
        if scope == "":
            if nudge:
                guild_nudge = level
            else:
                guild_hide = level
        elif scope.startswith("channel:"):
            (channel_nudge if nudge else channel_hide)[int(scope.split(":", 1)[1])] = level
        elif scope.startswith("category:"):
            (category_nudge if nudge else category_hide)[scope.split(":", 1)[1]] = level
    return ThresholdOverrides(guild_nudge, guild_hide, channel_nudge, channel_hide, category_nudge, category_hide)


def _seconds(value: Any, default_s: int, minimum: int = 0) -> timedelta:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return timedelta(seconds=value)
    return timedelta(seconds=max(default_s, minimum))


def _opt_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
