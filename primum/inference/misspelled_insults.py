"""Insults misspelled by a slip of the keys ("idoit", "colwn", "stupd"), written without vowels
("btch") or split in two ("id iot"), read as the insult they spell."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Container

#: Words that call a person something, and nothing else: a misspelling of one of them can mean
#: only that. Words with an everyday or clinical sense ("kill", "rape", "dumb", "hate") are not here:
#: read from a typo, they would put violence into a sentence about a procedure.
INSULT_WORDS: tuple[str, ...] = (
    "idiot", "stupid", "moron", "loser", "bitch", "retard", "bastard", "whore", "slut", "clown",
    "imbecile", "pathetic", "worthless", "asshole", "dumbass", "jackass", "faggot",
)
#: A listed word written without its vowels ("stpd", "btch") is read back when this many letters are
#: left: with three, "mrn" (a medical record number), "lsr" and "idt" are abbreviations too.
_MIN_SKELETON = 4
#: Each listed word without the vowels after its first letter ("stupid" -> "stpd"), made once.
_SKELETON = {listed: listed[0] + re.sub(r"[aeiou]", "", listed[1:]) for listed in INSULT_WORDS}
#: A dropped letter is read back only in a listed word this long: in shorter ones it made words of
#: other words ("hore", "clon").
_MIN_DROPPED = 6
#: A word of letters; two of them with one space between may be one insult split ("id iot").
_LETTERS = re.compile(r"\b[A-Za-z]+\b")
#: Lower-case or all-capital words of four letters or more; a capitalised word is read only when it
#: opens the message ("Idoit."), since inside one it is likelier a name.
_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def read_misspelled_insults(
    text: str, known: Container[str] | None, corpus: Callable[[], Container[str]] | None = None
) -> str:
    """``text`` with each unknown word that is a listed insult with two neighbouring letters
    swapped ("idoit", "colwn"), with one letter dropped from a longer one ("stupd"), or without its
    vowels where four letters or more are left ("stpd", "btch"), read as that insult (a late reading).

    Why: a short insult with a slip of the keys reached the encoder as word pieces it does not read
    as an insult ("You idoit." scored 0.37, "You idiot." 0.99). Only swaps and drops: a changed or
    an added letter read back made insults of ordinary words on real rows ("scut" work, "sitch",
    "who've" typed "whove"). A word is read only when it is neither a tokenizer word (``known``)
    nor one of the corpus's common words (``corpus()``, loaded only when a word is a slip of a
    listed one): "Moran" is a surname, not a typo. A plural ending is kept off and put back. No
    spelling corrector or edit-distance library is used: they count any edit, and would
    "correct" drug names and abbreviations. Without ``known`` nothing changes.

    >>> read_misspelled_insults("You idoit, what a colwn, so stupd. the idiom holds", {"you", "idiom"})
    'You idiot, what a clown, so stupid. the idiom holds'
    >>> read_misspelled_insults("stpd btch, check the mrn", {"check", "the"})
    'stupid bitch, check the mrn'
    """
    if known is None:
        return text
    words: list[Container[str]] = []

    def read(match: re.Match[str]) -> str:
        token = match.group(0)
        if token[0].isupper() and not token.isupper() and match.start() > 0:
            return token
        lower = token.lower()
        if lower in known:
            return token
        reading = _slip_of_a_listed_word(lower)
        if reading is None:
            return token
        if corpus is not None and not words:
            words.append(corpus())
        return token if any(lower in vocabulary for vocabulary in words) else reading

    return _WORD.sub(read, text)


def _slip_of_a_listed_word(word: str) -> str | None:
    """The listed insult ``word`` is a slip of (as typed, or before a plural ending), or None."""
    readings = [(word, "")]
    readings += [(word[: -len(end)], end) for end in ("es", "s") if word.endswith(end) and len(word) > len(end) + 3]
    if any(stem in INSULT_WORDS for stem, _ in readings):
        return None  # "losers", "dumbasses": a listed word and its plural, no slip
    for stem, ending in readings:
        for listed in INSULT_WORDS:
            if _swapped(stem, listed) or (len(listed) >= _MIN_DROPPED and _dropped(stem, listed)):
                return listed + ending
            if len(stem) >= _MIN_SKELETON and stem == _SKELETON[listed]:
                return listed + ending
    return None


def _swapped(word: str, listed: str) -> bool:
    """``word`` is ``listed`` with two neighbouring letters swapped."""
    if len(word) != len(listed):
        return False
    diff = [i for i, (a, b) in enumerate(zip(word, listed, strict=True)) if a != b]
    if len(diff) != 2 or diff[1] != diff[0] + 1:
        return False
    first, second = diff
    return word[first] == listed[second] and word[second] == listed[first]


def _dropped(word: str, listed: str) -> bool:
    """``word`` is ``listed`` with one letter left out."""
    return len(word) == len(listed) - 1 and any(listed[:i] + listed[i + 1 :] == word for i in range(len(listed)))


def join_split_insults(text: str, known: Container[str] | None) -> str:
    """``text`` with a listed insult split in two by a space ("you are an id iot", "stu pid") read
    whole (a late reading).

    Why: a space inside the word hides it from a word filter and from the encoder ("you are an id
    iot" scored 0.80, under the cut-off) while a reader reads it at once. Two neighbouring words are
    joined only when together they spell a listed insult exactly and one of them at least is no
    known word (``known``): "dumb ass" and "jack ass" are words already and stay as typed.

    >>> join_split_insults("you are an id iot, so stu pid", {"you", "are", "an", "so", "id"})
    'you are an idiot, so stupid'
    """
    if known is None:
        return text
    out: list[str] = []
    at = 0
    for first, second in itertools.pairwise(_LETTERS.finditer(text)):
        if first.start() < at or text[first.end() : second.start()] != " ":
            continue
        whole = (first.group(0) + second.group(0)).lower()
        if whole in INSULT_WORDS and not (first.group(0).lower() in known and second.group(0).lower() in known):
            out += [text[at : first.start()], whole]
            at = second.end()
    return "".join(out) + text[at:]
