"""Does the name a member typed belong to the registry record of the NPI they gave? A graded answer.

The registry spells names in capitals without accents (``NARVAEZ-MEZA``, ``OBRIEN``); members type
them as they like (``Dr. Claudia Narváez``, ``Jeff Shrensel MD``, ``Seán O'Brien Jr.``). The result
is advice for the human reviewer, never an automatic decision, and it is graded so a near miss never
looks like an identical name:

* ``exact``: surname and given name are the registry's (case, titles, credentials, suffixes,
  punctuation and a middle name or initial aside);
* ``variant``: the same person written another way: a nickname (the ``nicknames`` package's
  hand-curated table), an initial, the middle name, accents, a hyphen typed as a space, one part of
  a compound surname, particles written apart (``van der Berg`` for ``VANDERBERG``);
* ``other_name``: exact or variant against another name on the record (a former surname), and the
  result says which one;
* ``close``: similar but different, e.g. ``Michael`` against ``MICHELLE``, ``Daniel`` against
  ``DANIELA``, ``Andrea`` against ``ANDREW`` (even where the nickname table links two spellings of
  about the same length), a surname one typo away, or no given name typed: never shown as a match;
* ``none``: the surname does not fit, or it fits and the given name is a different one.

Similarity is rapidfuzz's normalised Indel ratio (``fuzz.ratio``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from nicknames import NickNamer
from rapidfuzz import fuzz

#: Words before a name that are not part of it.
TITLES = frozenset({"dr", "doctor", "prof", "professor", "mr", "mrs", "ms", "mx", "miss", "sir", "dame"})
#: Words after a name that are not part of it: generational suffixes and credentials.
SUFFIXES = frozenset({
    "jr", "sr", "ii", "iii", "iv", "md", "do", "mbbs", "mbchb", "phd", "mph", "mba", "ms", "msc", "facp",
    "facs", "faap", "facc", "facog", "facep", "frcpc", "frcs", "dabr", "esq",
})
#: Two names at least this similar (0-100) but not equal are "close but different".
CLOSE_RATIO = 70.0
#: Names shorter than this are compared exactly (``Do`` and ``Da`` are different people).
FUZZY_MIN_LENGTH = 4


class NameGrade(StrEnum):
    """How well the typed name fits the record, best first."""

    EXACT = "exact"
    VARIANT = "variant"
    OTHER_NAME = "other_name"
    CLOSE = "close"
    NONE = "none"


GRADE_LABELS = {
    NameGrade.EXACT: "Exact match",
    NameGrade.VARIANT: "Variant of the registry name",
    NameGrade.OTHER_NAME: "Matches another name on the record",
    NameGrade.CLOSE: "Close but different",
    NameGrade.NONE: "No match",
}
_RANK = {NameGrade.NONE: 0, NameGrade.CLOSE: 1, NameGrade.OTHER_NAME: 2, NameGrade.VARIANT: 3, NameGrade.EXACT: 4}


@dataclass(frozen=True)
class RegistryName:
    """The name fields of a registry record (``basic`` plus ``other_names``)."""

    first: str
    last: str
    middle: str = ""
    #: (first, last, kind) of former, professional or other names, e.g. ("", "KURIAN", "Former Name").
    other_names: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class NameMatch:
    """The grade, the registry name it was judged against, and short notes for the reviewer."""

    grade: NameGrade
    matched: str = ""  # e.g. "PREMILA KURIAN (Former Name)"
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def caution(self) -> bool:
        """Anything but an exact match deserves a careful look."""
        return self.grade is not NameGrade.EXACT

    def describe(self) -> str:
        """One line for the review card."""
        label = GRADE_LABELS[self.grade]
        return f"{label} ({'; '.join(self.notes)})" if self.notes else label


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("ł", "l")


def _fold(text: str) -> str:
    # Apostrophes and dots join ("O'Brien" -> "obrien", "M.D." -> "md"); other punctuation separates.
    return re.sub(r"['’`.]", "", _strip_accents(text.casefold()))


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


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


def is_nickname(a: str, b: str) -> bool:
    """Whether two given names are a nickname pair (either way) or nicknames of one name."""
    namer = _nicknamer()
    if b in namer.nicknames_of(a) or a in namer.nicknames_of(b):
        return True
    return bool(namer.canonicals_of(a) & ({b} | namer.canonicals_of(b))) and a != b


def _close(a: str, b: str) -> bool:
    return min(len(a), len(b)) >= FUZZY_MIN_LENGTH and fuzz.ratio(a, b) >= CLOSE_RATIO


def _close_given(a: str, b: str) -> bool:
    return _close(a, b) or (min(len(a), len(b)) >= 3 and _near_spelling(a, b))


def _near_spelling(a: str, b: str) -> bool:
    """Two similar spellings of about the same length (ANDREA/ANDREW, JON/JOHN, DANIEL/DANIELA): the
    nickname table links some of them, but such pairs are as often two people, so they count as close,
    not as a variant. A real shortening (TONY/ANTHONY, ALEX/ALEXANDRA) is at least 3 letters shorter."""
    return fuzz.ratio(a, b) >= CLOSE_RATIO and abs(len(a) - len(b)) <= 2


@dataclass(frozen=True)
class _Fit:
    grade: NameGrade  # EXACT, VARIANT or CLOSE
    used: frozenset[int]
    note: str = ""


def _surname_fit(surname: str, typed: Sequence[str], folded_text: str) -> _Fit | None:
    parts = name_tokens(surname)
    if not parts:
        return None
    joined = "".join(parts)
    count = len(parts)
    for start in range(len(typed) - count + 1):  # every part, in order
        if list(typed[start:start + count]) == parts:
            spelled = _fold(surname).strip()
            same_form = count == 1 or spelled in folded_text
            return _Fit(NameGrade.EXACT if same_form else NameGrade.VARIANT, frozenset(range(start, start + count)),
                        "" if same_form else "surname spaced or hyphenated differently")
    for start in range(len(typed)):  # "Van der Berg" typed for VANDERBERG
        for end in range(start + 1, len(typed) + 1):
            if end - start > 1 and "".join(typed[start:end]) == joined:
                return _Fit(NameGrade.VARIANT, frozenset(range(start, end)), "surname particles written apart")
    if count > 1:
        used = frozenset(index for index, token in enumerate(typed) if token in parts)
        if used:
            return _Fit(NameGrade.VARIANT, used, "one part of a compound surname")
    for index, token in enumerate(typed):
        if _close(token, joined) or any(_close(token, part) for part in parts):
            return _Fit(NameGrade.CLOSE, frozenset({index}), f"surname spelled differently from {surname.upper()}")
    return None


def _given_fit(first: str, middle: str, free: Sequence[str]) -> _Fit | None:
    firsts = name_tokens(first)
    middles = name_tokens(middle)
    if not free:
        return _Fit(NameGrade.CLOSE, frozenset(), "no given name typed")
    if firsts and firsts[0] in free:
        return _Fit(NameGrade.EXACT, frozenset())
    best: _Fit | None = None
    for token in free:
        for name in firsts:
            if token == name:
                return _Fit(NameGrade.VARIANT, frozenset(), "goes by a second given name")
            if is_nickname(token, name) and not _near_spelling(token, name):
                return _Fit(NameGrade.VARIANT, frozenset(), f"'{token}' taken as a nickname for {name.upper()}")
        if len(token) > 1 and token in middles:
            best = best or _Fit(NameGrade.VARIANT, frozenset(), "goes by the middle name")
    if best is not None:
        return best
    if firsts and any(len(token) == 1 and token == firsts[0][0] for token in free):
        return _Fit(NameGrade.VARIANT, frozenset(), "given name typed only as an initial")
    for token in free:
        for name in firsts:
            if _close_given(token, name):
                return _Fit(NameGrade.CLOSE, frozenset(),
                            f"given name '{token.capitalize()}' is close to but not {name.upper()}")
    return None


def _judge(typed: Sequence[str], folded_text: str, first: str, middle: str, last: str) -> NameMatch | None:
    surname = _surname_fit(last, typed, folded_text)
    if surname is None:
        return None
    free = [token for index, token in enumerate(typed) if index not in surname.used]
    given = _given_fit(first, middle, free)
    matched = " ".join(part for part in (first.upper(), last.upper()) if part)
    if given is None:
        return NameMatch(NameGrade.NONE, matched, ("surname fits, but the given name is a different one",))
    notes = tuple(note for note in (surname.note, given.note) if note)
    grades = {surname.grade, given.grade}
    grade = NameGrade.CLOSE if NameGrade.CLOSE in grades else \
        NameGrade.VARIANT if NameGrade.VARIANT in grades else NameGrade.EXACT
    return NameMatch(grade, matched, notes)


def _read_lookalikes(text: str) -> tuple[str, str]:
    """``text`` with look-alike letters read as Latin when the name mixes scripts (a Cyrillic "о" in
    "Jоhn"), and the letters so read; a word written in another script is left as it is.

    Why: folded as they are, such letters split or drop a name part, and the reviewer was told
    something false ("given name typed only as an initial"). Read as Latin, the name is compared
    properly and the reviewer is told what was typed. The table is Unicode's (confusable-homoglyphs).
    """
    from confusable_homoglyphs import confusables

    if not confusables.is_mixed_script(text):
        return text, ""
    table: dict[str, str] = {}
    for found in confusables.is_confusable(text, greedy=True, preferred_aliases=["latin"]) or []:
        latin = next((g["c"] for g in found["homoglyphs"] if g["c"].isascii() and g["c"].isalpha()), None)
        if latin is not None:
            table[found["character"]] = latin
    read: list[str] = []
    used: set[str] = set()
    for word in re.split(r"(\s+)", text):
        latin = "".join(table.get(ch, ch) for ch in word)
        # a word becomes Latin only when every letter has a Latin look-alike ("Давид" stays as typed)
        if latin != word and all(ch.isascii() for ch in _strip_accents(latin) if ch.isalpha()):
            used.update(ch for ch in word if ch in table)
            word = latin
        read.append(word)
    return "".join(read), "".join(sorted(used))


def match_name(typed: str, registry: RegistryName) -> NameMatch:
    """Compare a typed full name with a registry record's names (the current one first, then the others)."""
    typed, lookalikes = _read_lookalikes(unicodedata.normalize("NFKC", typed))  # NFKC: full-width letters
    match = _match_name(typed, registry)
    if not lookalikes or match.grade is NameGrade.NONE:
        return match
    note = f"look-alike letters from another script typed ({lookalikes}); compare the name by eye"
    grade = NameGrade.VARIANT if match.grade is NameGrade.EXACT else match.grade
    return NameMatch(grade, match.matched, (note, *match.notes))


def _match_name(typed: str, registry: RegistryName) -> NameMatch:
    tokens = given_tokens(typed)
    current = " ".join(part for part in (registry.first.upper(), registry.last.upper()) if part)
    if not tokens or (len(tokens) == 1 and tokens[0] in TITLES):
        return NameMatch(NameGrade.NONE, current, ("no name given",))
    folded_text = " ".join(re.split(r"[^0-9a-z-]+", _fold(typed)))
    accents = _strip_accents(typed) != typed
    best = _judge(tokens, folded_text, registry.first, registry.middle, registry.last)
    for first, last, kind in registry.other_names:
        other = _judge(tokens, folded_text, first or registry.first, "", last or registry.last)
        if other is None or other.grade is NameGrade.NONE:
            continue
        label = f"{other.matched} ({kind or 'other name'})"
        if other.grade in {NameGrade.EXACT, NameGrade.VARIANT}:
            other = NameMatch(NameGrade.OTHER_NAME, label, (f"matches {label}, not the current name", *other.notes))
        else:
            other = NameMatch(other.grade, label, (f"compared with {label}", *other.notes))
        if best is None or _RANK[other.grade] > _RANK[best.grade]:
            best = other
    if best is None:
        return NameMatch(NameGrade.NONE, current, ("surname differs from the registry",))
    if accents and best.grade is NameGrade.EXACT:
        return NameMatch(NameGrade.VARIANT, best.matched, ("accents typed; the registry spells without them",))
    return best


def registry_name(first: str, last: str, middle: str = "",
                  other_names: Iterable[tuple[str, str, str]] = ()) -> RegistryName:
    """Build a ``RegistryName`` (a convenience for callers holding plain strings)."""
    return RegistryName(first=first, last=last, middle=middle, other_names=tuple(other_names))
