"""An insult with two neighbouring letters swapped, or a letter dropped from a long one, is read as the
insult; ordinary words, names, plurals and other edits are left as typed."""

import pytest

from primum.inference.misspelled_insults import join_split_insults, read_misspelled_insults
from primum.inference.textnorm import normalize

KNOWN = frozenset({"you", "are", "a", "what", "so", "the", "idiom", "holds", "work", "is", "said"})
CORPUS = frozenset({"moran", "sitch"})


@pytest.mark.parametrize(("raw", "expected"), [
    ("you idoit", "you idiot"),  # swapped
    ("what a colwn", "what a clown"),
    ("so stpuid", "so stupid"),
    ("so stupd", "so stupid"),  # a letter dropped from a six-letter word
    ("you worthles bastrd", "you worthless bastard"),
    ("IDOIT", "idiot"),
    ("Idoit.", "idiot."),  # capitalised as the message's first word
    ("you idoits", "you idiots"),  # the plural kept
    ("you idot", "you idot"),  # a drop from a five-letter word is left: "hore", "clon" are words too
    ("scut work is work", "scut work is work"),  # a changed letter is no slip read back ("slut")
    ("whove said", "whove said"),  # "who've"
    ("you losers", "you losers"),  # a listed word's plural, no slip
    ("the idiom holds", "the idiom holds"),  # a known word
    ("Moran said", "Moran said"),  # a corpus word
    ("what a sitch", "what a sitch"),
    ("ask Dr Idoit", "ask Dr Idoit"),  # capitalised inside the message: likelier a name
    ("stpd btch", "stupid bitch"),  # vowels left out, four letters or more left
    ("what a clwn", "what a clown"),
    ("you rtrds", "you retards"),
    ("check the mrn", "check the mrn"),  # three letters left: a medical record number, not "moron"
])
def test_a_slip_of_a_listed_insult_is_read_as_the_insult(raw: str, expected: str) -> None:
    assert read_misspelled_insults(raw, KNOWN, lambda: CORPUS) == expected


def test_nothing_is_read_without_a_vocabulary() -> None:
    assert read_misspelled_insults("you idoit", None) == "you idoit"


def test_the_corpus_is_loaded_only_when_a_word_is_a_slip() -> None:
    loads: list[int] = []

    def corpus() -> frozenset[str]:
        loads.append(1)
        return CORPUS

    assert read_misspelled_insults("the idiom holds", KNOWN, corpus) == "the idiom holds"
    assert loads == []
    assert read_misspelled_insults("you idoit and you colwn", KNOWN, corpus) == "you idiot and you clown"
    assert loads == [1]


def test_normalize_reads_a_slip_only_as_a_late_reading() -> None:
    assert normalize("you idoit", KNOWN) == "you idiot"
    assert normalize("you idoit", KNOWN, late_readings=False) == "you idoit"  # as the shipped encoder trained


@pytest.mark.parametrize(("raw", "expected"), [
    ("you are an id iot", "you are an idiot"),
    ("so stu pid", "so stupid"),
    ("dumb ass idea", "dumb ass idea"),  # both halves are words already
    ("an id card", "an id card"),  # together no listed insult
    ("stu  pid", "stu  pid"),  # one space between, as a split word has
])
def test_an_insult_split_in_two_is_read_whole(raw: str, expected: str) -> None:
    assert join_split_insults(raw, KNOWN | {"an", "id", "dumb", "ass", "idea", "card"}) == expected


def test_normalize_reads_a_split_insult_only_as_a_late_reading() -> None:
    known = KNOWN | {"an", "id"}
    assert normalize("you are an id iot", known) == "you are an idiot"
    assert normalize("you are an id iot", known, late_readings=False) == "you are an id iot"
