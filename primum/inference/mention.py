"""Mention is not use: whether a message quotes, rejects or denies the words a list looks for.

Shared by the lists that lift a score beside the model (``coded_hate``, ``group_violence``,
``told_to_die``, ``slurs``): a
member who quotes a slogan to report it, names it for what it is or denies it is doing the
community a service, and must not be nudged for the words they quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

#: Words that show a message names the line to reject it, report it or discuss it.
_REJECTING = re.compile(
    r"\b(?:trope|tropes|canard|antisemit\w*|anti-semit\w*|conspiracy\s+theor\w*|conspiracist|dog\s*-?whistles?"
    r"|forger(?:y|ies)|forged|bigot\w*|hate\s+speech|hateful|racis\w*|slurs?|myth|debunk\w*|report(?:ed|ing)?|mods?|moderators?"
    r"|not\s+ok(?:ay)?|unacceptable|disgusting|vile|gross|libel|propaganda\s+of|nazis?\s+(?:said|claimed|used)"
    r"|incit\w*|call(?:s|ing)?\s+for\s+violence|violent\s+rhetoric|genocidal\s+rhetoric|(?:has|have)\s+no\s+place|horrif\w*|appalling|sickening)\b"
)
#: "not antisemitic", "isn't a conspiracy theory": the rejecting word is itself denied.
_DENIED = re.compile(r"(?:\bnot|n'?t|\bno|\bnothing)\s+(?:\w+\s+)?$")
#: Quoted spans; a single quote opens only after a non-letter, so "it's" opens nothing.
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{1,300})[\"“”«»]|(?<!\w)'([^'\n]{3,300}?)'(?!\w)")
#: A denial earlier in the same sentence ("nobody thinks …", "I don't believe …").
_NEGATION_BEFORE = re.compile(
    r"\b(?:don'?t|doesn'?t|didn'?t|do\s+not|does\s+not|never|no\s+one|nobody|not|isn'?t|aren'?t|no)\b[^.!?\n]*$"
)


def rejected(lower_text: str) -> bool:
    """Whether the (lower-cased) text names what it quotes for what it is: "vile", "report", "a trope"."""
    return any(not _DENIED.search(lower_text[max(0, m.start() - 16):m.start()])
               for m in _REJECTING.finditer(lower_text))


def quoted_spans(lower_text: str) -> list[tuple[int, int]]:
    """The (start, end) of every quoted span."""
    return [m.span() for m in _QUOTED.finditer(lower_text)]


def inside_quotes(span: tuple[int, int], quoted: list[tuple[int, int]]) -> bool:
    """Whether ``span`` lies wholly inside one of the ``quoted`` spans."""
    return any(q0 <= span[0] and span[1] <= q1 for q0, q1 in quoted)


def negated_before(lower_text: str, start: int, reach: int = 48) -> bool:
    """Whether a denial stands earlier in the same sentence, at most ``reach`` characters before ``start``."""
    return _NEGATION_BEFORE.search(lower_text[max(0, start - reach):start]) is not None


#: Decides whether one match is mentioned rather than used: (pattern name, match, lower-cased text).
Dismiss = Callable[[str, re.Match[str], str], bool]


def first_used(lower_text: str, patterns: Sequence[tuple[str, re.Pattern[str]]], dismissed: Dismiss) -> str | None:
    """The name of the first pattern used in ``lower_text``: not rejected, not quoted, not ``dismissed``."""
    if not lower_text or rejected(lower_text):
        return None
    quoted = quoted_spans(lower_text)
    for name, pattern in patterns:
        for match in pattern.finditer(lower_text):
            if not inside_quotes(match.span(), quoted) and not dismissed(name, match, lower_text):
                return name
    return None
