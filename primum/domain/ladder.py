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
a single flagged message, a notice at most until two members have each kept it up (or several
pile on one member), and never a sanction for a civil member. A slow burn, too far apart for
heat (one member flagged ``slow_burn_flags`` times within ``slow_burn_minutes``, near misses after
a flag included, or one time fewer but at least twice when every one was over the cut-off), gets
the channel the notice without heat, and nothing more. An episode ends when the channel's
heat level falls back to 0 (with hysteresis, see ``primum.domain.heat.next_level``); the next
episode starts at the bottom again. Each episode is one *incident*: it gets one moderator alert
at most (its ``incident`` key lets the service drop a repeat).

Everything here is pure: the caller passes the heat reading, the time and what is already active.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from primum.domain.heat import HeatReading, next_level, targets_of
from primum.domain.incidents import (
    FlagWindow,
    combatants,
    cooldown_allowed,
    highest_channel_rung,
    is_flag,
    near_miss,
)
from primum.domain.ladder_config import CHANNEL_RUNGS, LadderConfig, Rung
from primum.domain.scored import ScoredMessage

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
    """Suggest the two sides of a fight continue in a thread; in a pile-on, ask for room instead.

    ``pileon``: several members addressed one; the channel is asked to give that colleague room,
    naming no one (a thread would only move the crowd somewhere quieter).
    """

    member_ids: tuple[int, ...]
    pileon: bool = False


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
    #: Per member, when they were flagged (True) or followed up with a near miss (False) in this channel
    #: within ``slow_burn_minutes``: the flag window is ten minutes, but a slow burn spaces its
    #: belittling further apart.
    member_flags: dict[int, list[tuple[datetime, bool]]] = field(default_factory=dict)
    #: Per member, when their slow burn last got the channel a notice (one per slow-burn window).
    slow_burn_noticed: dict[int, datetime] = field(default_factory=dict)

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
        return self.level == 0 and self.rung == 0 and not self.flags.flags and not self.member_flags

    def forget_member(self, member_id: int) -> int:
        """Drop everything remembered about a member in this channel; return how many items went."""
        gone = self.flags.forget_member(member_id) + len(self.member_flags.pop(member_id, []))
        self.slow_burn_noticed.pop(member_id, None)
        return gone

    def incident(self, channel_id: int, now: datetime) -> str:
        """The key of the current episode: one moderator alert per key."""
        if self.episode_started is None:
            self.episode_started = now
        return f"heat:{channel_id}:{int(self.episode_started.timestamp())}"


def _recent(last: datetime | None, now: datetime, minutes: int) -> bool:
    return last is not None and now - last < timedelta(minutes=minutes)


def addressed(state: ChannelLadder, config: LadderConfig, scored: ScoredMessage, now: datetime) -> ScoredMessage:
    """``scored`` with ``answering_id`` set when it is a flagged message that addresses no one but
    answers the flagged message right before it, so heat's exchange and the fight guards read
    the same exchange. Call before heat observes the message."""
    if targets_of(scored):
        return scored
    state.flags.prune(now, config.guards.window)
    answered = state.flags.answering(now, scored.author_id, is_flag(scored, config.uncivil_score))
    return scored if answered is None else replace(scored, answering_id=answered)


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
    seq = state.flags.observe(now, scored.author_id, scored.message_id, flagged, targets_of(scored),
                              reply_to=scored.reply_to_message_id, follow_up=scored.follow_up)
    state.level = next_level(reading.channel_heat, state.level, config.thresholds, config.exit_ratio)
    if state.level == 0 and state.rung > 0:
        state.end_episode()

    steps: list[Step] = []
    allowed = min(state.level, highest_channel_rung(state.flags, guards, state.notice_seq))
    burning = slow_burn(state, config, scored, now, flagged)
    if state.rung == 0 and allowed == 0 and burning:
        allowed = 1  # the calm notice only: a slow burn is one member, never a fight or a pile-on
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
            evidence = state.flags.message_ids({scored.author_id})
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


def slow_burn(state: ChannelLadder, config: LadderConfig, scored: ScoredMessage, now: datetime,
              flagged: bool) -> bool:
    """Remember the author's flag and say whether they have now been flagged ``slow_burn_flags``
    times within ``slow_burn_minutes`` in this channel, with no slow-burn notice for them in that
    time: belittling spaced too far apart for heat or the ten-minute window.

    A near miss (at or over ``follow_up_score``, or a follow-up) counts too once the member has a
    flag within ``slow_burn_minutes``: the same follow-up the ten-minute window counts, over the
    longer memory. Near misses alone never count, however many. Flags over the cut-off are
    stronger evidence than near misses, so one fewer (never under two) is enough when all of them
    are flags: by default the second belittling remark in an hour is already a pattern."""
    window = timedelta(minutes=config.slow_burn_minutes)
    for member, times in list(state.member_flags.items()):
        kept = [(moment, was_flag) for moment, was_flag in times if now - moment <= window]
        if kept:
            state.member_flags[member] = kept
        else:
            del state.member_flags[member]
    for member, noticed_at in list(state.slow_burn_noticed.items()):
        if now - noticed_at > window:  # the repeat guard has passed: nothing left to remember
            del state.slow_burn_noticed[member]
    earlier = state.member_flags.get(scored.author_id, [])
    kept_up = (scored.follow_up or near_miss(scored, config.follow_up_score)) and any(
        was_flag for _, was_flag in earlier
    )
    if not (flagged or kept_up):
        return False
    times = state.member_flags.setdefault(scored.author_id, [])
    times.append((now, flagged))
    noticed = state.slow_burn_noticed.get(scored.author_id)
    own_flags = sum(1 for _, was_flag in times if was_flag)
    enough = len(times) >= config.slow_burn_flags or own_flags >= max(2, config.slow_burn_flags - 1)
    if not enough or (noticed is not None and now - noticed <= window):
        return False
    state.slow_burn_noticed[scored.author_id] = now
    return True


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
    # Name and cite only the members of the fight or pile-on: a colleague who was flagged once for
    # stepping in is not "one of those two" in public, nor in the moderators' alert.
    sides = combatants(state.flags, config.guards)
    named = tuple(member for member in reading.hottest if member in sides) or tuple(sorted(sides))
    if rung is Rung.THREAD:
        rank = {member: i for i, member in enumerate(named)}
        pairs = sorted(state.flags.fighting_pairs(config.guards.escalate_member_flags),
                       key=lambda pair: sorted(rank.get(m, len(rank)) for m in pair))
        if pairs:
            return SuggestThread(tuple(sorted(pairs[0], key=lambda m: rank.get(m, len(rank)))))
        return SuggestThread(named[:3], pileon=True)
    if _recent(state.last_alert, now, config.alert_repeat_minutes):
        return None
    return _alert(state, scored.channel_id, now, "heat", state.flags.message_ids(sides), named[:3],
                  reading.channel_heat)
