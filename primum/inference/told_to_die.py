"""Telling a person to kill themselves, or wishing them dead, read as a threat.

Why a list beside a model: the encoder knows "go kill yourself" (0.97), but not its shorthand and
not its louder forms: "kys" scored 0.68, "you should kys" 0.84 and "go kill yourself!!!" 0.74 (it
learned "!" as a sign of friendly text), all under the nudge cut-off. Few messages do more harm,
and their grammar is narrow: an order or a wish addressed to "you" ("kill yourself", "kys", "go
die", "drink bleach", "I hope you die"). No library ships such patterns, so they are written here,
literal.

Mention is not use (``primum.inference.mention``): nothing inside quotation marks, nothing denied
("don't kill yourself over a missed dose"), nothing reported ("he told me to kys"), and no match in
a message that names the line for what it is ("report", "mods", "vile"). Hyperbole about the work
is not an order: "you'll kill yourself with these hours" predicts, and "kill myself" / "kill
himself" (a patient's words, a member venting) address no one else.

A match is evidence for a private nudge and a moderator alert, never for more: the engine lifts
the score to the same floor as the group-violence list, as a threat; hiding still needs the model.
"""

from __future__ import annotations

import re

from primum.inference.mention import first_used, negated_before

_YOURSELF = r"(?:yourself|yourselves|urself|ur\s+self|your\s+self|yoself|yaself|ya\s+self)"
#: What may stand before an order: the start of a sentence, or a word that makes it one.
_LEAD = (
    r"(?:^|(?<=[.!?,;:\n])\s*|\b(?:go|just|please|pls|plz|so|then|and|now|seriously|honestly|lol|lmao|ok|okay"
    r"|why\s+don'?t\s+you|why\s+not|you\s+should|u\s+should|you\s+ought\s+to|you\s+need\s+to|u\s+need\s+to"
    r"|you\s+might\s+as\s+well|do\s+(?:us|everyone|the\s+world)\s+(?:all\s+)?a\s+favou?r\s+and)\s+)"
)
_KILL = r"(?:kill|hang|shoot|off|end|neck|unalive)"
#: "kill yourself over it", "shoot yourself in the foot": hyperbole and idiom, not an order to die.
_NOT_DEATH = r"(?!\s+(?:over|with|working|studying|trying|doing|in\s+the\s+foot|for\s+(?:this|that|it|them|a\s+\w+)))"
#: Ways of dying an order names ("go jump off a bridge", "drink bleach").
_METHOD = (
    r"(?:drink\s+(?:some\s+)?bleach|jump\s+off\s+(?:a|the)\s+(?:bridge|cliff|building|roof)|(?<=go\s)play\s+in\s+traffic"
    r"|eat\s+a\s+(?:bullet|gun|shotgun)|die\s+in\s+a\s+(?:fire|ditch|hole)|drop\s+dead)"
)

#: (name, pattern) on normalised, lower-cased text.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kys", re.compile(r"\bkys\b")),
    ("order", re.compile(rf"{_LEAD}(?:just\s+|go\s+)*(?:{_KILL}\s+{_YOURSELF}\b{_NOT_DEATH}|{_METHOD}\b)")),
    ("go_die", re.compile(
        r"(?:\b(?:go|pls|please|plz)\s+(?:just\s+)?|(?:^|(?<=[.!?,;:\n])\s*)just\s+)die\b"
        r"(?!\s+(?:on\s+(?:this|that|a)\s+hill|of|laughing|trying|a\s+little|inside))")),
    ("wish", re.compile(
        r"\b(?:hope|hoping|wish|pray)\s+(?:that\s+)?(?:you|u|ya)\s+(?:just\s+|would\s+|will\s+|'ll\s+|all\s+|both\s+)*"
        rf"(?:die|dies|drop\s+dead|get\s+cancer|{_KILL}\s+{_YOURSELF})\b"
        r"(?!\s+(?:laughing|of\s+laughter|happy|old|peacefully|on\s+(?:this|that|a)\s+hill))")),
    ("should_die", re.compile(
        r"\b(?:you|u)\s+(?:should|deserve\s+to|ought\s+to|need\s+to)\s+(?:just\s+|all\s+)?"
        r"(?:die|be\s+dead|drop\s+dead|be\s+put\s+down)\b(?!\s+on\s+(?:this|that|a)\s+hill)")),
)


def told_to_die(clean_text: str) -> str | None:
    """The name of the first pattern used (not mentioned) in a normalised text, or None."""
    return first_used(clean_text.lower().replace("’", "'"), PATTERNS, _dismissed)


#: A denial inside the match ("you shouldn't die", "don't kys").
_NEGATED_INSIDE = re.compile(r"\b(?:not|never)\b|n't\b|\bdont\b")
#: Someone else's words reported just before the match ("he told me to kys", "she said go die").
_REPORTED = re.compile(
    r"\b(?:told|tell|tells|telling|said|says|saying|wrote|writes|texted|messaged|dm'?d|posted|yelled|screamed"
    r"|called\s+me|asked\s+me)\b(?:\s+(?:me|him|her|them|us|people|someone|everyone|patients?|a\s+\w+|the\s+\w+))?"
    r"(?:\s+to)?\s*[,:]?\s*$"
)


#: The speaker going somewhere, not ordering anyone: "I'm gonna go die in the call room".
_OWN_PLAN = re.compile(
    r"(?:\bi|\bwe|\bme|gonna|going\s+to|'ll|\bwill|wanna|want\s+to|\bto|lemme|i'?m+a|finna)\s*$"
)
#: Someone or something else told off in the third person: "the coding audit can go jump off a cliff".
_THIRD_PARTY = re.compile(r"\b(?!(?:you|u|ya|y'all|yall)\b)\w+\s+(?:can|could|may|might)\s*$")


def _dismissed(name: str, match: re.Match[str], text: str) -> bool:
    """An order denied in or before the match, the speaker's own plan, or someone else's words reported."""
    start = match.start()
    # "why don't you kill yourself" carries its own "don't", which denies nothing
    if _NEGATED_INSIDE.search(_WHY_NOT.sub("", match.group(0))) or negated_before(text, start):
        return True
    before = text[max(0, start - 40):start]
    if name in {"kys", "order", "go_die"} and (_OWN_PLAN.search(before) or _THIRD_PARTY.search(before)):
        return True  # "i'm gonna kys if this shift doesn't end", "admin can go jump off a cliff"
    return _REPORTED.search(before) is not None


_WHY_NOT = re.compile(r"why\s+don'?t\s+you")
