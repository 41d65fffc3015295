"""Calls for, threats of and wishes for violence against a group of people, read as threats.

Why a list beside a model: the encoder learned threats from threats at a person ("I'll punch you",
0.99), but a call for violence against a group reads to it like talk about that group: "Those
people deserve to be lynched" scored 0.35, "All immigrants should be shot" 0.86 and "I will hurt
every immigrant I come across" 0.64, all under the nudge cut-off. These are the gravest messages a
community can receive, and their grammar is narrow: a group, then "should / deserve to / need to
(all) be" and a killing word; or "I will / let's / someone should" and a killing word, then a
group; or "death to" a group. No library ships such patterns, so they are written here, literal.

Mention is not use (``primum.inference.mention``): nothing inside quotation marks, nothing negated
("nobody should be shot", "muslims should not be killed"), nothing reported as someone else's view
("ISIS says gays should be executed"), and no match in a message that names the line for what it
is ("vile", "report", "incitement"). History and clinical talk do not match: "were killed" is not
a call, and a group is people ("kill the bacteria" names none).

A match is evidence for a private nudge and a moderator alert, never for more: the engine lifts
the score to the same floor as a documented hate code, as a threat; hiding still needs the model.
"""

from __future__ import annotations

import re

from primum.inference.mention import first_used, negated_before

_PEOPLE = r"(?:people|folks|men|women|kids|guys|ppl)"
#: Groups of people, plural (and a few collective forms). Religions, origins, sexes and sexualities,
#: disability, politics, and the professions a physician server argues about.
_GROUP_WORDS = (
    r"muslims?|moslems?|islamists|jews|jewish\s+" + _PEOPLE + r"|christians|catholics|hindus|sikhs|mormons|atheists"
    r"|blacks|black\s+" + _PEOPLE + r"|whites|white\s+" + _PEOPLE + r"|asians|asian\s+" + _PEOPLE
    + r"|mexicans|arabs|africans|latinos|latinas|hispanics|indians|chinese(?:\s+" + _PEOPLE + r")?|pakistanis"
    r"|somalis|palestinians|israelis|gypsies|immigrants|migrants|refugees|foreigners|illegals|illegal\s+aliens"
    r"|women|females|gays|gay\s+" + _PEOPLE + r"|lesbians|homosexuals|queers|trans\s+" + _PEOPLE
    + r"|transgenders?(?:\s+" + _PEOPLE + r")?|trannies|bisexuals|feminists|disabled\s+" + _PEOPLE
    + r"|the\s+disabled|cripples|retards|liberals|libs|conservatives|democrats|republicans|leftists"
    r"|communists|commies|nps|nurse\s+practitioners|midlevels|mid-levels|dos|imgs|nurses|doctors|physicians"
    r"|surgeons|lawyers|anti-?vaxx?ers|admins|administrators|pharma\s+reps"
)
_GROUP = rf"(?:(?:all|the|these|those|most|every\s+(?:last\s+)?one\s+of\s+the)\s+)?(?:{_GROUP_WORDS})"
#: A pronoun standing for a group, only with a word that makes it many ("they should all", "those people").
_THEY = r"(?:those|these)\s+(?:people|animals|savages|scum|vermin)|they(?=\s+(?:\w+\s+){0,2}all\b)|(?:all\s+)?of\s+them"
_ONE = (
    r"muslim|jew|christian|hindu|sikh|black|mexican|arab|african|immigrant|migrant|refugee|foreigner|illegal"
    r"|woman|gay|lesbian|trans\s+person|tranny|np|nurse\s+practitioner|midlevel|img|do|liberal|conservative"
)
#: Past participles of killing and maiming (after "be" / "get").
_DONE_TO = (
    r"killed|shot(?!\s+down)|hanged|hung(?!\s+(?:up|out|over))|lynched|gassed|exterminated|slaughtered|murdered|butchered|massacred|executed"
    r"|beheaded|burn(?:ed|t)(?:\s+alive)?|stabbed|beaten(?:\s+to\s+death)?|raped|tortured|strung\s+up|culled"
    r"|wiped\s+out|wiped\s+off\s+the\s+(?:face\s+of\s+the\s+)?(?:earth|map)|put\s+down|drowned|nuked|bombed"
    r"|lined\s+up\s+and\s+shot|stoned(?:\s+to\s+death)?|eradicated|annihilated|genocided"
)
#: "get" reads as harm only with the plainest of these ("get shot" may be a vaccine).
_GET_DONE = r"killed|lynched|hanged|gassed|murdered|slaughtered|beaten|raped|stabbed|executed|beheaded|burned|burnt"
_DO = (
    r"kill|shoot|hang|lynch|gas|exterminate|slaughter|murder|butcher|massacre|execute|behead|burn|stab"
    r"|hurt|beat\s+up|beat\s+to\s+death|bash|stomp|strangle|smother|poison|torch|blow\s+up|put\s+a\s+bullet\s+in"
    r"|take\s+out|finish\s+off|maim|rape|torture|nuke|bomb|wipe\s+out|string\s+up|eradicate|annihilate|drown|gun\s+down|mow\s+down|run\s+over"
)
#: Wishing or cheering ("hope", "can't wait", "good riddance", "love seeing").
_WISH = (
    r"hope|hoping|wish|pray|praying|can'?t\s+wait|would\s+love|i'?d\s+love|i'?d\s+(?:celebrate|cheer|pay)"
    r"|would\s+be\s+(?:nice|great|good|better)\s+if|best\s+news|glad|happy|good\s+riddance|love\s+(?:seeing|watching)"
    r"|loving|enjoy(?:ed)?\s+watching|celebrate|cheer|smiled|nothing\s+would\s+make\s+me\s+happier"
)
#: Sympathy words: "hope the nurses who got shot recover" is kindness.
_SYMPATHY = re.compile(
    r"\b(?:recover\w*|survive\w*|safe|safety|okay|ok|justice|thoughts|prayers|rip|rest\s+in\s+peace|condolences|victims?"
    r"|tragic|tragedy|heartbreak\w*|sad|sadly|sorry|grie\w+|mourn\w*|help|protect\w*|heal\w*|well|never)\b"
)
#: "shoot the nurses an email" is not a threat.
_NOT_A_MESSAGE = (
    r"(?!\s+(?:an?\s+|some\s+)?(?:quick\s+)?(?:e-?mails?|messages?|msgs?|texts?|notes?|lines?|pages?|dms?|reminders?))"
)
_MODAL = (
    r"should|must|shall|need\s+to|needs\s+to|ought\s+to|deserve\s+to|deserves\s+to|have\s+to|has\s+to|gotta"
    r"|oughta|all\s+deserve\s+to|better"
)
_GAP = r"(?:\s+\S+){0,2}?"
_INTENT = (
    r"i\s*(?:will|'ll|am\s+going\s+to|'m\s+going\s+to|am\s+gonna|'m\s+gonna|want\s+to|wanna|would\s+love\s+to"
    r"|'d\s+love\s+to|plan\s+to|intend\s+to)|im\s+(?:going\s+to|gonna)|ill"
    r"|we\s*(?:will|'ll|should|must|need\s+to|have\s+to|gotta|are\s+going\s+to|'re\s+going\s+to|are\s+gonna|'re\s+gonna)"
    r"|let'?s|lets|(?:someone|somebody|some1)\s+(?:should|needs\s+to|has\s+to|oughta|ought\s+to|gotta|will)|time\s+to|go"
)

#: (name, pattern) on normalised, lower-cased text.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("call", re.compile(
        rf"\b(?:{_GROUP}|{_THEY}){_GAP}\s+(?:{_MODAL})\s+(?:all\s+|just\s+|simply\s+|be\s+all\s+)?"
        rf"(?:be\s+(?:all\s+)?(?:{_DONE_TO})|get\s+(?:{_GET_DONE})|die|burn|hang|rot\s+in\s+hell|be\s+dead"
        r"|drop\s+dead|be\s+put\s+(?:down|to\s+death)|be\s+wiped\s+out)\b")),
    ("deserve", re.compile(
        rf"\b(?:{_GROUP}|{_THEY}){_GAP}\s+(?:all\s+)?deserves?\s+(?:all\s+)?(?:death|to\s+die|a\s+bullet|bullets"
        r"|the\s+rope|the\s+gallows|the\s+chair|the\s+ovens?|a\s+beating|to\s+be\s+(?:dead|shot|killed|hanged"
        r"|hung|lynched|gassed|exterminated|beaten|burned|burnt|executed))\b")),
    ("intent", re.compile(
        rf"\b(?:{_INTENT})\s+(?:just\s+|finally\s+|go\s+)?(?:{_DO})\s+(?:all\s+(?:of\s+)?(?:the\s+|these\s+|those\s+)?"
        rf"|every\s+(?:single\s+|last\s+)?(?:one\s+of\s+(?:the\s+|these\s+|those\s+)?)?|the\s+next\s+|some\s+|the\s+"
        rf"|these\s+|those\s+)?(?:{_GROUP_WORDS}|{_ONE})\b{_NOT_A_MESSAGE}")),
    ("wish", re.compile(
        rf"\b(?:{_WISH})\b(?:\s+\S+){{0,6}}?\s+(?:{_GROUP}|{_THEY}|{_ONE}s?)\b(?:\s+\S+){{0,5}}?\s+"
        rf"(?:(?:get|gets|got|be|been|being|getting)\s+(?:all\s+)?(?:{_DONE_TO}|blown\s+up)|die|dies|dying|died\s+out"
        r"|drop\s+dead|dropped\s+dead|burn|burns|drown|drowns|rot)\b")),
    ("death_to", re.compile(rf"\bdeath\s+to\s+(?:all\s+)?(?:the\s+)?(?:{_GROUP_WORDS})\b")),
    ("only_good", re.compile(rf"\bthe\s+only\s+good\s+({_ONE}|{_GROUP_WORDS})\s+is\s+a\s+dead\s+(?:one|\w+)\b")),
)


def group_violence(clean_text: str) -> str | None:
    """The name of the first pattern used (not mentioned) in a normalised text, or None."""
    return first_used(clean_text.lower().replace("’", "'"), PATTERNS, _dismissed)


def _dismissed(name: str, match: re.Match[str], text: str) -> bool:
    """A call denied inside or before the match, someone else's view reported, or a wish out of sympathy."""
    start = match.start()
    if _NEGATED_INSIDE.search(match.group(0)) or negated_before(text, start) or _reported(text, start):
        return True
    return name == "wish" and _SYMPATHY.search(text) is not None


#: "should not be", "shouldn't", "never": the call is denied inside the match itself.
_NEGATED_INSIDE = re.compile(r"\b(?:not|never|no\s+longer)\b|n't\b|\bnobody\b|\bno\s+one\b")
#: Someone else's view reported ("ISIS says gays should be executed", "they think women should...").
_REPORTED = re.compile(
    r"\b(?:says?|said|saying|thinks?|thought|believes?|believed|claims?|claimed|argues?|argued|preach(?:es|ed)?"
    r"|teach(?:es)?|taught|chant(?:s|ed|ing)?|wrote|writes|posted|tweeted|according\s+to|calls?\s+for|called\s+for"
    r"|wants?\s+you\s+to\s+think|propaganda|manifesto)\s+(?:that\s+)?$"
)


def _reported(text: str, start: int) -> bool:
    """Whether the words just before the match report someone's view, unless that someone is "I" / "we"."""
    before = text[max(0, start - 48):start]
    found = _REPORTED.search(before)
    if found is None:
        return False
    subject = before[:found.start()].split()
    return not subject or subject[-1] not in {"i", "we", "i'd", "honestly", "really", "truly", "still"}
