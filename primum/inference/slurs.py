"""Slurs used about a person or a group, read as identity attacks whatever the sentence around them.

Why a list beside a model: the encoder learned slurs from hateful sentences, so a slur in a
neutral frame reads to it as a neutral sentence: "I had a long chat with a paki at the clinic
today" scored 0.55, "the coon in radiology" 0.08, the same frame with "gook" 0.61 or "heeb" 0.58,
all under the nudge cut-off. Naming a colleague by a slur is an identity attack however calmly it
is said. No library ships a list we could vet, so it is written here: only words whose every
ordinary use in English is the slur, each as a noun for people.

Left out on purpose: words with an everyday meaning beside the slur ("chink" in the armour,
"spic and span", a car's "tranny", "fag" as a cigarette, "homo sapiens", "cripple" and "spaz" as
verbs, "mongoloid" in old clinical writing), and words a community has reclaimed ("queer", and
"nigga", which real posts use in-group far more often than as an attack); the model already
scores most of them high when they are aimed at someone. "retard" counts only as a noun ("to
retard growth" and "retardation" do not match), "coon" not as a hound or a cat, and no slur
counts as the speaker's own identity ("I'm a proud dyke", "as a dyke in surgery").

Mention is not use (``primum.inference.mention``): nothing inside quotation marks, nothing reported
("he called me a spic", "the word kike"), and no match in a message that names it for what it is ("slur",
"racist", "report"). A match is evidence for a private nudge, never for more: the engine lifts the
score to the lists' floor, as an identity attack; hiding still needs the model.
"""

from __future__ import annotations

import re

from primum.inference.mention import first_used

#: Slurs for people, singular stems; plurals ("-s", "-es") are matched too.
_SLURS = (
    r"nigger|sand\s*nigger|kike|kyke|heeb|hymie|wetback|beaner|raghead|towelhead|camel\s*jockey"
    r"|gook|zipperhead|chinaman|paki|coon(?!s?\s+(?:hound|dog|cat|hunting|skin))|jigaboo|porch\s*monkey"
    r"|fagg?ot|dyke|shemale|he-she|retard|tard"
)
_NAMED = re.compile(rf"\b(?:{_SLURS})(?:s|es)?\b")
#: The speaker's own identity ("I'm a proud dyke", "As a dyke in surgery", "we dykes"): reclaimed,
#: not an attack. "as a" only opening a sentence: "dumb as a ..." compares someone to the slur.
_OWN_IDENTITY = re.compile(
    r"(?:\bi'?m|\bi\s+am|(?:^|[.!?,;:]\s*)as|\bwe(?:'re|\s+are)?|\bus|\bproud|\bmy\s+fellow)\s+(?:a\s+)?"
    r"(?:proud\s+|\w+\s+)?$"
)
#: Someone else's words reported just before it ("he called me a stupid spic", "yelling 'tranny' at
#: me"), or the word itself named ("the word kike", "allowed to say it").
_REPORTED = re.compile(
    r"\b(?:called|call|calls|calling|named|yell(?:ed|ing|s)?|shout(?:ed|ing|s)?|scream(?:ed|ing|s)?|wrote|said"
    r"|says?|saying|heard|use[sd]?|using)(?:\s+(?:me|him|her|them|us|my\s+\w+|our\s+\w+|a\s+\w+|the\s+\w+))?"
    r"(?:\s+an?)?(?:\s+\w+)?\s*$|\b(?:the|that|this)\s+(?:word|term|n-word|f-word)s?\s*$"
)
#: "mental retardation", "retard the growth": clinical and verb uses around "retard".
_RETARD_NOT_NOUN = re.compile(r"\b(?:to|will|may|might|can|could|would|does|do|did|which|that)\s+$")

#: (name, pattern) on normalised, lower-cased text.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (("slur", _NAMED),)


#: Homonyms found by the held-out blind set: a "Dyke" with a capital inside a sentence is a name
#: ("Offa's Dyke"), as is the Dyke March; faggots with peas or gravy are a Black Country dish.
_PROPER_NAME = re.compile(r"(?<=[a-z0-9,;:'’] )Dyke\b|\b[Dd]yke\s+[Mm]arch")
_DISH = re.compile(r"\bfaggots?\s+(?:and|with|in)\s+(?:\w+\s+)?(?:peas|gravy|mash|chips|onion)", re.IGNORECASE)


def slur(clean_text: str) -> str | None:
    """``"slur"`` when a slur is used (not mentioned) in a normalised text, else None."""
    text = _DISH.sub(" ", _PROPER_NAME.sub(" ", clean_text))  # before lower-casing: a name keeps its capital
    return first_used(text.lower().replace("’", "'"), PATTERNS, _dismissed)


def _dismissed(name: str, match: re.Match[str], text: str) -> bool:
    """The speaker's own identity, someone else's words reported, or "retard" used as a verb."""
    before = text[max(0, match.start() - 40):match.start()]
    word = match.group(0)
    if _OWN_IDENTITY.search(before):
        return True
    if word.startswith("retard") and _RETARD_NOT_NOUN.search(before):
        return True
    return _REPORTED.search(before) is not None
