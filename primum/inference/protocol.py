"""The small interface every be-kind scorer offers; the rest of Primum sees only this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

#: Categories every scorer reports, in this order. ``profanity`` is informational only:
#: profanity alone never nudges (policy ignores it for the overall decision).
CATEGORIES: tuple[str, ...] = ("insult", "belittling", "identity_attack", "threat", "profanity")

#: Categories that can trigger a nudge or a hide.
ACTIONABLE_CATEGORIES: tuple[str, ...] = ("insult", "belittling", "identity_attack", "threat")


class ScorerState(StrEnum):
    """Whether the scorer can be trusted right now."""

    LOADING = "loading"
    READY = "ready"
    DEGRADED = "degraded"  # the model failed to load or crashed; messages are not being scored


@dataclass(frozen=True)
class KindnessScore:
    """How unkind one message looks: ``score`` in [0, 1], higher is less kind."""

    score: float
    categories: dict[str, float] = field(default_factory=dict)
    model_version: str = "unknown"
    #: The model's own score, when a list lifted ``score`` to a nudge: hiding is judged on this,
    #: never on the lift (``primum.inference.lists``). None: nothing lifted.
    model_only: KindnessScore | None = None
    #: Which list lifted ``score``: "code" (documented hate codes) or "violence"; None: nothing lifted.
    lifted_by: str | None = None

    def top_category(self) -> str:
        """Return the actionable category with the highest score."""
        return max(ACTIONABLE_CATEGORIES, key=lambda name: self.categories.get(name, 0.0))


@dataclass(frozen=True)
class Thresholds:
    """Score cut-offs: at or above ``nudge`` a private nudge, at or above ``hide`` the message is hidden."""

    nudge: float
    hide: float | None = None  # None: hiding is off


class ScorerUnavailable(RuntimeError):
    """Raised by ``score`` when the scorer is degraded and cannot score."""


class Overloaded(RuntimeError):
    """Raised by ``score`` when the bounded queue is full (backpressure)."""


class ScorerStatus:
    """The health and thresholds a scorer implementation reports; it sets ``_state`` and ``_thresholds``."""

    _state: ScorerState
    _thresholds: Thresholds

    @property
    def state(self) -> ScorerState:
        """Current health: LOADING until ``start`` finishes, then READY or DEGRADED."""
        return self._state

    @property
    def thresholds(self) -> Thresholds:
        """The thresholds the scorer was built with (the shipped model's come from its card)."""
        return self._thresholds


class Scorer(Protocol):
    """Scores texts off the event loop; callers await results."""

    @property
    def version(self) -> str:
        """A short id of the model and its weights."""
        ...

    @property
    def state(self) -> ScorerState:
        """Current health."""
        ...

    @property
    def thresholds(self) -> Thresholds:
        """Default thresholds shipped with the model (its model card)."""
        ...

    async def start(self) -> None:
        """Load weights (in a worker thread); on failure enter DEGRADED instead of raising."""
        ...

    async def score(self, texts: Sequence[str]) -> list[KindnessScore]:
        """Score texts in order; raise ScorerUnavailable when degraded, Overloaded when full."""
        ...

    async def close(self) -> None:
        """Stop workers and free the model."""
        ...
