"""Be-kind scoring: one interface (``Scorer``), a fake for tests and the real transformer model."""

from primum.inference.protocol import (
    ACTIONABLE_CATEGORIES,
    CATEGORIES,
    KindnessScore,
    Overloaded,
    Scorer,
    ScorerState,
    ScorerUnavailable,
    Thresholds,
)

__all__ = [
    "ACTIONABLE_CATEGORIES",
    "CATEGORIES",
    "KindnessScore",
    "Overloaded",
    "Scorer",
    "ScorerState",
    "ScorerUnavailable",
    "Thresholds",
]
