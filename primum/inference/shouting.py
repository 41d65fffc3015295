"""Runs of exclamation marks, read as the full stop they stand in for."""

from __future__ import annotations

import re

#: Two or more exclamation marks, with the "1"s of a fast typist ("!!!1!").
_SHOUTED_END = re.compile(r"!{2,}[!1]*(?![A-Za-z])")  # not inside a word: "st!!p!d" is leetspeak


def read_shouted_ends(text: str) -> str:
    """``text`` with each run of exclamation marks read as a full stop.

    Why: our kind training rows end in "!" twice as often as the unkind ones, and the encoder
    learned it: "Nobody likes you!!!" scored 0.33 where "Nobody likes you." scores 0.96. A run adds
    emphasis, not meaning. A single "!" is left alone: read as a full stop it flagged more real kind
    comments than it caught unkind ones, whereas reading runs changed no flag on the real calib rows
    or in any replay conversation.

    >>> read_shouted_ends("go kill yourself!!! congrats!!1")
    'go kill yourself. congrats.'
    """
    return _SHOUTED_END.sub(".", text)
