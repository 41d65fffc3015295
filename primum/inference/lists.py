"""The literal lists beside the model, and how a match lifts a score.

``group_violence`` (calls for, threats of and wishes for violence against a group),
``told_to_die`` (telling a person to kill themselves, wishing them dead), ``coded_hate``
(documented antisemitic codes) and ``slurs`` (slurs for people, in any frame) each catch what the
encoder under-scores. A match is
evidence for a private nudge, never for more: the score is lifted to ``list_floor``, just over the
nudge cut-off and under the hide one, and the model's own score rides along so that hiding is still
judged on the model alone. ``lifted_by`` says which list lifted, because an owner may turn the
codes list off (a server that studies antisemitism quotes codes all day) but not the violence ones
(group violence and told to die both lift as ``VIOLENCE``: a likely threat, which alerts moderators);
slurs lift as ``SLUR``, an identity attack, and stay on too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from primum.inference.coded_hate import coded_hate
from primum.inference.group_violence import group_violence
from primum.inference.slurs import slur
from primum.inference.told_to_die import told_to_die

CODE = "code"
VIOLENCE = "violence"
SLUR = "slur"


@dataclass(frozen=True)
class Lift:
    """A lifted (score, categories) and the list that lifted it."""

    score: float
    categories: dict[str, float]
    lifted_by: str


def list_floor(nudge: float, hide: float | None) -> float:
    """The score a match is lifted to: a third of the way from the nudge cut-off to the hide one."""
    top = hide if hide is not None and hide > nudge else min(1.0, nudge + 0.05)
    return nudge + (top - nudge) / 3


def lift(score: float, categories: Mapping[str, float], clean_text: str, floor: float | None) -> Lift | None:
    """What a normalised text that matches a list is lifted to: ``floor``, as a threat (violence) or
    an identity attack (code, slur). None when nothing is lifted (no match, the model already scored it
    that high, or ``floor`` None: off)."""
    if floor is None or score >= floor:
        return None

    def lifted_as(category: str, lifted_by: str) -> Lift:
        return Lift(floor, {**categories, category: max(categories.get(category, 0.0), floor)}, lifted_by)

    if group_violence(clean_text) is not None or told_to_die(clean_text) is not None:
        return lifted_as("threat", VIOLENCE)
    if coded_hate(clean_text) is not None:
        return lifted_as("identity_attack", CODE)
    if slur(clean_text) is not None:
        return lifted_as("identity_attack", SLUR)
    return None


def lifted(score: float, clean_text: str, floor: float | None) -> float:
    """``score``, lifted to ``floor`` when the normalised text matches a list (None: off)."""
    up = lift(score, {}, clean_text, floor)
    return score if up is None else up.score
