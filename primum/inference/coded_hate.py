"""Documented antisemitic codes and conspiracy tropes the model under-scores, read as identity attacks.

Why a list beside a model: the encoder learned hate from the words hate usually uses. The codes
below carry none of those words ("(((they)))", "the goyim know", "zionists control congress", the
dual-loyalty canard), so it scores them as neutral talk about a group, yet each is a well-documented
antisemitic code (the ADL's Hate on Display database; the IHRA working definition's examples). A
community that exists partly to escape antisemitism cannot leave them to a model that cannot see
them. No library ships such a list, so it is written here, kept short and literal.

Mention is not use. A match counts only when the message is not rejecting or discussing it: no
trope words inside quotation marks, no negation before the claim ("jews don't control …") and no
word that names it for what it is ("trope", "antisemitic", "conspiracy theory", "reported" …).
Quoted Discord lines never reach here (the normaliser drops them).

A match is evidence for a private nudge, never for more: :func:`coded_hate_floor` lifts the score
to just above the nudge cut-off and below the hide cut-off, so hiding still needs the model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_GROUP = (
    r"(?:the\s+)?(?:jews?|jewry|jewish\s+(?:people|lobby|elites?|bankers?|cabal|money|interests|media)"
    r"|zionists?|zionist\s+(?:lobby|cabal|elites?|interests|media|bankers?)|kikes?|hebrews|rothschilds?"
    r"|israel\s+lobby)"
)
_CONTROL = (
    r"(?:controls?|controlled|controlling|runs?|running|owns?|owned|rules?|ruling|pulls?\s+the\s+strings"
    r"|(?:is|are|were)\s+behind|bought|buys|puppeteers?)"
)
_INSTITUTION = (
    r"(?:the\s+)?(?:media|news|press|banks?|banking|money|finance|financial\s+system|government|congress|senate"
    r"|washington|hollywood|politicians|world|everything|fed|federal\s+reserve|economy|academia"
    r"|universities|medicine|healthcare|(?:our|the)\s+(?:country|leaders|elections?)|america|the\s+us)"
)
_GAP = r"(?:\s+\S+){0,3}?\s+"

#: (name, pattern) on normalised, lower-cased text.
CODES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # around a name or words (letters only: "(((x+1)))" is arithmetic)
    ("echo", re.compile(r"(?<!\()\({3}\s*[a-z][a-z .'-]{0,39}?\s*\){3}(?!\))")),
    ("control", re.compile(rf"\b{_GROUP}{_GAP}{_CONTROL}{_GAP}{_INSTITUTION}\b")),
    ("control_passive", re.compile(
        rf"\b{_INSTITUTION}\s+(?:is|are|was|were)?\s*(?:controlled|owned|run|bought)\s+by{_GAP}?{_GROUP}\b")),
    ("dual_loyalty", re.compile(
        r"\bdual[\s-]+loyalt(?:y|ies)\b(?=.*\b(?:jew|jews|jewish|zionists?|israel)\b)"
        r"|\b(?:jew|jews|jewish|zionists?)\b(?=.*\bdual[\s-]+loyalt(?:y|ies)\b)", re.S)),
    ("meme", re.compile(
        r"\b(?:(?:the\s+)?goyim\s+know|shut\s+it\s+down,?\s+goyim|zog|zionist[\s-]+occupied\s+government"
        r"|happy\s+merchant|holohoax|six\s+gorillion|6\s+gorillion|the\s+jewish\s+question|the\s+jq"
        r"|jew(?:ed|ing)\s+(?:me|him|her|them|us|you)(?:\s+down)?|oy\s+vey,?\s+(?:the\s+)?goyim)\b")),
    ("denial", re.compile(
        r"\b(?:the\s+)?holocaust\s+(?:never\s+happened|didn'?t\s+happen|is\s+a\s+(?:lie|hoax|myth)"
        r"|was\s+a\s+(?:lie|hoax|myth)|is\s+(?:exaggerated|overblown)|numbers\s+are\s+(?:exaggerated|inflated|fake))\b")),
)

#: Words that show a message names the code to reject it, report it or discuss it.
_REJECTING = re.compile(
    r"\b(?:trope|tropes|canard|antisemit\w*|anti-semit\w*|conspiracy\s+theor\w*|conspiracist|dog\s*-?whistles?"
    r"|forger(?:y|ies)|forged|bigot\w*|hate\s+speech|hateful|racis\w*|myth|debunk\w*|report(?:ed|ing)?|mods?|moderators?"
    r"|not\s+ok(?:ay)?|unacceptable|disgusting|vile|gross|libel|propaganda\s+of|nazis?\s+(?:said|claimed|used))\b"
)
#: "not antisemitic", "isn't a conspiracy theory": the rejecting word is itself denied.
_DENIED = re.compile(r"(?:\bnot|n'?t|\bno|\bnothing)\s+(?:\w+\s+)?$")
_NEGATION = re.compile(r"\b(?:don'?t|doesn'?t|didn'?t|do\s+not|does\s+not|never|no\s+one|nobody|not)\b")
#: Quoted spans; a single quote opens only after a non-letter, so "it's" opens nothing.
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{1,300})[\"“”«»]|(?<!\w)'([^'\n]{3,300}?)'(?!\w)")


def coded_hate(clean_text: str) -> str | None:
    """The name of the first code used (not mentioned) in a normalised text, or None."""
    text = clean_text.lower()
    if not text or any(not _DENIED.search(text[max(0, m.start() - 16):m.start()]) for m in _REJECTING.finditer(text)):
        return None
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    for name, pattern in CODES:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(q0 <= start and end <= q1 for q0, q1 in quoted):
                continue
            if name.startswith("control") and _NEGATION.search(match.group(0)):
                continue
            return name
    return None


def coded_hate_floor(nudge: float, hide: float | None) -> float:
    """The score a match is lifted to: a third of the way from the nudge cut-off to the hide one."""
    top = hide if hide is not None and hide > nudge else min(1.0, nudge + 0.05)
    return nudge + (top - nudge) / 3


def lift(
    score: float, categories: Mapping[str, float], clean_text: str, floor: float | None
) -> tuple[float, dict[str, float]] | None:
    """The (score, categories) a message that uses a documented code is lifted to: ``floor``, as an
    identity attack. None when nothing is lifted (no code, the model already scored it that high,
    or ``floor`` None: off)."""
    if floor is None or score >= floor or coded_hate(clean_text) is None:
        return None
    return floor, {**categories, "identity_attack": max(categories.get("identity_attack", 0.0), floor)}


def lifted(score: float, clean_text: str, floor: float | None) -> float:
    """``score``, lifted to ``floor`` when the normalised text uses a documented code (None: off)."""
    up = lift(score, {}, clean_text, floor)
    return score if up is None else up[0]
