"""Fuzzy name match against the registry's ``basic`` (and ``other_names``): a table of cases."""

import pytest

from primum.domain.name_match import NameVerdict, RegistryName, given_tokens, match_name, name_tokens

STEINBERG = RegistryName(first="AMIR", last="STEINBERG", middle="S")
NARVAEZ = RegistryName(first="CLAUDIA", last="NARVAEZ-MEZA", middle="VIRGINIA")
SHRENSEL = RegistryName(first="JEFFREY", last="SHRENSEL", middle="ADAM")
ALON = RegistryName(first="MARK HENRY", last="ALON")
OBRIEN = RegistryName(first="SEAN", last="OBRIEN")
MARRIED = RegistryName(first="PREMILA", last="MATHEWS", other_names=(("PREMILA", "KURIAN"),))
VAN = RegistryName(first="PIETER", last="VANDERBERG")
NGUYEN = RegistryName(first="THANH", last="DO")


@pytest.mark.parametrize(
    ("typed", "record", "verdict"),
    [
        ("Amir Steinberg", STEINBERG, NameVerdict.MATCH),
        ("amir steinberg", STEINBERG, NameVerdict.MATCH),
        ("Dr. Amir S. Steinberg, MD", STEINBERG, NameVerdict.MATCH),  # title, middle initial, credential
        ("Steinberg, Amir", STEINBERG, NameVerdict.MATCH),  # "Last, First"
        ("Amir Stienberg", STEINBERG, NameVerdict.MATCH),  # one transposition
        ("A. Steinberg", STEINBERG, NameVerdict.PARTIAL),  # initial only
        ("Steinberg", STEINBERG, NameVerdict.PARTIAL),  # surname only
        ("David Steinberg", STEINBERG, NameVerdict.PARTIAL),  # another given name
        ("Amir Cohen", STEINBERG, NameVerdict.MISMATCH),
        ("Claudia Narváez-Meza", NARVAEZ, NameVerdict.MATCH),  # accent and hyphen
        ("Claudia Narvaez Meza", NARVAEZ, NameVerdict.MATCH),  # hyphen typed as a space
        ("Claudia Narvaez", NARVAEZ, NameVerdict.MATCH),  # one half of a double surname
        ("CLAUDIA V. MEZA", NARVAEZ, NameVerdict.MATCH),
        ("Jeff Shrensel", SHRENSEL, NameVerdict.MATCH),  # nickname
        ("Adam Shrensel", SHRENSEL, NameVerdict.MATCH),  # goes by the middle name
        ("Jeffrey Adam Shrensel Jr.", SHRENSEL, NameVerdict.MATCH),  # suffix
        ("Mark Alon", ALON, NameVerdict.MATCH),  # registry first name has two words
        ("Henry Alon", ALON, NameVerdict.MATCH),
        ("Seán O'Brien", OBRIEN, NameVerdict.MATCH),  # accent and apostrophe
        ("Sean O Brien", OBRIEN, NameVerdict.MATCH),
        ("Premila Kurian", MARRIED, NameVerdict.MATCH),  # former name on the record
        ("Premila Mathews", MARRIED, NameVerdict.MATCH),
        ("Pieter van der Berg", VAN, NameVerdict.MATCH),  # spaced particles against a joined surname
        ("Thanh Do", NGUYEN, NameVerdict.MATCH),  # "Do" is a surname here, not a credential
        ("", STEINBERG, NameVerdict.MISMATCH),
        ("Dr.", STEINBERG, NameVerdict.MISMATCH),
    ],
)
def test_name_cases(typed: str, record: RegistryName, verdict: NameVerdict) -> None:
    assert match_name(typed, record).verdict is verdict


def test_notes_explain_non_obvious_matches() -> None:
    assert "nickname" in match_name("Jeff Shrensel", SHRENSEL).describe()
    assert "middle name" in match_name("Adam Shrensel", SHRENSEL).describe()
    assert "another name" in match_name("Premila Kurian", MARRIED).describe()
    assert match_name("Amir Steinberg", STEINBERG).describe() == "Match"


@pytest.mark.parametrize(
    ("typed", "tokens"),
    [
        ("Dr. José Ñúñez-García, M.D.", ["jose", "nunez", "garcia"]),
        ("Mary O'Neil III", ["mary", "oneil"]),
        ("Garcia, Maria, MD", ["maria", "garcia"]),
    ],
)
def test_given_tokens(typed: str, tokens: list[str]) -> None:
    assert sorted(given_tokens(typed)) == sorted(tokens)


def test_name_tokens_fold_letters() -> None:
    assert name_tokens("Straße Øberg") == ["strasse", "oberg"]
