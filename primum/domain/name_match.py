"""Does the name a member typed plausibly belong to the registry record of the NPI they gave?

The registry spells names in capitals without accents (``NARVAEZ-MEZA``, ``OBRIEN``), members type
them as they like (``Dr. Claudia Narváez``, ``Jeff Shrensel MD``, ``Seán O'Brien Jr.``). The match
is tolerant on purpose (accents, case, hyphens, apostrophes, titles, suffixes, credentials, middle
names, one typo, common nicknames, former names) and its result is advice for the human reviewer,
never an automatic decision.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum

#: Words before a name that are not part of it.
TITLES = frozenset({"dr", "doctor", "prof", "professor", "mr", "mrs", "ms", "mx", "miss", "sir", "dame"})
#: Words after a name that are not part of it: generational suffixes and credentials.
SUFFIXES = frozenset({
    "jr", "sr", "ii", "iii", "iv", "md", "do", "mbbs", "mbchb", "phd", "mph", "mba", "ms", "msc", "facp",
    "facs", "faap", "facc", "facog", "facep", "frcpc", "frcs", "dabr", "esq",
})
#: A few common given-name pairs (both directions are checked).
NICKNAMES: dict[str, frozenset[str]] = {
    "robert": frozenset({"bob", "rob", "bobby", "robbie"}),
    "william": frozenset({"bill", "will", "billy", "liam"}),
    "elizabeth": frozenset({"liz", "beth", "betty", "eliza", "lisa"}),
    "margaret": frozenset({"maggie", "meg", "peggy"}),
    "richard": frozenset({"rick", "dick", "rich"}),
    "james": frozenset({"jim", "jimmy", "jamie"}),
    "jeffrey": frozenset({"jeff"}),
    "michael": frozenset({"mike", "mick"}),
    "katherine": frozenset({"kate", "kathy", "katie", "kat"}),
    "catherine": frozenset({"cathy", "kate", "cat"}),
    "jennifer": frozenset({"jen", "jenny"}),
    "joseph": frozenset({"joe", "joey"}),
    "thomas": frozenset({"tom", "tommy"}),
    "anthony": frozenset({"tony"}),
    "alexander": frozenset({"alex", "sasha"}),
    "alexandra": frozenset({"alex", "sasha"}),
    "edward": frozenset({"ed", "eddie", "ted"}),
    "charles": frozenset({"charlie", "chuck"}),
    "patricia": frozenset({"pat", "patty", "trish"}),
    "susan": frozenset({"sue", "susie"}),
    "daniel": frozenset({"dan", "danny"}),
    "david": frozenset({"dave"}),
    "samuel": frozenset({"sam"}),
    "samantha": frozenset({"sam"}),
    "benjamin": frozenset({"ben"}),
    "nicholas": frozenset({"nick"}),
    "matthew": frozenset({"matt"}),
    "andrew": frozenset({"andy", "drew"}),
    "steven": frozenset({"steve"}),
    "stephen": frozenset({"steve"}),
    "christopher": frozenset({"chris"}),
    "christine": frozenset({"chris", "tina"}),
    "rebecca": frozenset({"becky", "becca"}),
    "victoria": frozenset({"vicky", "tori"}),
    "deborah": frozenset({"deb", "debbie"}),
}
#: Two tokens of at least this length count as the same name when this similar (one typo).
FUZZY_MIN_LENGTH = 5
FUZZY_RATIO = 0.8


class NameVerdict(StrEnum):
    """How well the typed name fits the record."""

    MATCH = "match"  # surname and given name (or a nickname, initial-free) agree
    PARTIAL = "partial"  # surname agrees, the given name is missing, an initial, or different
    MISMATCH = "mismatch"  # the surname does not agree


@dataclass(frozen=True)
class RegistryName:
    """The name fields of a registry record (``basic`` plus ``other_names``)."""

    first: str
    last: str
    middle: str = ""
    other_names: tuple[tuple[str, str], ...] = ()  # (first, last) of former/professional/other names


@dataclass(frozen=True)
class NameMatch:
    """The verdict and short notes for the reviewer, e.g. ``("surname via former name",)``."""

    verdict: NameVerdict
    notes: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        """One line for the review card."""
        label = {NameVerdict.MATCH: "Match", NameVerdict.PARTIAL: "Partial match",
                 NameVerdict.MISMATCH: "No match"}[self.verdict]
        return f"{label} ({'; '.join(self.notes)})" if self.notes else label


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    # Apostrophes and dots join ("O'Brien" -> "obrien", "M.D." -> "md"); other punctuation separates.
    stripped = re.sub(r"['’`.]", "", stripped.casefold())
    return stripped.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")


def name_tokens(text: str) -> list[str]:
    """Lower-case ASCII-folded words of a name, with accents, hyphens and apostrophes handled."""
    return [token for token in re.split(r"[^0-9a-z]+", _fold(text)) if token]


def given_tokens(text: str) -> list[str]:
    """The words of a typed full name without titles, suffixes and credentials (``, MD``, ``Jr.``)."""
    head, *tails = text.split(",")
    tokens = name_tokens(head)
    # After a comma: credentials ("…, MD") or, in "Last, First" order, the given names.
    rest = [token for tail in tails for token in name_tokens(tail) if token not in SUFFIXES]
    tokens = rest + tokens
    while len(tokens) > 1 and tokens[0] in TITLES:
        tokens.pop(0)
    while len(tokens) > 2 and tokens[-1] in SUFFIXES:
        tokens.pop()
    return tokens


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < FUZZY_MIN_LENGTH:
        return False
    return SequenceMatcher(None, a, b).ratio() >= FUZZY_RATIO


def _nickname(a: str, b: str) -> bool:
    return b in NICKNAMES.get(a, frozenset()) or a in NICKNAMES.get(b, frozenset())


def _surname_fits(surname: str, given: Sequence[str]) -> set[int] | None:
    """Indexes of the typed words that spell the registry surname (any hyphen part, or joined)."""
    parts = name_tokens(surname)
    if not parts:
        return None
    joined = "".join(parts)
    used: set[int] = set()
    for index, token in enumerate(given):
        if any(_similar(token, part) for part in parts) or _similar(token, joined):
            used.add(index)
    if used:
        return used
    for start in range(len(given)):  # "Van der Berg" typed for VANDERBERG
        for end in range(start + 2, len(given) + 1):
            if _similar("".join(given[start:end]), joined):
                return set(range(start, end))
    return None


def _given_fits(first: str, middle: str, given: Sequence[str], taken: set[int]) -> tuple[str, str] | None:
    """('full' | 'nickname' | 'middle' | 'initial', note) when a free typed word fits the first name."""
    free = [token for index, token in enumerate(given) if index not in taken]
    firsts = name_tokens(first)
    middles = name_tokens(middle)
    best: tuple[str, str] | None = None
    for token in free:
        for name in firsts:
            if _similar(token, name):
                return ("full", "")
            if _nickname(token, name):
                best = ("nickname", f"'{token}' taken as a nickname for {name.upper()}")
            elif len(token) >= 3 and name.startswith(token) and best is None:
                best = ("nickname", f"'{token}' is the start of {name.upper()}")
        for name in middles:
            if len(token) > 1 and _similar(token, name) and best is None:
                best = ("middle", "goes by the middle name")
    if best is not None:
        return best
    if any(len(token) == 1 and firsts and token == firsts[0][0] for token in free):
        return ("initial", "given name typed only as an initial")
    return None


def match_name(typed: str, registry: RegistryName) -> NameMatch:
    """Compare a typed full name with a registry record's names (current first, then former ones)."""
    given = given_tokens(typed)
    if not given:
        return NameMatch(NameVerdict.MISMATCH, ("no name given",))
    candidates: list[tuple[str, str, str]] = [(registry.first, registry.middle, "")]
    candidates += [(first or registry.first, "", "via another name on the record")
                   for first, _last in registry.other_names]
    surnames: list[str] = [registry.last] + [last for _first, last in registry.other_names]
    best = NameMatch(NameVerdict.MISMATCH, ("surname differs from the registry",))
    for (first, middle, via), surname in zip(candidates, surnames, strict=True):
        taken = _surname_fits(surname, given)
        if taken is None:
            continue
        notes = [via] if via else []
        fit = _given_fits(first, middle, given, taken)
        if fit is None:
            result = NameMatch(NameVerdict.PARTIAL, (*notes, "given name differs or is missing"))
        elif fit[0] == "initial":
            result = NameMatch(NameVerdict.PARTIAL, (*notes, fit[1]))
        else:
            result = NameMatch(NameVerdict.MATCH, tuple(note for note in (*notes, fit[1]) if note))
        if _rank(result) > _rank(best):
            best = result
    return best


def _rank(result: NameMatch) -> tuple[int, int]:
    order = {NameVerdict.MISMATCH: 0, NameVerdict.PARTIAL: 1, NameVerdict.MATCH: 2}
    return (order[result.verdict], -len(result.notes))


def registry_name(first: str, last: str, middle: str = "",
                  other_names: Iterable[tuple[str, str]] = ()) -> RegistryName:
    """Build a ``RegistryName`` (a convenience for callers holding plain strings)."""
    return RegistryName(first=first, last=last, middle=middle, other_names=tuple(other_names))
