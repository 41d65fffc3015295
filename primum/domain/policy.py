"""The be-kind policy: which threshold applies, whether a message is nudged or hidden, and what came of a nudge.

Pure functions over plain values (no Discord, no database, no clock of its own): the service feeds
them the scorer's numbers, the guild's overrides and the author's recent nudges, and acts on the
returned :class:`Decision`. Keeping this here makes every rule a row in a parametrised test.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

#: Categories that can trigger a nudge or a hide (mirrors ``primum.inference.ACTIONABLE_CATEGORIES``;
#: repeated here so the domain layer does not import the inference package).
ACTIONABLE: tuple[str, ...] = ("insult", "belittling", "identity_attack", "threat")

#: Setting keys in ``guild_settings`` (scope '' guild, 'channel:<id>', 'category:<name>').
NUDGE_KEY = "kindness.nudge_threshold"
HIDE_KEY = "kindness.hide_threshold"
OFF = "off"


class Action(StrEnum):
    """What Primum does with a scored message."""

    NONE = "none"
    NUDGE = "nudge"
    HIDE = "hide"


class Reason(StrEnum):
    """Why the decision came out as it did (logged and counted, never shown with text)."""

    BELOW_THRESHOLD = "below_threshold"
    EXEMPT_CHANNEL = "exempt_channel"
    EXEMPT_ROLE = "exempt_role"
    RATE_LIMITED = "rate_limited"  # the author was nudged within the window: de-escalation's business
    ESCALATED = "escalated"  # inside the window, but a more serious kind than any nudge in it
    ALREADY_NUDGED = "already_nudged"  # an edit of a message that was nudged before
    OVER_NUDGE = "over_nudge"
    OVER_HIDE = "over_hide"


class Outcome(StrEnum):
    """What the author did after a nudge (the field studies' measure)."""

    REVISED = "revised"  # edited to something that scores below the nudge threshold
    WITHDRAWN = "withdrawn"  # deleted it
    KEPT = "kept"  # the window ran out with the message unchanged (or still unkind)


class ThresholdError(ValueError):
    """An owner typed a threshold Primum cannot use; the message says what is allowed."""


# --- thresholds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One override: a number, explicitly ``off`` (hide only), or unset (inherit)."""

    value: float | None = None
    off: bool = False

    @property
    def is_set(self) -> bool:
        """Whether this level says anything (a number or ``off``)."""
        return self.off or self.value is not None

    @classmethod
    def from_stored(cls, raw: object) -> Level:
        """Read a value stored in guild settings (a float or the string ``off``); junk counts as unset."""
        if raw == OFF:
            return cls(off=True)
        if isinstance(raw, int | float) and not isinstance(raw, bool) and 0.0 < float(raw) <= 1.0:
            return cls(value=float(raw))
        return cls()


@dataclass(frozen=True)
class ThresholdOverrides:
    """Every override a guild has, by level: guild-wide, per channel and per category."""

    guild_nudge: Level = Level()
    guild_hide: Level = Level()
    channel_nudge: Mapping[int, Level] = field(default_factory=dict)
    channel_hide: Mapping[int, Level] = field(default_factory=dict)
    category_nudge: Mapping[str, Level] = field(default_factory=dict)
    category_hide: Mapping[str, Level] = field(default_factory=dict)


@dataclass(frozen=True)
class CategoryThresholds:
    """The effective cut-offs for one category in one channel; ``None`` means that action is off."""

    nudge: float | None
    hide: float | None


def _first(levels: Iterable[Level]) -> Level:
    for level in levels:
        if level.is_set:
            return level
    return Level()


def resolve_thresholds(
    overrides: ThresholdOverrides,
    *,
    channel_ids: Sequence[int],
    default_nudge: float,
    default_hide: float | None,
) -> dict[str, CategoryThresholds]:
    """Resolve guild → channel → category, most specific wins, for every actionable category.

    ``channel_ids`` is the message's channel first, then its parents (thread parent, Discord
    category), so a thread inherits its channel's override. A category override (e.g. threats at
    0.5) beats a channel override, which beats the guild's, which beats the process default.
    """
    channel_nudge = _first(overrides.channel_nudge.get(cid, Level()) for cid in channel_ids)
    channel_hide = _first(overrides.channel_hide.get(cid, Level()) for cid in channel_ids)
    resolved: dict[str, CategoryThresholds] = {}
    for category in ACTIONABLE:
        nudge = _first(
            [overrides.category_nudge.get(category, Level()), channel_nudge, overrides.guild_nudge]
        )
        hide = _first([overrides.category_hide.get(category, Level()), channel_hide, overrides.guild_hide])
        resolved[category] = CategoryThresholds(
            nudge=None if nudge.off else (nudge.value if nudge.value is not None else default_nudge),
            hide=None if hide.off else (hide.value if hide.value is not None else default_hide),
        )
    return resolved


def parse_threshold(text: str, *, allow_off: bool) -> Level:
    """Parse what an owner typed: ``0.75``, ``75%``, ``off`` (hide only) or ``default`` (unset)."""
    cleaned = text.strip().lower()
    if cleaned in {"default", "inherit", "unset", ""}:
        return Level()
    if cleaned == OFF:
        if not allow_off:
            raise ThresholdError("the nudge threshold cannot be off; use a number from 0.05 to 1 or 'default'")
        return Level(off=True)
    try:
        value = float(cleaned[:-1]) / 100 if cleaned.endswith("%") else float(cleaned)
    except ValueError:
        raise ThresholdError(
            f"{text!r} is not a threshold; use a number from 0.05 to 1 (e.g. 0.8), "
            + ("'off', " if allow_off else "")
            + "or 'default'"
        ) from None
    if not math.isfinite(value) or not 0.05 <= value <= 1.0:
        raise ThresholdError(f"{text!r} is out of range; use a number from 0.05 to 1")
    return Level(value=round(value, 4))


# --- exemptions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exemptions:
    """Where and for whom Primum does not score at all (e.g. a #venting channel, a bot-tester role)."""

    channel_ids: frozenset[int] = frozenset()
    role_ids: frozenset[int] = frozenset()

    def exempt_reason(self, channel_ids: Sequence[int], role_ids: Iterable[int]) -> Reason | None:
        """Return why a message is exempt, or None when it must be scored."""
        if any(cid in self.channel_ids for cid in channel_ids):
            return Reason.EXEMPT_CHANNEL
        if any(rid in self.role_ids for rid in role_ids):
            return Reason.EXEMPT_ROLE
        return None


# --- the decision --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What to do with one message, and why; ``category``/``threshold`` describe the trigger."""

    action: Action
    reason: Reason
    category: str | None = None
    score: float = 0.0
    threshold: float | None = None
    recent_nudges: int = 0


#: How serious each category is; a message of a more serious kind than every nudge in the author's
#: window is nudged again (the window must not swallow an insult turning into a threat).
SEVERITY: Mapping[str, int] = {"insult": 1, "belittling": 1, "identity_attack": 2, "threat": 3}


def more_serious(category: str, earlier: Iterable[str]) -> bool:
    """Whether ``category`` is more serious than every category in ``earlier`` (False when none)."""
    ranks = [SEVERITY.get(name, 1) for name in earlier]
    return bool(ranks) and SEVERITY.get(category, 1) > max(ranks)


def nudge_trigger(
    score: float, categories: Mapping[str, float], thresholds: Mapping[str, CategoryThresholds]
) -> tuple[str, float, float] | None:
    """The category that reaches its nudge cut-off, as (category, score, cut-off), or None: is it flagged."""
    return _worst(effective_scores(score, categories), thresholds, "nudge")


def recent_count(nudge_times: Iterable[datetime], now: datetime, window: timedelta) -> int:
    """How many of the author's nudges fall in ``(now - window, now]``."""
    start = now - window
    return sum(1 for moment in nudge_times if start < moment <= now)


def effective_scores(score: float, categories: Mapping[str, float]) -> dict[str, float]:
    """What each category's cut-off is compared with: the overall score speaks for the top category.

    Why: the overall score is what the model card calibrates the thresholds on; the category
    scores are rougher and only say what kind of unkind it is. The most likely actionable category
    takes the overall score, the others keep their own (an owner's lower cut-off for one category
    still works). A scorer that reports no categories is judged on its overall score everywhere.
    """
    if not any(name in categories for name in ACTIONABLE):
        return dict.fromkeys(ACTIONABLE, score)
    effective = dict(categories)
    top = max(ACTIONABLE, key=lambda name: categories.get(name, 0.0))
    effective[top] = score
    return effective


def _worst(
    categories: Mapping[str, float], thresholds: Mapping[str, CategoryThresholds], which: str
) -> tuple[str, float, float] | None:
    """The triggered category with the largest margin over its cut-off, as (category, score, cut-off)."""
    best: tuple[str, float, float] | None = None
    for category in ACTIONABLE:
        cut = getattr(thresholds[category], which)
        value = categories.get(category, 0.0)
        if cut is None or value < cut:
            continue
        if best is None or value - cut > best[1] - best[2]:
            best = (category, value, cut)
    return best


def decide(
    score: float,
    categories: Mapping[str, float],
    thresholds: Mapping[str, CategoryThresholds],
    *,
    recent_nudges: Sequence[datetime],
    now: datetime,
    nudge_window: timedelta,
    already_nudged: bool = False,
    exempt: Reason | None = None,
    recent_categories: Sequence[str] = (),
    hide_basis: tuple[float, Mapping[str, float]] | None = None,
) -> Decision:
    """Decide none / nudge / hide for one message.

    ``hide_basis``: the model's own (score, categories) when a rule lifted ``score`` to a nudge
    (documented hate codes); hiding is judged on it, so a lift alone never hides a message.

    - Exempt messages are never acted on.
    - Hide beats nudge and ignores the nudge window (it is about the message, not the author).
    - A message is nudged at most once, even when edited; an author at most once per window
      (repeats are left to de-escalation, which sees every score), unless the message is of a
      more serious kind than every nudge in the window (``recent_categories``): an insult
      turning into a threat is nudged again.
    - The overall ``score`` decides, under the cut-off of the most likely category (see
      ``effective_scores``); profanity is never a category that triggers anything.
    """
    recent = recent_count(recent_nudges, now, nudge_window)
    if exempt is not None:
        return Decision(Action.NONE, exempt, score=score, recent_nudges=recent)
    effective = effective_scores(score, categories)
    hide = _worst(effective if hide_basis is None else effective_scores(*hide_basis), thresholds, "hide")
    if hide is not None:
        category, value, cut = hide
        return Decision(Action.HIDE, Reason.OVER_HIDE, category, value, cut, recent)
    nudge = _worst(effective, thresholds, "nudge")
    if nudge is None:
        return Decision(Action.NONE, Reason.BELOW_THRESHOLD, score=score, recent_nudges=recent)
    category, value, cut = nudge
    if already_nudged:
        return Decision(Action.NONE, Reason.ALREADY_NUDGED, category, value, cut, recent)
    if recent > 0:
        if more_serious(category, recent_categories):
            return Decision(Action.NUDGE, Reason.ESCALATED, category, value, cut, recent)
        return Decision(Action.NONE, Reason.RATE_LIMITED, category, value, cut, recent)
    return Decision(Action.NUDGE, Reason.OVER_NUDGE, category, value, cut, recent)


def still_over(categories: Mapping[str, float], score: float, thresholds: Mapping[str, CategoryThresholds]) -> bool:
    """Whether an edited message still reaches any nudge cut-off (so the edit is not a revision)."""
    return _worst(effective_scores(score, categories), thresholds, "nudge") is not None


# --- outcomes ------------------------------------------------------------------------------------


class AfterNudge(StrEnum):
    """Something that happened to a nudged message."""

    EDITED_BELOW = "edited_below"
    EDITED_STILL_OVER = "edited_still_over"
    DELETED = "deleted"
    WINDOW_EXPIRED = "window_expired"


def classify_outcome(happened: AfterNudge, *, at: datetime, deadline: datetime) -> Outcome | None:
    """Classify a nudge's outcome, or None while it is still open.

    Within the window an edit below the threshold is *revised* and a deletion *withdrawn*; an edit
    that is still unkind changes nothing. Once the window has run out the nudge is *kept*, and
    anything after the deadline no longer counts (the sweep may run late: ``at`` past the
    deadline still yields kept, never a late revision).
    """
    if happened is AfterNudge.WINDOW_EXPIRED:
        return Outcome.KEPT if at >= deadline else None
    if at > deadline:
        return Outcome.KEPT
    if happened is AfterNudge.EDITED_BELOW:
        return Outcome.REVISED
    if happened is AfterNudge.DELETED:
        return Outcome.WITHDRAWN
    return None
