"""How heated a channel (and each member in it) is right now: pure arithmetic over scored messages.

Volume alone is a poor sign of hostility between physicians: a slow exchange can be cruel and a
busy channel can be friendly. Heat therefore has two kinds of parts:

* **hostility** accumulates be-kind scores (weighted by category) and decays with a half-life;
  incivility inside a two-person exchange (two members replying to or mentioning each other in
  quick alternation) counts up to ``1 + alternation_amplifier`` times;
* **bounded terms** describe the conversation as it is now: the alternation streak, the message
  rate and the number of distinct participants. Together they stay below ``civil_ceiling``, so a
  fast, crowded, back-and-forth debate that is civil never reaches the first rung by itself.

It never looks at topics or words: only at scores and at who answers whom.

Every value decays exponentially with a half-life, so nothing needs a timer: a value is stored
with the moment it was last changed and read by decaying it to "now". Time is always passed in
(aware UTC), which keeps this module free of clocks, Discord and the database.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from primum.domain.scored import ScoredMessage

#: Relative weight of each be-kind category. Threats and identity attacks heat a room more than a
#: sharp word; profanity alone barely does (it is informational in be-kind too).
DEFAULT_CATEGORY_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"insult": 1.0, "belittling": 1.0, "identity_attack": 1.5, "threat": 2.0, "profanity": 0.2}
)

#: Below this a decayed value is treated as zero and forgotten.
NEGLIGIBLE = 0.01


@dataclass(frozen=True)
class HeatConfig:
    """Tuning of the heat model; defaults aim a two-person insult exchange at the ladder in 2-4 messages."""

    half_life_s: float = 300.0
    member_half_life_s: float = 600.0
    category_weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_CATEGORY_WEIGHTS)
    #: Category scores below this add nothing, so ordinary messages do not creep upwards.
    incivility_floor: float = 0.5
    incivility_gain: float = 1.0
    #: A flagged message just over its nudge cut-off counts this share of its strength.
    margin_floor: float = 0.7
    #: Two members answering each other within this window count as alternation.
    alternation_window_s: float = 180.0
    alternation_streak_cap: int = 4
    #: Incivility in a full-streak exchange counts (1 + this) times.
    alternation_amplifier: float = 0.5
    #: The bounded alternation term at a full streak.
    alternation_max: float = 0.8
    #: Rate: messages counted with a short half-life; the term grows linearly to ``rate_max`` at
    #: ``rate_saturation`` (about 20 messages in the last minute and a half).
    rate_half_life_s: float = 60.0
    rate_saturation: float = 20.0
    rate_max: float = 0.3
    #: Participants: distinct authors in the window other than the author, up to the cap.
    participants_window_s: float = 300.0
    participants_cap: int = 10
    participants_max: float = 0.2
    #: Samples kept per channel for the /heat chart.
    history_size: int = 512

    @property
    def civil_ceiling(self) -> float:
        """The most heat a conversation without incivility can have; keep the first threshold above it."""
        return self.alternation_max + self.rate_max + self.participants_max

    def __post_init__(self) -> None:
        if self.alternation_streak_cap < 1:
            raise ValueError("alternation_streak_cap must be at least 1")
        if self.half_life_s <= 0 or self.member_half_life_s <= 0:
            raise ValueError("half-lives must be positive")
        if min(self.alternation_window_s, self.participants_window_s, self.rate_half_life_s) <= 0:
            raise ValueError("windows must be positive")


def decay(value: float, elapsed_s: float, half_life_s: float) -> float:
    """``value`` after ``elapsed_s`` seconds of exponential decay (no growth for negative time)."""
    if elapsed_s <= 0:
        return value
    return value * math.pow(0.5, elapsed_s / half_life_s)


@dataclass
class Decaying:
    """A value that halves every ``half_life_s`` seconds; stored with the moment it was last set."""

    half_life_s: float
    value: float = 0.0
    at: datetime | None = None

    def read(self, now: datetime) -> float:
        """The value decayed to ``now``."""
        if self.at is None:
            return 0.0
        return decay(self.value, (now - self.at).total_seconds(), self.half_life_s)

    def add(self, amount: float, now: datetime) -> float:
        """Decay to ``now``, add ``amount`` and return the new value."""
        self.value = self.read(now) + amount
        self.at = now if self.at is None or now > self.at else self.at
        return self.value


@dataclass(frozen=True)
class HeatParts:
    """Why a channel is as hot as it is after one message (for logs, events and tests).

    ``incivility`` is what the message added to the decaying hostility (amplified inside an
    alternating exchange); ``alternation``, ``rate`` and ``participants`` are the current values of
    the bounded terms.
    """

    incivility: float = 0.0
    alternation: float = 0.0
    rate: float = 0.0
    participants: float = 0.0

    @property
    def total(self) -> float:
        """Sum of the parts."""
        return self.incivility + self.alternation + self.rate + self.participants


@dataclass(frozen=True)
class HeatReading:
    """The state after observing one message."""

    channel_heat: float
    member_heat: float
    parts: HeatParts
    #: Members of the channel from hottest to coolest (ids only), for thread suggestions and alerts.
    hottest: tuple[int, ...]
    #: The other member of an alternating exchange this message continued, if any.
    alternating_with: int | None = None


@dataclass
class _Pair:
    last_from: int
    last_at: datetime
    streak: int = 0


@dataclass
class ChannelHeat:
    """Everything the model remembers about one channel."""

    heat: Decaying  # hostility: (amplified) incivility, accumulated and decaying
    activity: Decaying  # message count with a short half-life
    members: dict[int, Decaying] = field(default_factory=dict)
    pairs: dict[tuple[int, int], _Pair] = field(default_factory=dict)
    last_seen: dict[int, datetime] = field(default_factory=dict)
    #: (moment, hostility, activity, alternation + participants terms) after each message, for the chart.
    history: deque[tuple[datetime, float, float, float]] = field(default_factory=deque)


def incivility(scored: ScoredMessage, config: HeatConfig) -> float:
    """The weighted strength of the worst category at or above the floor (0 when all are below).

    Without categories the overall score counts with weight 1. Only messages judged unkind add
    heat: one be-kind did not flag (below its channel's nudge cut-off) adds nothing, nor does
    counter-speech by a bystander ("both of you please stop", a report to the moderators), unless
    it is a ``follow_up`` (a near miss by a member already flagged), which counts like a message
    just over the cut-off. A flagged message counts by its margin over the cut-off: one just over
    it counts ``margin_floor`` of its strength, a certain one all of it; when no category reaches
    the floor, its overall score counts with weight 1. ``flagged`` None (a caller that does not
    know) falls back to the floor alone.
    """
    if scored.deescalating or (scored.flagged is False and not scored.follow_up):
        return 0.0
    categories = scored.categories or {"overall": scored.score}
    worst = 0.0
    for name, value in categories.items():
        if value >= config.incivility_floor:
            worst = max(worst, value * config.category_weights.get(name, 1.0))
    if scored.flagged is None:
        return worst * config.incivility_gain
    if worst == 0.0:  # judged unkind, though no single category says why: the overall score, weight 1
        worst = scored.score
    return worst * config.incivility_gain * margin_factor(scored.score, scored.threshold, config.margin_floor)


def margin_factor(score: float, threshold: float | None, floor: float) -> float:
    """``floor`` at the cut-off rising linearly to 1 at a score of 1 (1 when the cut-off is unknown)."""
    if threshold is None or threshold >= 1.0:
        return 1.0
    share = min(max((score - threshold) / (1.0 - threshold), 0.0), 1.0)
    return floor + (1.0 - floor) * share


def targets_of(scored: ScoredMessage) -> tuple[int, ...]:
    """Whom the message addresses: the replied-to author and the mentioned users, never the author."""
    found: list[int] = []
    for candidate in (scored.reply_to_author_id, *scored.mentioned_ids, scored.answering_id):
        if candidate is not None and candidate != scored.author_id and candidate not in found:
            found.append(candidate)
    return tuple(found)


class HeatTracker:
    """Heat per channel and per member, fed one scored message at a time."""

    def __init__(self, config: HeatConfig | None = None) -> None:
        self.config = config or HeatConfig()
        self._channels: dict[int, ChannelHeat] = {}

    def _channel(self, channel_id: int) -> ChannelHeat:
        state = self._channels.get(channel_id)
        if state is None:
            state = ChannelHeat(
                heat=Decaying(self.config.half_life_s),
                activity=Decaying(self.config.rate_half_life_s),
                history=deque(maxlen=self.config.history_size),
            )
            self._channels[channel_id] = state
        return state

    def observe(self, scored: ScoredMessage, now: datetime) -> HeatReading:
        """Add one message's heat to its channel and author and return the new reading."""
        cfg = self.config
        state = self._channel(scored.channel_id)
        author = scored.author_id

        streak, partner = self._alternation(state, scored, now)
        civ = incivility(scored, cfg) * (1 + cfg.alternation_amplifier * self._streak_share(streak))
        state.last_seen[author] = now
        activity = state.activity.add(1.0, now)
        parts = HeatParts(
            incivility=civ,
            alternation=self._alternation_term(state, now),
            rate=self._rate(activity),
            participants=self._participants(state, now),
        )
        hostility = state.heat.add(civ, now)
        channel_heat = hostility + parts.alternation + parts.rate + parts.participants
        state.history.append((now, hostility, activity, parts.alternation + parts.participants))
        member_heat = state.members.setdefault(author, Decaying(cfg.member_half_life_s)).add(civ, now)
        return HeatReading(
            channel_heat=channel_heat,
            member_heat=member_heat,
            parts=parts,
            hottest=self.hottest(scored.channel_id, now),
            alternating_with=partner,
        )

    def _rate(self, activity: float) -> float:
        cfg = self.config
        return cfg.rate_max * min(activity / cfg.rate_saturation, 1.0)

    def _participants(self, state: ChannelHeat, now: datetime) -> float:
        """The crowd term: distinct recent authors besides one, capped; forgets authors past the window."""
        cfg = self.config
        window = timedelta(seconds=cfg.participants_window_s)
        for member, seen in list(state.last_seen.items()):
            if now - seen > window:
                del state.last_seen[member]
        others = min(max(len(state.last_seen) - 1, 0), cfg.participants_cap)
        return cfg.participants_max * others / cfg.participants_cap

    def _streak_share(self, streak: int) -> float:
        return min(streak, self.config.alternation_streak_cap) / self.config.alternation_streak_cap

    def _alternation_term(self, state: ChannelHeat, now: datetime) -> float:
        """The bounded term: the longest live two-person streak in the channel."""
        window = timedelta(seconds=self.config.alternation_window_s)
        streaks = [pair.streak for pair in state.pairs.values() if now - pair.last_at <= window]
        return self.config.alternation_max * self._streak_share(max(streaks, default=0))

    def _alternation(self, state: ChannelHeat, scored: ScoredMessage, now: datetime) -> tuple[int, int | None]:
        """Track who answers whom; return the streak this message continued (0: none) and the partner."""
        window = timedelta(seconds=self.config.alternation_window_s)
        best, partner = 0, None
        author = scored.author_id
        for target in targets_of(scored):
            key = (min(author, target), max(author, target))
            pair = state.pairs.get(key)
            if pair is None or now - pair.last_at > window:
                # Answering someone who spoke moments ago is already the second turn of an exchange.
                seen = state.last_seen.get(target)
                answered = seen is not None and now - seen <= window
                state.pairs[key] = _Pair(last_from=author, last_at=now, streak=1 if answered else 0)
                if answered and best < 1:
                    best, partner = 1, target
                continue
            if pair.last_from == target:
                pair.streak += 1
                if pair.streak > best:
                    best, partner = pair.streak, target
            pair.last_from, pair.last_at = author, now
        for key, pair in list(state.pairs.items()):
            if now - pair.last_at > window:
                del state.pairs[key]
        return best, partner

    def channel_heat(self, channel_id: int, now: datetime) -> float:
        """The channel's heat decayed to ``now`` (0 for a channel never seen)."""
        state = self._channels.get(channel_id)
        if state is None:
            return 0.0
        return (state.heat.read(now) + self._alternation_term(state, now) + self._rate(state.activity.read(now))
                + self._participants(state, now))

    def member_heat(self, channel_id: int, member_id: int, now: datetime) -> float:
        """One member's heat in one channel, decayed to ``now``."""
        state = self._channels.get(channel_id)
        member = None if state is None else state.members.get(member_id)
        return 0.0 if member is None else member.read(now)

    def hottest(self, channel_id: int, now: datetime, limit: int = 5) -> tuple[int, ...]:
        """Member ids with noticeable heat, hottest first."""
        state = self._channels.get(channel_id)
        if state is None:
            return ()
        readings = [(m.read(now), member_id) for member_id, m in state.members.items()]
        readings = [r for r in readings if r[0] >= NEGLIGIBLE]
        readings.sort(key=lambda r: (-r[0], r[1]))
        return tuple(member_id for _, member_id in readings[:limit])

    def members(self, channel_id: int, now: datetime, limit: int = 5) -> list[tuple[int, float]]:
        """(member id, heat) pairs, hottest first."""
        return [(m, self.member_heat(channel_id, m, now)) for m in self.hottest(channel_id, now, limit)]

    def curve(self, channel_id: int, start: datetime, end: datetime, points: int = 60) -> list[tuple[datetime, float]]:
        """The channel's heat at ``points`` evenly spaced moments from ``start`` to ``end`` (the chart)."""
        if points < 2 or end <= start:
            raise ValueError("need at least two points and start < end")
        state = self._channels.get(channel_id)
        step = (end - start) / (points - 1)
        moments = [start + step * i for i in range(points)]
        if state is None:
            return [(moment, 0.0) for moment in moments]
        samples = list(state.history)
        window = timedelta(seconds=min(self.config.participants_window_s, self.config.alternation_window_s))
        curve: list[tuple[datetime, float]] = []
        index = -1
        for moment in moments:
            while index + 1 < len(samples) and samples[index + 1][0] <= moment:
                index += 1
            if index < 0:
                curve.append((moment, 0.0))
                continue
            at, hostility, activity, bounded = samples[index]
            elapsed = (moment - at).total_seconds()
            value = decay(hostility, elapsed, self.config.half_life_s)
            value += self._rate(decay(activity, elapsed, self.config.rate_half_life_s))
            value += bounded if moment - at <= window else 0.0
            curve.append((moment, value))
        return curve

    def forget_member(self, channel_id: int, member_id: int) -> int:
        """Drop what one channel remembers about a member (their heat, exchanges, last message time).

        The channel's own decaying hostility stays: it is one number about the channel, not the member.
        Returns how many entries went.
        """
        state = self._channels.get(channel_id)
        if state is None:
            return 0
        gone = int(state.members.pop(member_id, None) is not None)
        gone += int(state.last_seen.pop(member_id, None) is not None)
        for key in [key for key in state.pairs if member_id in key]:
            del state.pairs[key]
            gone += 1
        return gone

    def prune(self, now: datetime) -> int:
        """Forget channels and members whose heat has decayed away; return how many channels went."""
        gone = 0
        for channel_id, state in list(self._channels.items()):
            for member_id, member in list(state.members.items()):
                if member.read(now) < NEGLIGIBLE:
                    del state.members[member_id]
            horizon = timedelta(seconds=max(self.config.alternation_window_s, self.config.participants_window_s))
            recent = any(now - seen <= horizon for seen in state.last_seen.values())
            history_fresh = bool(state.history) and now - state.history[-1][0] <= timedelta(hours=1)
            if state.heat.read(now) < NEGLIGIBLE and not state.members and not recent and not history_fresh:
                del self._channels[channel_id]
                gone += 1
        return gone


def next_level(heat: float, current: int, thresholds: Sequence[float], exit_ratio: float) -> int:
    """The heat level after a reading, with hysteresis so a value near a threshold does not flap.

    Level ``k`` (1-based) is entered when ``heat >= thresholds[k-1]`` and left only when heat falls
    below ``thresholds[k-1] * exit_ratio``. Thresholds must be strictly increasing; ``exit_ratio``
    is in (0, 1].
    """
    if not 0 < exit_ratio <= 1:
        raise ValueError("exit_ratio must be in (0, 1]")
    if any(b <= a for a, b in itertools.pairwise(thresholds)):
        raise ValueError("thresholds must be strictly increasing")
    level = max(0, min(current, len(thresholds)))
    while level < len(thresholds) and heat >= thresholds[level]:
        level += 1
    while level > 0 and heat < thresholds[level - 1] * exit_ratio:
        level -= 1
    return level
