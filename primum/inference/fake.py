"""A deterministic keyword scorer for fast tests and demos without model weights.

It is not a model: it recognises a handful of phrases so tests can drive every branch of the
policy. The real model lives in ``primum.inference.transformer``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from primum.inference.lists import lift, list_floor
from primum.inference.protocol import (
    CATEGORIES,
    KindnessScore,
    ScorerState,
    ScorerStatus,
    ScorerUnavailable,
    Thresholds,
)
from primum.inference.textnorm import normalize

#: phrase -> (category, score). Scores chosen so a test can aim between thresholds.
FAKE_LEXICON: dict[str, tuple[str, float]] = {
    "idiot": ("insult", 0.82),
    "moron": ("insult", 0.86),
    "clown": ("insult", 0.75),
    "skip pharmacology": ("belittling", 0.80),
    "did they even teach you": ("belittling", 0.78),
    "sweetie": ("belittling", 0.72),
    "you people": ("identity_attack", 0.88),
    "go back to": ("identity_attack", 0.93),
    "i will end your career": ("threat", 0.97),
    "watch your back": ("threat", 0.95),
    "careful what you post": ("threat", 0.85),  # ranked a threat, but not surely one
    "damn": ("profanity", 0.60),
    "shit": ("profanity", 0.65),
}


class FakeScorer(ScorerStatus):
    """Scores by keyword lookup; optionally starts degraded or slow to exercise failure paths."""

    def __init__(
        self,
        *,
        nudge: float = 0.7,
        hide: float | None = 0.9,
        fail_to_load: bool = False,
        delay_s: float = 0.0,
    ) -> None:
        self._thresholds = Thresholds(nudge=nudge, hide=hide)
        self._fail_to_load = fail_to_load
        self._delay_s = delay_s
        self._state = ScorerState.LOADING
        self.calls = 0

    @property
    def version(self) -> str:
        """Identify the fake so nobody mistakes it for the model."""
        return "fake-keywords-1"

    async def start(self) -> None:
        """Become READY, or DEGRADED when asked to simulate a failed load."""
        self._state = ScorerState.DEGRADED if self._fail_to_load else ScorerState.READY

    async def score(self, texts: Sequence[str]) -> list[KindnessScore]:
        """Score each text by the strongest phrase it contains."""
        if self._state is not ScorerState.READY:
            raise ScorerUnavailable(f"scorer is {self._state}")
        self.calls += 1
        if self._delay_s:
            await asyncio.sleep(self._delay_s)
        return [self._score_one(text) for text in texts]

    def _score_one(self, text: str) -> KindnessScore:
        lowered = text.lower()
        categories = dict.fromkeys(CATEGORIES, 0.01)
        for phrase, (category, value) in FAKE_LEXICON.items():
            if phrase in lowered:
                categories[category] = max(categories[category], value)
        overall = max(value for name, value in categories.items() if name != "profanity")
        own = KindnessScore(score=overall, categories=categories, model_version=self.version)
        # the lists are not a model: the fake applies them as the real engine does
        up = lift(overall, categories, normalize(text), list_floor(self._thresholds.nudge, self._thresholds.hide))
        if up is None:
            return own
        return KindnessScore(score=up.score, categories=up.categories, model_version=self.version, model_only=own,
                             lifted_by=up.lifted_by)

    async def close(self) -> None:
        """Nothing to free."""
        self._state = ScorerState.LOADING
