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

A match is evidence for a private nudge, never for more: ``primum.inference.lists`` lifts the score
to just above the nudge cut-off and below the hide cut-off, so hiding still needs the model.
"""

from __future__ import annotations

import re

from primum.inference.mention import first_used

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

_NEGATION = re.compile(r"\b(?:don'?t|doesn'?t|didn'?t|do\s+not|does\s+not|never|no\s+one|nobody|not)\b")


def coded_hate(clean_text: str) -> str | None:
    """The name of the first code used (not mentioned) in a normalised text, or None."""
    return first_used(clean_text.lower(), CODES, _dismissed)


def _dismissed(name: str, match: re.Match[str], text: str) -> bool:
    """A control trope denied inside the match ("Jews don't control the media")."""
    return name.startswith("control") and _NEGATION.search(match.group(0)) is not None
