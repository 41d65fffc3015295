"""Counter-speech: a member asking others to stop, calling for calm, or reporting to the moderators.

Such a message often *sounds* sharp to a model ("this is way over the line. reporting to the
mods"), yet it cools a conversation down. De-escalation therefore never counts it as heat when
its author is a bystander (not one of the members flagged in the channel's recent window).

The structural signal comes first: a message that mentions a moderator role or a moderator is a
call to someone else to step in. (Addressing two members at once is not used: a pile-on does
that too.) The phrase list is deliberately small, documented and only ever *lowers* what Primum
does (a match never nudges, hides or sanctions anyone), and it only applies to short messages,
so a long tirade that happens to contain "please stop" is not excused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longer messages are never treated as counter-speech by phrase alone.
MAX_WORDS = 30

#: Each pattern, and why it is here (keep this list small; every entry is a false-heat fix).
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\b(please|pls|plz)\s+(stop|don'?t|calm|chill|be (nice|kind|civil)|keep it civil)", "asks to stop"),
    (r"\bboth of you\b|\byou two\b|\beveryone\b.*\b(stop|calm|breathe|civil)", "addresses both sides"),
    (r"\b(stop|enough)\b[\s,.!…]*\b(both|everyone|guys|folks|y'?all|people|already|now)\b", "asks to stop"),
    (r"\b(calm down|cool it|cool off|take a breath|deep breath|keep it civil|keep it professional)\b",
     "calls for calm"),
    (r"\b(take|move) (it|this) to (dms?|a thread|private)\b", "moves it elsewhere"),
    (r"\blet'?s (all )?(calm|keep|take|move on|stay|step back|not)\b", "calls for calm"),
    (r"\b(report(ing|ed)?|flag(ging|ged)?)\b.{0,40}\b(mods?|moderators?|admins?)\b", "reports to moderators"),
    (r"\b(mods?|moderators?|admins?)\b.{0,30}\b(please|look|step in|help|here)\b", "calls moderators"),
    (r"\b(over the line|out of line|uncalled for|not okay|not ok)\b", "names the line"),
)
_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), why) for pattern, why in _PHRASES)


@dataclass(frozen=True)
class Signals:
    """What the cog can tell about a message's addressees without reading it."""

    mentions_moderators: bool = False


def counterspeech_reason(text: str, signals: Signals = Signals()) -> str | None:
    """Why this message reads as counter-speech, or None.

    >>> counterspeech_reason("whoa… both of you please stop")
    'asks to stop'
    >>> counterspeech_reason("you are an idiot") is None
    True
    """
    if signals.mentions_moderators:
        return "mentions the moderators"
    words = text.split()
    if not words or len(words) > MAX_WORDS:
        return None
    for pattern, why in _COMPILED:
        if pattern.search(text):
            return why
    return None
