"""Per-guild moderation settings: what owners may change, checked as a whole before it is stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import Any


class PolicyError(ValueError):
    """A moderation setting is invalid; the message names the key and what is allowed."""


@dataclass(frozen=True)
class ModerationPolicy:
    """Per-guild moderation settings (stored as JSON in guild_settings under ``moderation``)."""

    two_moderator_rule: bool = True
    conflict_check: bool = True
    conflict_window_minutes: int = 60
    conflict_min_exchanges: int = 1  # directed messages needed in *each* direction
    appeal_reminder_hours: int = 72
    confirmation_expiry_hours: int = 24
    show_moderator_names: bool = False
    transparency_channel_id: int | None = None
    review_channel_id: int | None = None
    report_channel_id: int | None = None
    moderator_role_id: int | None = None
    verified_role_id: int | None = None

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any]) -> ModerationPolicy:
        """Defaults with ``overrides`` applied and checked; unknown keys are an error."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in overrides.items():
            if key not in known:
                raise PolicyError(f"unknown moderation setting {key!r}; known: {', '.join(sorted(known))}")
            values[key] = value
        policy = replace(cls(), **values)
        policy.check()
        return policy

    def check(self) -> None:
        """Raise PolicyError on an impossible value."""
        for name in ("two_moderator_rule", "conflict_check", "show_moderator_names"):
            if not isinstance(getattr(self, name), bool):
                raise PolicyError(f"moderation.{name} must be true or false")
        bounds = {
            "conflict_window_minutes": (1, 10_080),
            "conflict_min_exchanges": (1, 100),
            "appeal_reminder_hours": (1, 24 * 30),
            "confirmation_expiry_hours": (1, 24 * 14),
        }
        for name, (low, high) in bounds.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise PolicyError(f"moderation.{name} = {value!r}: use a whole number from {low} to {high}")
        for name in ("transparency_channel_id", "review_channel_id", "report_channel_id", "moderator_role_id",
                     "verified_role_id"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise PolicyError(f"moderation.{name} must be a Discord id or unset")

    @property
    def conflict_window(self) -> timedelta:
        """How far back an argument counts."""
        return timedelta(minutes=self.conflict_window_minutes)

    @property
    def appeal_reminder(self) -> timedelta:
        """How long an appeal may wait before its reviewer is reminded."""
        return timedelta(hours=self.appeal_reminder_hours)

    @property
    def confirmation_expiry(self) -> timedelta:
        """How long a removal waits for a second moderator."""
        return timedelta(hours=self.confirmation_expiry_hours)
