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
#: "rope yourself" is an order to hang; "rope yourself in(to)" asks someone to join.
_KILL = r"(?:kill|kil|hang|shoot|off|end|neck|unalive|rope(?!\s+\S+\s+in(?:to)?\b))"
#: "kill yourself over it", "shoot yourself in the foot": hyperbole and idiom, not an order to die.
_NOT_DEATH = r"(?!\s+(?:over|with|working|studying|trying|doing|in\s+the\s+foot|for\s+(?:this|that|it|them|a\s+\w+)))"
#: Ways of dying an order names ("go jump off a bridge", "drink bleach", "overdose on your insulin").
_METHOD = (
    r"(?:(?:drink|gargle|chug|swallow|eat)\s+(?:some\s+)?bleach"
    r"|jump\s+off\s+(?:a|the|your)\s+(?:\w+\s+)?(?:bridge|cliff|building|roof|balcony|ledge)"
    r"|(?<=go\s)play\s+in\s+traffic|walk\s+into\s+(?:traffic|a\s+(?:bus|train|truck))"
    r"|eat\s+a\s+(?:bullet|gun|shotgun)|die\s+in\s+a\s+(?:fire|ditch|hole)|drop\s+dead"
    r"|overdose\s+on\s+(?:your|ur)|swallow\s+a\s+(?:bottle|handful)\s+of|slit\s+(?:your|ur)\s+(?:wrists?|throat)"
    r"|end\s+(?:your|ur)\s+(?:own\s+)?(?:life|miserable\s+life)|blow\s+(?:your|ur)\s+brains\s+out"
    r"|put\s+a\s+(?:gun|bullet)\s+in\s+(?:your|ur)\s+(?:mouth|head|brain)|(?<=go\s)(?:find|get|grab|buy)\s+a\s+rope)"
)
_YOU = r"(?:you|u|ya)"
_YOUR = r"(?:your|ur|you're|youre)"
#: Dying, as a wish or a verdict may name it ("you to die", "your funeral", "in a body bag").
_YOUR_DEATH = (
    rf"(?:{_YOU}\s+(?:to\s+)?(?:finally\s+)?(?:die|drop\s+dead|off\s+{_YOURSELF}|kill\s+{_YOURSELF}|in\s+a\s+body\s+bag"
    rf"|six\s+feet\s+under)|{_YOUR}\s+(?:funeral|obituary|obit|death|autopsy|wake|corpse))"
)
#: "if you died", "if you dropped dead": the condition of the verdicts below.
_IF_YOU_DIED = (
    rf"if\s+{_YOU}\s+(?:just\s+)?(?:died|were\s+dead|dropped\s+dead|killed\s+{_YOURSELF}|dropped\s+off\s+the\s+face)"
)
_NOBODY_CARES = (
    r"(?:nobody|no\s+one|noone)\s+(?:\S+\s+){0,4}?(?:would|will|'d|is\s+going\s+to|gonna)\s+(?:even\s+)?"
    r"(?:miss|care|notice|cry|mourn|come)"
)
_WHO_GAINS = (
    r"(?:world|department|hospital|server|family|everyone|everybody|profession|field|group|we)\s+(?:\w+\s+)?"
    r"(?:would|will|'d)\s+(?:be\s+(?:better(?:\s+off)?|relieved|happier|glad)|throw\s+a\s+party|celebrate|lose\s+nothing|rejoice)"
)

#: (name, pattern) on normalised, lower-cased text.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kys", re.compile(r"\bkys\b")),
    ("order", re.compile(rf"{_LEAD}(?:just\s+|go\s+){{0,3}}(?:{_KILL}\s+{_YOURSELF}\b{_NOT_DEATH}|{_METHOD}\b)")),
    ("go_die", re.compile(
        r"(?:\b(?:go|pls|please|plz)\s+(?:just\s+)?|(?:^|(?<=[.!?,;:\n])\s*)just\s+)die\b"
        r"(?!\s+(?:on\s+(?:this|that|a)\s+hill|of|laughing|trying|a\s+little|inside))")),
    ("wish", re.compile(
        r"\b(?:hope|hoping|wish|pray)\s+(?:that\s+)?(?:you|u|ya)\s+(?:just\s+|would\s+|will\s+|'ll\s+|all\s+|both\s+)*"
        rf"(?:die|dies|drop\s+dead|get\s+cancer|{_KILL}\s+{_YOURSELF})\b"
        r"(?!\s+(?:laughing|of\s+laughter|happy|old|peacefully|on\s+(?:this|that|a)\s+hill))"
        rf"|\b(?:hope|hoping)\s+(?:that\s+)?{_YOUR}\s+(?:heart|brain|liver|kidneys?)\s+(?:gives?\s+out|explodes?)"
        r"|\bwishing\s+(?:you|u)\s+a\s+(?:\w+\s+)?death\b|\brest\s+in\s+piss\b")),
    ("cant_wait", re.compile(
        rf"\b(?:can'?t|cannot|cant)\s+wait\s+(?:for|to\s+(?:see|read|attend|go\s+to|dance\s+at))\s+(?:the\s+day\s+)?{_YOUR_DEATH}\b")),
    ("watch_die", re.compile(
        rf"\b(?:i'?d|i\s+would|i\s+want\s+to|i\s+wanna)\s+(?:love|pay(?:\s+good\s+money)?|like|give\s+anything)\s+to\s+"
        rf"(?:see|watch)\s+{_YOU}\s+(?:die|in\s+a\s+body\s+bag|dead|hang|burn\s+alive)\b")),
    ("should_die", re.compile(
        rf"\b{_YOU}\s+(?:of\s+all\s+people\s+)?(?:should|ought\s+to|need\s+to)\s+(?:just\s+|all\s+)?"
        r"(?:die|be\s+dead|drop\s+dead|be\s+put\s+down)\b(?!\s+on\s+(?:this|that|a)\s+hill)")),
    ("deserve", re.compile(
        rf"\b{_YOU}\s+(?:of\s+all\s+people\s+)?(?:\w+\s+)?deserve\s+to\s+(?:just\s+)?(?:die|be\s+dead|drop\s+dead|be\s+put\s+down"
        r"|rot\s+in\s+(?:a\s+grave|hell|the\s+ground)|be\s+(?:shot|killed|six\s+feet\s+under|(?:the\s+one\s+)?in\s+a\s+body\s+bag"
        r"|hit\s+by\s+a\s+(?:truck|bus|car|train)|left\s+to\s+die|hanged|hung|lynched|executed))\b")),
    ("no_right_to_live", re.compile(
        rf"\b{_YOU}\s+(?:don'?t|do\s+not|dont)\s+deserve\s+to\s+(?:live|be\s+alive|exist|breathe)\b"
        rf"|\b{_YOU}\s+have\s+no\s+right\s+to\s+(?:live|be\s+alive|exist|breathe)\b")),
    ("nobody_would_care", re.compile(
        rf"\b(?:{_NOBODY_CARES}|{_WHO_GAINS})\b[^.!?\n]{{0,30}}?\b{_IF_YOU_DIED}\b"
        rf"|\b{_IF_YOU_DIED}\b[^.!?\n]{{0,40}}?\b(?:{_NOBODY_CARES}|{_WHO_GAINS})\b")),
    ("someone_should", re.compile(
        r"\b(?:someone|somebody|some1)\s+(?:should|needs\s+to|oughta|ought\s+to|has\s+to|gotta)\s+(?:just\s+)?"
        rf"(?:finish\s+{_YOU}\s+off|kill\s+{_YOU}|shoot\s+{_YOU}|put\s+{_YOU}\s+down|end\s+{_YOU}|put\s+a\s+bullet\s+in\s+{_YOU})\b")),
)


def told_to_die(clean_text: str) -> str | None:
    """The name of the first pattern used (not mentioned) in a normalised text, or None."""
    return first_used(clean_text.lower().replace("’", "'"), PATTERNS, _dismissed)


#: A denial inside the match ("you shouldn't die", "don't kys").
_NEGATED_INSIDE = re.compile(r"\b(?:not|never)\b|n't\b|\bdont\b")
#: "why don't you ...": a "don't" that denies nothing.
_WHY_NOT = re.compile(r"why\s+don'?t\s+you")
#: Someone else's words reported just before the match ("he told me to kys", "she said go die").
_REPORTED = re.compile(
    r"\b(?:told|tell|tells|telling|said|says|saying|wrote|writes|texted|messaged|dm'?e?d|posted|yelled|screamed"
    r"|repl(?:ied|ies|y)|commented|responded|answered"
    r"|called\s+me|asked\s+me)\b(?:\s+(?:me|you|him|her|them|us|people|someone|everyone|patients?|a\s+\w+"
    r"|the\s+\w+))?(?:\s+to)?\s*[,:]?\s*$"
)
#: "I'm telling you to ...": the speaker's own words, not a report.
_SPEAKER_SAYS = re.compile(r"\b(?:i|i'?m|im|i\s+am|i'?ll|i\s+will)\s+(?:\w+\s+)?$")
#: The speaker going somewhere, not ordering anyone: "I'm gonna go die in the call room".
_OWN_PLAN = re.compile(
    r"(?:\bi|\bwe|\bme|gonna|going\s+to|'ll|\bwill|wanna|want\s+to|lemme|i'?m+a|finna)\s*$"
    # "need to kys after this call", "i want to kys": "to" with no "you" before it is the speaker's own
    r"|^(?:(?!\b(?:you|u|ya|y'all|yall)\b).)*\bto\s*$"
)
#: Someone or something else told off in the third person: "the coding audit can go jump off a cliff".
_THIRD_PARTY = re.compile(r"\b(?!(?:you|u|ya|y'all|yall)\b)\w+\s+(?:can|could|may|might)\s*$")


def _dismissed(name: str, match: re.Match[str], text: str) -> bool:
    """An order denied in or before the match, the speaker's own plan, or someone else's words reported."""
    start = match.start()
    # "why don't you kill yourself" carries its own "don't", which denies nothing
    # "you don't deserve to live" and "nobody would miss you" deny nothing: the denial is the message
    inside = "" if name in {"no_right_to_live", "nobody_would_care"} else _WHY_NOT.sub("", match.group(0))
    if _NEGATED_INSIDE.search(inside) or negated_before(text, start):
        return True
    before = text[max(0, start - 40):start]
    if name in {"kys", "order", "go_die"} and (_OWN_PLAN.search(before) or _THIRD_PARTY.search(before)):
        return True  # "i'm gonna kys if this shift doesn't end", "admin can go jump off a cliff"
    reported = _REPORTED.search(before)
    return reported is not None and _SPEAKER_SAYS.search(before[:reported.start()]) is None

