"""The de-escalation ladder: small, reversible steps chosen from heat, never from topics or words.

Rungs, gentlest first:

1. ``notice``   a calm note in the channel ("Let's take a breath…");
2. ``slowmode`` a timed ``rate_limit_per_user`` that lifts itself;
3. ``thread``   a suggestion to continue the exchange in a thread;
4. ``alert``    an alert to the moderators with jump links.

The channel climbs at most one rung per message, so a sudden spike still starts with a notice.
``cooldown`` (a short Discord timeout) is per member: it is chosen for someone who keeps posting
unkind messages after a private nudge and its grace period, and comes with a moderator alert.
The guards in :mod:`primum.domain.incidents` decide how far heat may take a channel: nothing for
a single flagged message, a notice at most while only one member has been flagged, and never a
sanction for a civil member. An episode ends when the channel's heat level falls back to 0
(with hysteresis, see ``primum.domain.heat.next_level``); the next episode starts at the bottom
again. Each episode is one *incident*: it gets one moderator alert at most (its ``incident``
key lets the service drop a repeat).

Everything here is pure: the caller passes the heat reading, the time and what is already active.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from primum.domain.heat import HeatReading, next_level
from primum.domain.incidents import FlagWindow, Guards, cooldown_allowed, highest_channel_rung, is_flag
from primum.domain.scored import ScoredMessage

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
    #: Distinct flagged members and flagged messages before anything beyond the notice.
    escalate_min_members: int = 2
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
    "cooldown_strikes": "unkind messages after a nudge's grace period before a cooldown, 1-20",
    "member_heat_for_cooldown": "a member's own heat needed for a cooldown",
    "notice_repeat_minutes": "at most one notice per channel per this many minutes",
    "alert_repeat_minutes": "at most one heat alert per channel per this many minutes",
    "grace_minutes": "time to read and act on a nudge before more messages count toward a cooldown, 0.05-120",
    "flag_window_minutes": "window in which flagged messages count together, 1-120 minutes",
    "notice_min_flags": "flagged messages in the window before the calm notice, 1-20",
    "escalate_min_members": "distinct flagged members before anything beyond the notice, 2-20",
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
    within("cooldown_strikes", 1, 20)
    within("exit_ratio", 0.1, 1.0)
    within("member_heat_for_cooldown", 0.0, 100.0)
    within("notice_repeat_minutes", 0, 1_440)
    within("alert_repeat_minutes", 0, 1_440)
    within("grace_minutes", 0.05, 120)
    within("flag_window_minutes", 1, 120)
    within("notice_min_flags", 1, 20)
    within("escalate_min_members", 2, 20)
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


# --- steps ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """Post the calm notice in the channel."""

    heat: float
    level: int


@dataclass(frozen=True)
class Slowmode:
    """Turn on slowmode for ``duration``; it lifts itself."""

    seconds: int
    duration: timedelta


@dataclass(frozen=True)
class SuggestThread:
    """Suggest the members continue in a thread."""

    member_ids: tuple[int, ...]


@dataclass(frozen=True)
class Cooldown:
    """Time out one member for ``duration``."""

    member_id: int
    duration: timedelta
    strikes: int


@dataclass(frozen=True)
class ModAlert:
    """Tell the moderators, with the messages that led here; one per ``incident`` (episode)."""

    reason: str  # "heat" or "cooldown"
    message_ids: tuple[int, ...]
    member_ids: tuple[int, ...]
    heat: float
    incident: str = ""


Step = Notice | Slowmode | SuggestThread | Cooldown | ModAlert


@dataclass
class ChannelLadder:
    """Where one channel stands on the ladder (in memory; the timed actions themselves are in SQLite)."""

    level: int = 0
    rung: int = 0  # how many channel rungs this episode has climbed
    notice_posted_at: datetime | None = None  # in this episode
    last_notice: datetime | None = None  # any episode, for the repeat guard
    last_alert: datetime | None = None
    flags: FlagWindow = field(default_factory=FlagWindow)
    episode_started: datetime | None = None
    alerted: bool = False  # this episode's one alert was sent
    notice_seq: int | None = None  # the message at which this episode reached the notice rung

    def end_episode(self) -> None:
        """Back to calm: the next episode starts with a notice again."""
        self.rung = 0
        self.notice_posted_at = None
        self.episode_started = None
        self.alerted = False
        self.notice_seq = None

    @property
    def idle(self) -> bool:
        """Nothing worth remembering (safe to forget once the repeat guards have passed)."""
        return self.level == 0 and self.rung == 0 and not self.flags.flags

    def incident(self, channel_id: int, now: datetime) -> str:
        """The key of the current episode: one moderator alert per key."""
        if self.episode_started is None:
            self.episode_started = now
        return f"heat:{channel_id}:{int(self.episode_started.timestamp())}"


def _recent(last: datetime | None, now: datetime, minutes: int) -> bool:
    return last is not None and now - last < timedelta(minutes=minutes)


def decide(
    state: ChannelLadder,
    config: LadderConfig,
    scored: ScoredMessage,
    reading: HeatReading,
    now: datetime,
    *,
    slowmode_active: bool = False,
    author_cooling_down: bool = False,
) -> list[Step]:
    """Update ``state`` with one scored message and return the steps to take, gentlest first.

    Args:
        slowmode_active: Primum's slowmode is already running in this channel (not re-applied).
        author_cooling_down: the author already has a pending cooldown (not applied twice).
    """
    if not config.enabled:
        return []
    guards = config.guards
    flagged = is_flag(scored, config.uncivil_score)
    state.flags.prune(now, guards.window)
    seq = state.flags.observe(now, scored.author_id, scored.message_id, flagged)
    state.level = next_level(reading.channel_heat, state.level, config.thresholds, config.exit_ratio)
    if state.level == 0 and state.rung > 0:
        state.end_episode()

    steps: list[Step] = []
    allowed = min(state.level, highest_channel_rung(state.flags, guards, state.notice_seq))
    if state.rung < allowed:
        if state.rung == 0:
            state.episode_started = now
            state.notice_seq = seq
        state.rung += 1
        step = _channel_step(CHANNEL_RUNGS[state.rung - 1], state, config, scored, reading, now, slowmode_active)
        if step is not None:
            steps.append(step)

    if (
        config.allows(Rung.COOLDOWN)
        and not author_cooling_down
        and reading.member_heat >= config.member_heat_for_cooldown
        and cooldown_allowed(state.flags, scored, guards, flagged_now=flagged)
    ):
        strikes = len(state.flags.since(scored.author_id, scored.nudge_seen_at + guards.grace)) \
            if scored.nudge_seen_at is not None else 0
        steps.append(Cooldown(scored.author_id, timedelta(minutes=config.cooldown_minutes), strikes))
        if config.allows(Rung.ALERT):
            evidence = state.flags.message_ids(scored.author_id)
            heat_alert = next((step for step in steps if isinstance(step, ModAlert)), None)
            if heat_alert is not None:  # one alert for the incident: the cooldown's replaces the heat one
                steps.remove(heat_alert)
                steps.append(ModAlert("cooldown", evidence, (scored.author_id,), reading.channel_heat,
                                      heat_alert.incident))
            else:
                alert = _alert(state, scored.channel_id, now, "cooldown", evidence, (scored.author_id,),
                               reading.channel_heat)
                if alert is not None:
                    steps.append(alert)
    return steps


def _alert(
    state: ChannelLadder, channel_id: int, now: datetime, reason: str, message_ids: tuple[int, ...],
    member_ids: tuple[int, ...], heat: float,
) -> ModAlert | None:
    """This episode's one alert (None once it was sent)."""
    if state.alerted:
        return None
    state.alerted = True
    state.last_alert = now
    return ModAlert(reason, message_ids, member_ids, heat, state.incident(channel_id, now))


def _channel_step(
    rung: Rung, state: ChannelLadder, config: LadderConfig, scored: ScoredMessage, reading: HeatReading,
    now: datetime, slowmode_active: bool,
) -> Step | None:
    if not config.allows(rung):
        return None
    if rung is Rung.NOTICE:
        if _recent(state.last_notice, now, config.notice_repeat_minutes):
            state.notice_posted_at = state.notice_posted_at or state.last_notice
            return None
        state.notice_posted_at = state.last_notice = now
        return Notice(heat=reading.channel_heat, level=state.level)
    if rung is Rung.SLOWMODE:
        if slowmode_active:
            return None
        return Slowmode(config.slowmode_seconds, timedelta(minutes=config.slowmode_minutes))
    if rung is Rung.THREAD:
        return SuggestThread(reading.hottest[:2])
    if _recent(state.last_alert, now, config.alert_repeat_minutes):
        return None
    return _alert(state, scored.channel_id, now, "heat", state.flags.message_ids(), reading.hottest[:3],
                  reading.channel_heat)


def clamp_slowmode(seconds: int) -> int:
    """Slowmode within Discord's 0-21600 s."""
    return max(0, min(int(seconds), SLOWMODE_MAX_SECONDS))


def clamp_timeout(duration: timedelta) -> timedelta:
    """A timeout length within Discord's limit (at most 28 days, at least one second)."""
    return max(timedelta(seconds=1), min(duration, TIMEOUT_MAX))
