"""The de-escalation ladder's settings: rungs, thresholds, durations, and Discord's limits.

Owners override :class:`LadderConfig` per guild and per channel (``/deescalation config``); values
arrive as JSON or text and are coerced and validated here, with errors that name the key and what
is allowed. :mod:`primum.domain.ladder` decides the steps from a config.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from primum.domain.incidents import Guards

#: Discord's limits (rate_limit_per_user 0-21600 s; timeouts up to 28 days).
SLOWMODE_MAX_SECONDS = 21_600
TIMEOUT_MAX = timedelta(days=28)
TIMEOUT_MAX_MINUTES = 28 * 24 * 60


class Rung(StrEnum):
    """One step of the ladder."""

    NOTICE = "notice"
    SLOWMODE = "slowmode"
    THREAD = "thread"
    COOLDOWN = "cooldown"
    ALERT = "alert"


#: Channel rungs in the order heat levels 1..4 reach them.
CHANNEL_RUNGS: tuple[Rung, ...] = (Rung.NOTICE, Rung.SLOWMODE, Rung.THREAD, Rung.ALERT)
ALL_RUNGS: tuple[Rung, ...] = (Rung.NOTICE, Rung.SLOWMODE, Rung.THREAD, Rung.COOLDOWN, Rung.ALERT)


class LadderConfigError(ValueError):
    """A ladder setting is invalid; the message names the key and what is allowed."""


@dataclass(frozen=True)
class LadderConfig:
    """Thresholds and durations of the ladder; owners override them per guild and per channel."""

    enabled: bool = True
    steps: tuple[Rung, ...] = ALL_RUNGS
    notice_at: float = 1.5
    slowmode_at: float = 3.0
    thread_at: float = 4.5
    alert_at: float = 6.0
    #: A level is left only when heat falls below its threshold times this ratio.
    exit_ratio: float = 0.6
    slowmode_seconds: int = 30
    #: Durations may be fractions of a minute (demos and tests use a few seconds).
    slowmode_minutes: float = 10.0
    cooldown_minutes: float = 10.0
    #: A message at or above this be-kind score is uncivil.
    uncivil_score: float = 0.7
    #: A member already flagged in the window who goes on at this be-kind score or more, under the
    #: nudge cut-off, is keeping it up: heat and the calm notice count it, nothing beyond them.
    follow_up_score: float = 0.75
    #: Unkind messages after a nudge's grace period before a member is cooled down.
    cooldown_strikes: int = 2
    member_heat_for_cooldown: float = 1.5
    notice_repeat_minutes: int = 10
    alert_repeat_minutes: int = 10
    #: How long a member has to read and act on a nudge before further messages count as strikes.
    grace_minutes: float = 5.0
    #: The window in which flagged messages count as one conversation's evidence.
    flag_window_minutes: float = 10.0
    #: Flagged messages in the window before even the calm notice.
    notice_min_flags: int = 2
    #: A slow burn: one member flagged (or following up) this many times within ``slow_burn_minutes``,
    #: or one time fewer (at least two) when each was a flag over the cut-off, gets the channel the
    #: calm notice, however far apart the messages (never anything beyond it).
    slow_burn_flags: int = 3
    slow_burn_minutes: float = 60.0
    #: Beyond the notice: this many members who each have ``escalate_member_flags`` flagged messages
    #: in the window, two of them addressing each other (a fight), or ``pileon_members`` flagged
    #: members addressing one member (a pile-on); and ``escalate_min_flags`` flagged messages in all.
    escalate_min_members: int = 2
    escalate_member_flags: int = 2
    pileon_members: int = 3
    escalate_min_flags: int = 3

    def __post_init__(self) -> None:
        problems = validate(self)
        if problems:
            raise LadderConfigError("; ".join(problems))

    @property
    def guards(self) -> Guards:
        """The sustained-incivility guards (see :mod:`primum.domain.incidents`)."""
        return Guards(
            window=timedelta(minutes=self.flag_window_minutes), notice_min_flags=self.notice_min_flags,
            escalate_min_members=self.escalate_min_members, escalate_min_flags=self.escalate_min_flags,
            escalate_member_flags=self.escalate_member_flags, pileon_members=self.pileon_members,
            grace=timedelta(minutes=self.grace_minutes), cooldown_strikes=self.cooldown_strikes,
        )

    @property
    def thresholds(self) -> tuple[float, float, float, float]:
        """Heat thresholds of levels 1..4 (notice, slowmode, thread, alert)."""
        return (self.notice_at, self.slowmode_at, self.thread_at, self.alert_at)

    def allows(self, rung: Rung) -> bool:
        """Whether this rung is switched on."""
        return self.enabled and rung in self.steps

    def with_overrides(self, overrides: Mapping[str, Any]) -> LadderConfig:
        """A copy with the given keys changed (values as stored in JSON); unknown keys are refused."""
        changes: dict[str, Any] = {}
        for key, raw in overrides.items():
            if key not in CONFIG_KEYS:
                raise LadderConfigError(f"unknown de-escalation setting {key!r}; known: {', '.join(CONFIG_KEYS)}")
            changes[key] = _coerce(key, raw)
        return replace(self, **changes)

    def as_json(self) -> dict[str, Any]:
        """Every setting as JSON-friendly values (steps as a list of names)."""
        data = asdict(self)
        data["steps"] = [str(step) for step in self.steps]
        return data


#: Setting name -> what it means, for /deescalation config and error messages.
CONFIG_KEYS: dict[str, str] = {
    "enabled": "true/false: de-escalation on or off",
    "steps": "which rungs run: any of notice, slowmode, thread, cooldown, alert",
    "notice_at": "heat that posts the calm notice",
    "slowmode_at": "heat that turns on timed slowmode",
    "thread_at": "heat that suggests a thread",
    "alert_at": "heat that alerts the moderators",
    "exit_ratio": "hysteresis: a level ends below threshold x this (0.1-1)",
    "slowmode_seconds": "slowmode per member, 1-21600 seconds",
    "slowmode_minutes": "how long slowmode lasts, 0.05-1440 minutes",
    "cooldown_minutes": "member cooldown (timeout) length, 0.05-40320 minutes (28 days)",
    "uncivil_score": "be-kind score at which a message counts as uncivil when be-kind gave no verdict (0-1)",
    "follow_up_score": "be-kind score at which a flagged member's next messages still count toward the "
                       "notice (never beyond it), 0.01-1; 1 counts only flagged messages",
    "cooldown_strikes": "unkind messages after a nudge's grace period before a cooldown, 1-20",
    "member_heat_for_cooldown": "a member's own heat needed for a cooldown",
    "notice_repeat_minutes": "at most one notice per channel per this many minutes",
    "alert_repeat_minutes": "at most one heat alert per channel per this many minutes",
    "grace_minutes": "time to read and act on a nudge before more messages count toward a cooldown, 0.05-120",
    "flag_window_minutes": "window in which flagged messages count together, 1-120 minutes",
    "notice_min_flags": "flagged messages in the window before the calm notice, 1-20",
    "slow_burn_flags": "one member's flagged messages or near misses within slow_burn_minutes that get the "
                       "channel the calm notice however far apart (one fewer if all were flagged; a slow burn; "
                       "never more than the notice), 2-20",
    "slow_burn_minutes": "how far back a slow burn's flags count, 10-240 minutes",
    "escalate_min_members": "members who each kept it up, two at each other, before anything beyond the notice, 2-20",
    "escalate_member_flags": "flagged messages each of those members needs in the window, 1-20",
    "pileon_members": "flagged members addressing one member that count as a pile-on, 2-20",
    "escalate_min_flags": "flagged messages in the window before anything beyond the notice, 2-50",
}


def _coerce(key: str, raw: Any) -> Any:
    kinds = {f.name: f.type for f in fields(LadderConfig)}
    kind = str(kinds[key])
    if key == "steps":
        names = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(names, list | tuple):
            raise LadderConfigError("steps must be a list of rung names")
        try:
            return tuple(dict.fromkeys(Rung(str(name).strip().lower()) for name in names if str(name).strip()))
        except ValueError:
            allowed = ", ".join(rung.value for rung in ALL_RUNGS)
            raise LadderConfigError(f"steps = {raw!r} is not allowed; use names from: {allowed}") from None
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in {"true", "false", "on", "off", "yes", "no"}:
            return raw.lower() in {"true", "on", "yes"}
        raise LadderConfigError(f"{key} = {raw!r} is not allowed; use true or false")
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise LadderConfigError(f"{key} = {raw!r} is not allowed; use a whole number")
        try:
            return int(raw)
        except ValueError:
            raise LadderConfigError(f"{key} = {raw!r} is not allowed; use a whole number") from None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise LadderConfigError(f"{key} = {raw!r} is not allowed; use a number")
    try:
        return float(raw)
    except ValueError:
        raise LadderConfigError(f"{key} = {raw!r} is not allowed; use a number") from None


def validate(config: LadderConfig) -> list[str]:
    """Every problem with a configuration, each naming the key and what is allowed."""
    problems: list[str] = []

    def within(key: str, low: float, high: float) -> None:
        value = getattr(config, key)
        if not low <= value <= high:
            problems.append(f"{key} = {value} is not allowed; use a value from {low:g} to {high:g}")

    within("slowmode_seconds", 1, SLOWMODE_MAX_SECONDS)
    within("slowmode_minutes", 0.05, 1_440)
    within("cooldown_minutes", 0.05, TIMEOUT_MAX_MINUTES)
    within("uncivil_score", 0.01, 1.0)
    within("follow_up_score", 0.01, 1.0)
    within("cooldown_strikes", 1, 20)
    within("exit_ratio", 0.1, 1.0)
    within("member_heat_for_cooldown", 0.0, 100.0)
    within("notice_repeat_minutes", 0, 1_440)
    within("alert_repeat_minutes", 0, 1_440)
    within("grace_minutes", 0.05, 120)
    within("flag_window_minutes", 1, 120)
    within("notice_min_flags", 1, 20)
    within("slow_burn_flags", 2, 20)
    within("slow_burn_minutes", 10, 240)
    within("escalate_min_members", 2, 20)
    within("escalate_member_flags", 1, 20)
    within("pileon_members", 2, 20)
    within("escalate_min_flags", 2, 50)
    for key in ("notice_at", "slowmode_at", "thread_at", "alert_at"):
        within(key, 0.01, 100.0)
    levels = config.thresholds
    if any(b <= a for a, b in itertools.pairwise(levels)):
        problems.append(
            "thresholds must increase: notice_at < slowmode_at < thread_at < alert_at "
            f"(got {', '.join(f'{t:g}' for t in levels)})"
        )
    return problems


def clamp_slowmode(seconds: int) -> int:
    """Slowmode within Discord's 0-21600 s."""
    return max(0, min(int(seconds), SLOWMODE_MAX_SECONDS))


def clamp_timeout(duration: timedelta) -> timedelta:
    """A timeout length within Discord's limit (at most 28 days, at least one second)."""
    return max(timedelta(seconds=1), min(duration, TIMEOUT_MAX))
