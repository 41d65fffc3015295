"""Read self-censored words as the words they stand for ("f*ck", "st*pid", "bullsh*t", "k*ll").

Why: people mask exactly the words a filter looks for, so a mask is evidence of the word, not of its
absence. Worse, Discord reads "sh*t up you st*pid" as italics between the two stars, so without this
step the markup pass deletes them and the model sees "sht up you stpid".

A star is a mask when letters stand on its left inside one word; stars that open and close emphasis
("*really*", "**f*ck**") are not. A masked word is read, in order:

1. as one of the words people commonly mask (``MASKED_STEMS``), alone or inside a longer word
   ("bullsh*t", "f*cking"), first listed first, when the stars fall inside it and at least one of
   its letters is shown ("****" alone says nothing), or half of them when it starts inside the
   word (so "bull****" is not read as "bul" + "loser"), and only a usual ending follows it
   ("f***ing", not "tw**ter");
2. else, when a star sits between letters, as the only word of the tokenizer's vocabulary that fits
   ("dis*bility", "chr*stian");
3. else as typed.

No library reads masks back (profanity filters only add them), so this is a short list and a match.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

#: Words people mask, most often masked first: the order settles "s**t" (shit) and "d*mn" (damn).
#: Identity words are here because masking them ("j*ws", "m*slims") is a known way past a filter.
MASKED_STEMS: tuple[str, ...] = (
    "fuck",
    "shit",
    "bitch",
    "cunt",
    "dick",
    "damn",
    "ass",
    "hell",
    "crap",
    "piss",
    "cock",
    "pussy",
    "bastard",
    "whore",
    "slut",
    "twat",
    "wank",
    "idiot",
    "stupid",
    "moron",
    "dumb",
    "retard",
    "loser",
    "kill",
    "die",
    "rape",
    "hate",
    "nigger",
    "nigga",
    "faggot",
    "fag",
    "kike",
    "tranny",
    "dyke",
    "jew",
    "muslim",
    "islam",
)

#: What may follow a listed word inside a masked one ("f***ing", "sh*tholes"); anything else
#: means the word is another ("tw**ter" is not "twat" + "ter").
_ENDINGS = frozenset(
    {"s", "es", "ed", "er", "ers", "ery", "ing", "in", "y", "ty", "hole", "holes", "head", "tard", "face"}
)
_LEAD = "*_~|\"'([{"
_TRAIL = ".,;:!?\"')]}_~|"
_MASKED_CORE = re.compile(r"[A-Za-z]+(?:\*+[A-Za-z]*)+")
_TOKEN = re.compile(r"\S+")
_LETTER_STAR = re.compile(r"[A-Za-z]\*")
#: Distinct masked words looked up in the vocabulary per message: bounds the work a message made of
#: thousands of masks can cause on the scoring thread.
_MAX_VOCAB_LOOKUPS = 16


def _fits(core: str, word: str) -> bool:
    return len(core) == len(word) and all(c == "*" or c == w for c, w in zip(core, word, strict=True))


def _stem_reading(core: str) -> str | None:
    first = core.index("*")
    last = core.rindex("*")
    for stem in MASKED_STEMS:
        for start in range(max(0, last - len(stem) + 1), min(first, len(core) - len(stem)) + 1):
            segment = core[start : start + len(stem)]
            shown = len(stem) - segment.count("*")
            ending = core[start + len(stem) :]
            if (
                shown
                and (start == 0 or 2 * shown >= len(stem))
                and (not ending or ending in _ENDINGS)
                and _fits(segment, stem)
            ):
                return core[:start] + stem + ending
    return None


@lru_cache(maxsize=4)
def _by_length(known: frozenset[str]) -> dict[int, tuple[str, ...]]:
    index: dict[int, list[str]] = {}
    for word in known:
        index.setdefault(len(word), []).append(word)
    return {n: tuple(words) for n, words in index.items()}


def _vocab_reading(core: str, known: Collection[str]) -> str | None:
    if core.endswith("*"):
        return None  # "word*": a footnote as often as a mask; only the stem list reads it
    pool = _by_length(known if isinstance(known, frozenset) else frozenset(known)).get(len(core), ())
    fits = [word for word in pool if _fits(core, word)]
    return fits[0] if len(fits) == 1 else None


def read_masked(text: str, known: Collection[str] | None = None) -> str:
    """``text`` with each masked word replaced by its reading (see the module docstring)."""
    if "*" not in text:
        return text
    looked_up: dict[str, str | None] = {}

    def token(match: re.Match[str]) -> str:
        whole = match.group(0)
        if not _LETTER_STAR.search(whole):
            return whole
        body = whole.lstrip(_LEAD)
        lead = whole[: len(whole) - len(body)]
        core = body.rstrip(_TRAIL)
        emphasis = lead.count("*")
        if emphasis:
            if not core.endswith("*" * emphasis):
                return whole
            core = core[:-emphasis]
        tail = body[len(core) :]
        if not _MASKED_CORE.fullmatch(core):
            return whole
        lower = core.lower()
        reading = _stem_reading(lower)
        if reading is None and known is not None:
            if lower not in looked_up and len(looked_up) < _MAX_VOCAB_LOOKUPS:
                looked_up[lower] = _vocab_reading(lower, known)
            reading = looked_up.get(lower)
        if reading is None:
            return whole
        if core.isupper():
            reading = reading.upper()
        return lead + reading + tail

    return _TOKEN.sub(token, text)
